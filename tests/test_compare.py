"""compare.sh's report, in-process through `compare.main(argv)`: what each
pair's runs did, side by side, every sentence read from the runs."""
import re
import shutil

import pytest

import compare
from commands import ROOT
from helpers import TYPED, edited, one_line, status, typed


def report(capsys, *argv):
    """compare.sh's exit status and what it printed."""
    code = status(compare.main, list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_our_pair_side_by_side_with_the_equivalence(capsys):
    code, out, err = report(capsys, '--repeats', '1', '--equivalence')
    assert code == 0 and not err
    assert out.startswith('# 1000 examples, 3 epochs of 100 steps (batch '
                          '10), lr 0.03; flags: none in both; same data in '
                          'both: yes')
    text = ' '.join(out.split())
    for said in ("scratch's: `(y_hat - y) ** 2 / 2` (`squared_loss`), its sum"
                 ' over each batch', "concise's: the squared error",
                 'its mean over each batch', 'scratch printed its loss after '
                 'each epoch', 'the 1/2 loss, near half of it',
                 'concise steps twice as far as scratch: each step is 0.03 x '
                 "the gradient of the batch's MSE, against 0.015 x",
                 'Timers: scratch: each of the 3 epochs alone, start() at '
                 'line 140 to stop() at line 149', "per epoch, the runner's "
                 'clock', 'per epoch, concise takes', 'median of 1 '
                 'alternating pair'):
        assert said in text, said
    gaps = re.findall(r'max parameter gap (\S+)', out)
    assert float(gaps[0]) < 1e-6 < 1e-2 < float(gaps[1])
    rows = out.splitlines()
    mse = rows[rows.index(next(r for r in rows if r.startswith('epoch')))
               + 3].split()
    assert mse[0] == '3' and mse[3] == mse[4] == '0.000093'


def test_a_pair_typed_along_the_chapter_has_its_four_artefacts_named(
        capsys):
    """No seed, the book's 3.1 Timer made at the top and stopped at the
    end, the learner's own names: the seed, the 1/2, twice the step and
    what each Timer timed, each read from the runs."""
    code, out, err = report(capsys, str(TYPED / 'scratch.py'),
                            str(TYPED / 'concise.py'), '--repeats', '1',
                            '--equivalence')
    text = ' '.join(out.split())
    assert code == 0 and not err
    assert 'equivalence: cannot run it: concise.py ran without parse_args()' \
        in out  # its lr is typed into it: no flag sets it
    assert out.count('runner_seed(0); features, labels = ') == 2
    assert 'same data in both: yes' in out
    assert 'seeded by the runner (its # edit: line): both fit the same' in text
    assert 'the 1/2 loss, near half of it' in text
    assert 'concise steps twice as far as scratch' in text
    assert 'scratch: once, Timer() at line 6 to stop() at line 61: the data ' \
           'generation and all 3 epochs' in out
    assert 'per epoch, concise takes' in out


@pytest.mark.check  # tests/test_watch.py reads the pair in `make test`
def test_the_1_0_pair_is_compared_the_same(capsys, tmp_path):
    shutil.copytree(ROOT / 'tests' / 'typed_along_1_0', tmp_path / 'pair')
    code, out, err = report(capsys, str(tmp_path / 'pair' / 'scratch.py'),
                            str(tmp_path / 'pair' / 'concise.py'),
                            '--repeats', '0')
    text = ' '.join(out.split())
    assert code == 0 and not err
    assert '3 epochs of 32 steps (batch 32), lr 0.03; flags: none in both; ' \
           'same data in both: yes' in out
    assert 'concise steps twice as far as scratch' in text
    assert "scratch's: `(y_hat - y) ** 2 / 2` (`squared_loss`), its mean" \
           in text
    assert 'scratch printed no loss after its epochs' in text


@pytest.mark.parametrize('lr,diverged', [('1', ['concise']),
                                         ('2', ['scratch', 'concise'])])
def test_a_trainer_that_diverges_is_a_result(capsys, lr, diverged):
    code, out, err = report(capsys, '--lr', lr, '--repeats', '0')
    assert code == 0 and not err
    for name in diverged:
        assert f'{name} diverged at epoch 1' in out
    if lr == '1':
        assert 'scratch diverged' not in out
        assert 'settle near' not in out  # not beside a diverged run


def test_a_loss_no_runner_knows_and_a_run_far_from_the_line(capsys,
                                                            tmp_path):
    """A quartic loss: a blank loss column, "none the runners know", and no
    word of the two settling, as the quartic run ends far from lstsq."""
    quartic = typed(tmp_path / 'q', 'concise', ('loss = nn.MSELoss()',
                                                'loss = lambda a, b: ((a - b) '
                                                '** 4).mean()'))
    code, out, err = report(capsys, str(TYPED / 'scratch.py'), str(quartic),
                            '--repeats', '0')
    text = ' '.join(out.split())
    assert code == 0 and not err
    assert "concise's: none the runners know (a blank column)" in text
    assert 'settle near' not in text


def test_long_names_keep_the_columns_aligned(capsys, tmp_path):
    long = tmp_path / 'a_very_long_folder_name'
    first = edited(long, 'scratch')
    second = first.with_name('linreg_concise_with_a_very_long_name.py')
    shutil.copy(edited(long, 'concise'), second)
    code, out, err = report(capsys, str(first), str(second), '--repeats',
                            '0')
    rows = out.splitlines()
    head = next(k for k, row in enumerate(rows) if row.startswith('epoch'))
    ends = [[m.end() for m in re.finditer(r'\S+', rows[k])] for k in (
        head, head + 1)]
    assert set(ends[1][1:]) <= set(ends[0])  # a cell ends where its head does


def test_two_files_of_one_name_are_told_apart(capsys, tmp_path):
    a = typed(tmp_path / 'a', 'scratch')
    b = typed(tmp_path / 'b', 'scratch', ('0.01, y.shape', '0.1, y.shape'))
    code, out, err = report(capsys, str(a), str(b), '--repeats', '0')
    assert code == 0
    assert f'{str(a)[:-3]} loss' in out and f'{str(b)[:-3]} loss' in out
    assert 'same data in both: NO' in out
    assert 'The two fit different data' in ' '.join(out.split())


@pytest.mark.parametrize('argv,says', [
    (['--repeats', 'x'], "invalid int value: 'x'"),
    (['a.py'], 'name two scripts, or none'),
    (['--lr', 'x'], "argument --lr: invalid float value: 'x'"),
    (['--lr', '-1'], 'argument --lr: must be above 0'),
    (['nowhere.py', 'linreg_scratch.py'], "no script 'nowhere.py'"),
])
def test_bad_input_is_one_line_and_2(capsys, argv, says):
    code, out, err = report(capsys, *argv)
    assert code == 2 and says in one_line(err)
