"""sweep.py in-process: each point a fresh run, lstsq beside it, plots."""
import json

import pytest

import sweep
from helpers import one_line, results, status


def test_sweep_re_initialises_every_point(capsys):
    small = ['--num-examples', '100', '--num-epochs', '2']
    assert sweep.main(['lr', '--values', '0.01,0.03', *small,
                       '--json']) == 0
    captured = capsys.readouterr()
    rows = json.loads(captured.out.splitlines()[-1])
    assert [(r['impl'], r['lr']) for r in rows] == [
        ('scratch', 0.01), ('concise', 0.01), ('lstsq', 0.01),
        ('scratch', 0.03), ('concise', 0.03), ('lstsq', 0.03)]
    for row in rows:  # each equals a fresh run of the script at that lr
        if row['impl'] == 'lstsq':
            continue
        alone = results(row['impl'], '--lr', str(row['lr']), *small)
        assert row['mse'] == alone['mse']
        assert row['final_loss'] == alone['loss_per_epoch'][-1]
    # lstsq: the same data at every lr, and no trainer beats it
    assert rows[2]['mse'] == rows[5]['mse']
    assert all(r['mse'] >= rows[2]['mse'] for r in rows)
    assert captured.err == ''


def test_script_flags_may_come_before_the_setting(capsys):
    assert sweep.main(['--seed', '1', 'num-epochs', '--values', '1',
                       '--impl', 'scratch', '--num-examples', '50']) == 0
    assert 'num-epochs' in capsys.readouterr().out


def test_more_epochs_reach_the_floor_and_stay(capsys):
    assert sweep.main(['num-epochs', '--values', '6,1,3', '--impl',
                       'scratch', '--json']) == 0
    rows = json.loads(capsys.readouterr().out.splitlines()[-1])
    mse = {r['num-epochs']: r['mse'] for r in rows if r['impl'] == 'scratch'}
    assert mse[1] > 10 * mse[3] and mse[6] == pytest.approx(mse[3],
                                                            rel=0.05)


def test_ctrl_c_keeps_the_finished_points_then_one_line(capsys, tmp_path,
                                                        monkeypatch):
    """... and leaves the file that --plot names as it was: a figure of
    half a sweep would replace it."""
    from bench import runner
    keep = tmp_path / 'keep.png'
    keep.write_bytes(b'kept')
    execute, calls = runner.execute, []

    def interrupted_at_the_second_point(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt()
        return execute(*args, **kwargs)
    monkeypatch.setattr(runner, 'execute', interrupted_at_the_second_point)
    assert sweep.main(['lr', '--values', '0.03,0.1', '--impl', 'scratch',
                       '--num-examples', '50', '--json', '--plot',
                       str(keep)]) == 130
    out, err = capsys.readouterr()
    rows = json.loads(out.splitlines()[-1])
    assert [(r['impl'], r['lr']) for r in rows] == [('scratch', 0.03),
                                                    ('lstsq', 0.03)]
    assert err == 'sweep.py: interrupted (Ctrl-C)\n'
    assert keep.read_bytes() == b'kept' and list(tmp_path.iterdir()) == [keep]


def test_a_sweep_whose_every_point_fails_keeps_its_table_and_json(
        capsys, tmp_path):
    plot = tmp_path / 'f.png'
    assert sweep.main(['lr', '--values', '0.03', '--init-std', '1e30',
                       '--plot', str(plot), '--json']) == 1
    out, err = capsys.readouterr()
    rows = json.loads(out.splitlines()[-1])
    assert [r.get('diverged') for r in rows[:2]] == [1, 1]
    assert 'not drawn' in one_line(err) and not plot.exists()


def test_a_point_out_of_memory_is_a_row_and_the_sweep_goes_on(capsys):
    assert sweep.main(['num-examples', '--values', f'{10 ** 12},10',
                       '--impl', 'scratch', '--json']) == 0
    rows = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert rows[0]['failed'].startswith('out of memory')
    assert [r['impl'] for r in rows[1:]] == ['scratch', 'lstsq']


@pytest.mark.parametrize('setting,values', [('num-examples', '20,200'),
                                            ('lr', '0.03,1')])
def test_sweep_plots_and_marks_divergence(tmp_path, capsys, setting, values):
    plot = tmp_path / 'sweep.png'
    drawn = ['--plot', str(plot)] if setting == 'lr' else []  # one picture
    assert sweep.main([setting, '--values', values, *drawn, '--json']) == 0
    out = capsys.readouterr().out
    rows = json.loads(out.splitlines()[-1])
    assert len(rows) == 6
    if setting == 'lr':
        assert [(r['impl'], r['lr']) for r in rows if 'diverged' in r] == [
            ('concise', 1.0)]  # its steps are twice as long
        assert 'diverged at epoch' in out
    else:  # fewer examples, fewer steps: further from the line
        errors = [r['w_error'] for r in rows if r['impl'] == 'scratch']
        assert errors == sorted(errors, reverse=True)
    if drawn:
        assert plot.read_bytes()[:4] == b'\x89PNG'
        assert list(tmp_path.iterdir()) == [plot]


def test_the_figure_marks_each_points_largest_error(monkeypatch, capsys):
    from bench import plots
    drawn = {}
    monkeypatch.setattr(plots, 'save',
                        lambda prog, fig, path: drawn.update(fig=fig) or 0)
    assert sweep.main(['lr', '--values', '0.03,1', '--plot', 'unused.png',
                       '--num-examples', '100', '--json']) == 0
    rows = json.loads(capsys.readouterr().out.splitlines()[-1])
    lines = {line.get_label(): line.get_xydata().tolist()
             for line in drawn['fig'].axes[0].get_lines()}
    for name in ('scratch', 'concise', 'lstsq'):  # concise diverged at 1
        assert lines[name] == [[r['lr'], max(r['w_error'], r['b_error'])]
                               for r in rows if r['impl'] == name
                               and 'mse' in r]


@pytest.mark.parametrize('argv', [
    ['lr', '--values', '0.1,-1'], ['num-examples', '--values', '10,2.5'],
    ['size'], ['lr', '--batch-size', '0'], ['lr', '--values', ','],
    ['lr', 'num-epochs'],
    ['lr', '--lr', '0.1'], ['lr', '--plot', '/no/such/x.png'],
    ['lr', '--impl', 'scratch', '--reduction', 'sum']])
def test_sweep_bad_arguments_exit_2_in_one_line(argv, capsys):
    assert status(sweep.main, argv) == 2
    assert 'error: ' in one_line(capsys.readouterr().err)


def test_a_variant_is_the_edit_it_prints_first(capsys):
    assert sweep.main(['lr', '--values', '0.03', '--impl', 'concise',
                       '--num-examples', '50', '--num-epochs', '1',
                       '--loss', 'abs']) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith('# edit: linreg_concise.py:')
    assert first.endswith('  loss = nn.L1Loss()  (--loss abs)')
