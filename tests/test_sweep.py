"""sweep.py in-process: each point a fresh run of each script, lstsq beside
it, each row printed as it is done."""
import pytest

import sweep
from helpers import one_line, run, status

SMALL = ['--num-examples', '100', '--num-epochs', '2']


def rows(out):
    """{(value, script): [cells]} of sweep.py's table."""
    found = {}
    for line in out.splitlines()[1:]:
        value, script, *cells = line.split()
        found[value, script] = cells
    return found


def test_each_point_is_a_fresh_run_beside_lstsq(capsys):
    assert sweep.main(['lr', '--values', '0.01,0.03', *SMALL]) == 0
    out, err = capsys.readouterr()
    found = rows(out)
    assert list(found) == [(lr, name) for lr in ('0.01', '0.03')
                           for name in ('scratch', 'concise', 'lstsq')]
    for (lr, name), cells in found.items():
        if name != 'lstsq' and lr == '0.01':  # a fresh run of it there
            alone = run(name, '--lr', lr, *SMALL)
            assert float(cells[0]) == pytest.approx(alone.mse, rel=1e-2)
    assert found['0.01', 'lstsq'] == found['0.03', 'lstsq']  # same data
    assert not err


def test_script_flags_may_come_before_the_setting(capsys):
    assert sweep.main(['--seed', '1', 'num-epochs', '--values', '1', *SMALL
                       [:2]]) == 0
    assert 'num-epochs' in capsys.readouterr().out


def test_a_diverging_point_is_a_row(capsys):
    assert sweep.main(['lr', '--values', '3', '--num-epochs', '1']) == 0
    found = rows(capsys.readouterr().out)
    assert found['3', 'concise'] == ['diverged', 'at', 'epoch', '1']
    assert float(found['3', 'lstsq'][0]) < 2e-4


def test_ctrl_c_keeps_the_rows_printed(capsys, monkeypatch):
    """Each row is printed when done: Ctrl-C leaves them, then its line."""
    from bench import runner
    asked = runner.Worker.ask

    def interrupt(worker, what, script=None):
        if '0.03' in script.argv:
            raise KeyboardInterrupt
        return asked(worker, what, script)
    monkeypatch.setattr(runner.Worker, 'ask', interrupt)
    with pytest.raises(KeyboardInterrupt):
        sweep.sweep(['lr', '--values', '0.01,0.03', *SMALL])
    assert list(rows(capsys.readouterr().out)) == [
        ('0.01', 'scratch'), ('0.01', 'concise'), ('0.01', 'lstsq')]


@pytest.mark.parametrize('argv,says', [
    ([], 'name one setting to sweep'),
    (['lr', 'init-std'], 'name one setting to sweep'),
    (['lr', '--values', 'x'], "argument --lr: invalid float value: 'x'"),
    (['lr', '--values', '0'], 'argument --lr: must be above 0'),
    (['lr', '--bogus'], 'unrecognized arguments: --bogus'),
])
def test_bad_arguments_are_one_line_and_2(capsys, argv, says):
    """One line, and nothing half-written: no table's head above it."""
    assert status(sweep.main, argv) == 2
    out, err = capsys.readouterr()
    assert says in one_line(err) and out == ''
