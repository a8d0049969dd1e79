"""The exercises with a script of their own (exercises/): each runs as
`python exercises/NAME.py` does, prints its result, and the result is
checked here against a closed form or a known value."""
import contextlib
import io
import math
import runpy

import pytest
import torch

from commands import ROOT


def run(name):
    """Run exercises/NAME.py as a program; (its names, what it printed)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        ns = runpy.run_path(str(ROOT / 'exercises' / f'{name}.py'),
                            run_name='__main__')
    return ns, out.getvalue()


def test_ohm_learns_the_resistance_that_least_squares_finds():
    ns, out = run('ohm')
    I, V = ns['current'].reshape(-1), ns['voltage'].reshape(-1)
    # The least-squares line V = R I + V0, from the normal equations
    n, si, sv = len(I), I.sum(), V.sum()
    R = float((n * (I * V).sum() - si * sv) / (n * (I * I).sum() - si ** 2))
    V0 = float((sv - R * si) / n)
    assert ns['R'].item() == pytest.approx(R, abs=0.01)
    assert ns['V0'].item() == pytest.approx(V0, abs=0.01)
    assert R == pytest.approx(ns['true_R'], abs=0.05) and abs(V0) < 0.03
    assert f'learned: R {ns["R"].item():.4f} ohm' in out


def test_planck_finds_the_temperature_on_logs_and_not_in_kelvin():
    ns, out = run('planck')
    lines = out.splitlines()
    logs = [line for line in lines if line.startswith('log T')]
    assert len(logs) == 3
    for line in logs:  # within 0.1% of 5800 K from every start
        T = float(line.split(': T ')[1].split(' K')[0])
        assert abs(T - 5800) / 5800 < 1e-3, line
    assert 'from 20000 K: T nan K' in out  # the kelvin fit blows up
    # The model is Planck's law: at the true T it matches the clean
    # spectrum that B(lam, T) gives in float64
    lam = ns['lam'].double()
    h, c, k = 6.62607015e-34, 2.99792458e8, 1.380649e-23
    exact = 2 * h * c ** 2 / lam ** 5 / torch.expm1(h * c / (lam * k * 5800))
    torch.testing.assert_close(
        ns['log_planck'](ns['lam'], torch.tensor(5800.0)).double(),
        torch.log(exact), rtol=1e-5, atol=1e-5)


# torch.func.hessian, the oracle, warns from inside torch 2.14
@pytest.mark.filterwarnings('ignore:`torch.jit.script` is deprecated')
def test_second_derivatives_the_hessian_is_a_transpose_a_over_n():
    ns, out = run('second_derivatives')
    X, y = ns['features'], ns['labels']
    params = ns['params']

    def loss(p):  # the mean of the chapter's squared loss, written here
        return ((X @ p[:2] + p[2] - y.reshape(-1)) ** 2 / 2).mean()
    oracle = torch.func.hessian(loss)(params)
    A = torch.cat([X, torch.ones(len(X), 1)], 1)
    torch.testing.assert_close(ns['H'], oracle)
    torch.testing.assert_close(ns['H_rows'], oracle)
    torch.testing.assert_close(oracle, A.T @ A / len(A))
    assert 'problem 1: element 0 of tensors does not require grad' in out
    assert 'problem 2: Trying to backward through the graph a second time' \
        in out
    lam = float(torch.linalg.eigvalsh(oracle).max())
    assert f'stable lr below {2 / lam:.2f} for squared_loss' in out
    assert math.isclose(lam, 1.1, abs_tol=0.1)


@pytest.mark.check  # six copies run in full
def test_remove_it_shows_what_each_line_is_for(tmp_path):
    """Each row as the exercise runs it (those of labels here): a removed
    line's effect, and one bad label, which pulls the squared loss's line
    and not the others'."""
    ns = runpy.run_path(str(ROOT / 'exercises' / 'remove_it.py'))
    listed = ns['ROWS'].strip().splitlines()
    labels = [row for row in listed if 'label' in row.split(' | ')[1]]
    ns['main'].__globals__['ROWS'] = '\n'.join(labels)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        ns['main'](tmp_path)
    rows = {line.split(' | ')[1]: line
            for line in out.getvalue().splitlines()[2:]}
    assert len(rows) == len(labels) == 6

    def error(what):
        row = next(v for k, v in rows.items() if k.startswith(what))
        return float(row.rstrip(' |').split()[-1])
    assert error('one bad label, `labels') > 1
    assert error("one bad label, and Huber's") < 0.05
    assert error('one bad label, and the absolute') < 0.05
    assert error('labels of shape (n,), and no') > 1  # a (10, 10) broadcast
    assert error('labels of shape (n,), not') < 0.002
    assert error('no `random.shuffle`, the examples sorted by label') > \
        error('labels of shape (n,), not')  # ordered: further from w


def test_every_exercise_is_listed_with_a_command_that_runs_its_flags():
    """docs/exercises.md lists every exercise of zh 3.2/3.3 and en 1.0
    3.4/3.5, and each command's flags are ones its program takes."""
    import compare
    import sweep
    text = (ROOT / 'docs' / 'exercises.md').read_text(encoding='utf-8')
    table = text.split('| exercise | asks | the command | the answer |')[1]
    rows = [row.split(' | ') for row in table.split('\n\n')[0].splitlines()
            if row.startswith('| ') and '---' not in row]
    listed = ' '.join(row[0] for row in rows)
    for book, exercises in (('zh 3.2', 7), ('zh 3.3', 3),
                            ('en 1.0 3.4', 9), ('en 1.0 3.5', 5)):
        for number in range(1, exercises + 1):
            assert f'{book} ex. {number}' in listed, (book, number)
    commands = [c.strip('`') for row in rows for c in row[2].split('`, `')
                if c != '-']
    assert len(commands) >= 15
    for command in commands:
        words = command.replace('python -i ', 'python ').split()
        program, argv = (words[1], words[2:]) if words[0] == 'python' \
            else (words[0], words[1:])
        if program == './compare.sh':
            compare.parse_args(argv)
        elif program == 'sweep.py':
            sweep.parse_args(argv)
        else:  # a script: its flags are its parser's
            assert (ROOT / program).is_file() and not argv, command


def test_fast_loader_gives_the_books_batches_and_times_both(monkeypatch):
    """At small sizes: the same batches from both loaders for one
    permutation (the script asserts it), and a line per size with both
    times and their ratio."""
    monkeypatch.setattr('sys.argv', ['fast_loader.py', '--sizes', '200,3000',
                                     '--large', '1000'])
    ns, out = run('fast_loader')
    assert 'the same 101 batches from both loaders, the last of 3' in out
    rows = [line for line in out.splitlines() if 'examples,' in line]
    assert [row.split()[0] for row in rows] == ['200', '3000']
    assert all(row.count(' s against ') == 2 and row.endswith('x')
               for row in rows)
    batches = list(ns['sliced_array']((ns['features'], ns['labels']), 1000))
    assert [len(X) for X, _ in batches] == [1000, 1000, 1000]
