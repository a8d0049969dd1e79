"""compare.sh's work, in-process through `compare.main(argv)`: the table,
divergence as a result, the lstsq row, the equivalence, the plot."""
import json
import os
import stat

import pytest

import compare
from bench import cli
from helpers import one_line

FAST = ['--repeats', '2']


def strict_json(line):
    """Parse one line as strict JSON: NaN and Infinity are refused."""
    def refuse(token):
        raise ValueError(f'{token} in JSON')
    return json.loads(line, parse_constant=refuse)


def compare_json(capsys, *argv):
    code = compare.main([*argv, '--json'])
    captured = capsys.readouterr()
    return code, strict_json(captured.out.splitlines()[-1]), captured


def test_side_by_side_with_equivalence_and_lstsq(capsys):
    code, summary, captured = compare_json(capsys, *FAST, '--equivalence')
    assert code == 0
    out = captured.out
    assert 'same data in both: yes' in out
    assert 'sigma^2/2 = 5e-05 and sigma^2 = 1e-04' in out
    for label in ('scratch loss', 'concise MSE', 'w error', 'b error',
                  'final MSE', 'lstsq', 'first run, 3 epochs',
                  'per epoch, median (range)', 'data loading',
                  'forward+backward+update', 'concise/scratch'):
        assert label in out, label
    # The loss table comes before the timing, the timing before the extras
    assert out.index('final MSE') < out.index('per epoch') < out.index(
        'equivalence')
    s, c = summary['scratch'], summary['concise']
    assert s['impl'] == 'scratch' and c['impl'] == 'concise'
    assert s['config']['num_epochs'] == 3
    pairs = zip(summary['timing']['concise']['epoch_runs'],
                summary['timing']['scratch']['epoch_runs'])
    ratios = sorted(cc / ss for cc, ss in pairs)
    assert summary['time_ratio'] == pytest.approx(sum(ratios) / 2)
    for name in ('scratch', 'concise'):
        timing = summary['timing'][name]
        assert len(timing['epoch_runs']) == 2
        assert 0 < timing['data_median'] < timing['epoch_median']
    # lstsq is the floor: no trainer's MSE is below it, both near it
    lstsq = summary['lstsq']
    for r in (s, c):
        assert lstsq['mse'] <= r['mse'] < 1.1 * lstsq['mse']
    assert f'{lstsq["mse"]:.6f}' in out
    assert summary['equivalence']['double_lr_gap'] < 1e-5
    assert summary['equivalence']['same_lr_gap'] > 1e-2
    # The per-epoch lines came through on stderr, as progress
    assert 'linreg_scratch.py: epoch 3, loss' in captured.err
    assert 'linreg_concise.py: epoch 1, loss' in captured.err


def test_one_trainer_diverging_is_a_result(capsys):
    """lr 1: the concise run's steps are twice as long, and it diverges."""
    code, summary, captured = compare_json(capsys, '--lr', '1',
                                           '--repeats', '1')
    assert code == 0
    s, c = summary['scratch'], summary['concise']
    assert 'diverged' not in s and s['mse'] < 2e-4
    assert c['diverged'] == 'training diverged at epoch 3 (loss inf)'
    assert c['diverged_at_epoch'] == 3
    assert c['mse'] is None  # strict JSON: null, not Infinity
    assert 'diverged at epoch 3' in captured.out
    assert 'the other column is still a result' in captured.out


def test_both_diverging_is_still_a_result(capsys):
    code, summary, _ = compare_json(capsys, '--lr', '1e6', '--repeats', '1',
                                    '--num-examples', '100')
    assert code == 0
    for name in ('scratch', 'concise'):
        assert summary[name]['diverged_at_epoch'] == 1


def test_equivalence_after_a_run_that_it_cannot_copy(capsys):
    """Huber at lr 3 converges; the equivalence, with the squared loss at
    2 * lr, diverges: the gap is still measured up to there."""
    code, summary, captured = compare_json(capsys, '--loss', 'huber',
                                           '--lr', '3', '--repeats', '1',
                                           '--num-examples', '100',
                                           '--equivalence')
    assert code == 0
    assert 'diverged' not in summary['scratch']
    assert summary['equivalence']['double_lr_gap'] < 1e-4
    assert 'diverged at epoch' in captured.out


def test_a_short_last_batch_is_noted(capsys):
    code, summary, captured = compare_json(capsys, '--batch-size', '32',
                                           '--num-examples', '200',
                                           '--repeats', '1',
                                           '--equivalence')
    assert code == 0
    assert 'the last batch is short' in captured.out
    assert summary['equivalence']['double_lr_gap'] > 1e-4


def test_wide_cells_never_run_together():
    """A slow run's times can fill a column: a space still parts them."""
    line = compare.columns('per epoch, median (range)',
                           '147.2 ms (147.2-147.2)', '61.6 ms (61.6-61.6)')
    assert line.split()[-6:] == ['147.2', 'ms', '(147.2-147.2)', '61.6',
                                 'ms', '(61.6-61.6)']
    # ... and a narrow one is where it always was, right-aligned in 22
    assert compare.columns('', 'scratch') == ' ' * 26 + f'{"scratch":>22}'


@pytest.mark.skipif(os.name == 'nt',
                    reason='Windows: files have no POSIX mode bits')
def test_a_new_plot_has_the_mode_the_umask_gives(tmp_path):
    from bench import plots
    fig, _ = plots.figure()
    old = os.umask(0o022)
    try:
        plots.write_png(fig, str(tmp_path / 'a.png'))
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / 'a.png').stat().st_mode) == 0o644


@pytest.mark.parametrize('bad', ['/proc/x.png', 'losses.jpg',
                                 'missing/losses.png', 'x' * 300 + '.png'])
def test_a_bad_plot_path_is_refused_before_training(capsys, tmp_path, bad):
    target = str(tmp_path / bad)
    with pytest.raises(SystemExit) as stop:
        compare.main(['--plot', target if bad[0] != '/' else bad])
    assert stop.value.code == 2
    captured = capsys.readouterr()
    assert one_line(captured.err).startswith(
        'compare.sh: error: argument --plot')
    assert captured.out == ''
    assert list(tmp_path.iterdir()) == []


def test_a_folder_removed_during_the_run_keeps_the_results(capsys, tmp_path,
                                                           monkeypatch):
    folder = tmp_path / 'plots'
    folder.mkdir()
    real = compare.time_both

    def then_remove(*args, **kwargs):
        folder.rmdir()
        return real(*args, **kwargs)
    monkeypatch.setattr(compare, 'time_both', then_remove)
    from matplotlib.figure import Figure

    def drawn(*args, **kwargs):  # nothing is drawn for a file it cannot keep
        raise AssertionError('drawn for a folder that is gone')
    monkeypatch.setattr(Figure, 'tight_layout', drawn)
    code = compare.main(['--num-examples', '100', '--repeats', '1',
                         '--plot', str(folder / 'a.png'), '--json'])
    captured = capsys.readouterr()
    assert code == 1
    assert one_line(captured.err.split('loss')[-1].split('\n', 1)[-1]
                    ).startswith('compare.sh: error: cannot write')
    assert 'final MSE' in captured.out
    strict_json(captured.out.splitlines()[-1])


def test_sigterm_while_plotting_leaves_nothing(capsys, tmp_path,
                                               monkeypatch):
    from matplotlib.figure import Figure

    def killed(self, *args, **kwargs):
        args[0].write(b'\x89PNG half')
        raise cli.Terminated()
    monkeypatch.setattr(Figure, 'savefig', killed)
    monkeypatch.setattr(Figure, 'tight_layout', lambda self: None)  # time
    plot = tmp_path / 'a.png'
    assert compare.main(['--num-examples', '100', '--repeats', '1',
                         '--plot', str(plot)]) == 143
    assert list(tmp_path.iterdir()) == []
    assert 'terminated' in capsys.readouterr().err


def test_bad_flags_are_answered_under_compare_sh(capsys):
    for argv, message in (
            (['--batch-size', '0'], 'compare.sh: error: '
             'argument --batch-size: 0 is not at least 1'),
            (['--loader'], 'compare.sh: error: argument '
             '--loader: expected one argument'),
            (['--repeats', 'x'], "compare.sh: error: argument --repeats: "
             "'x' is not a whole number")):
        with pytest.raises(SystemExit) as stop:
            compare.main(argv)
        assert stop.value.code == 2
        assert one_line(capsys.readouterr().err) == message


def test_timing_stops_at_its_budget_with_at_least_three_pairs():
    parsed = {name: cli.parse_args(name, ['--num-examples', '100'])
              for name in cli.PROGS}
    timing, ratio = compare.time_both(parsed, repeats=50, budget=0)
    for name in ('scratch', 'concise'):
        assert len(timing[name]['epoch_runs']) == 3
    runs = zip(timing['concise']['epoch_runs'],
               timing['scratch']['epoch_runs'])
    assert ratio == sorted(c / s for c, s in runs)[1]


def test_concise_only_flags_go_to_the_concise_script_alone():
    argvs = cli.split_flags(['--lr', '0.1', '--loader', 'batched',
                             '--reduction=sum', '--seed', '3'])
    assert argvs['scratch'] == ['--lr', '0.1', '--seed', '3']
    assert argvs['concise'] == ['--lr', '0.1', '--loader', 'batched',
                                '--reduction=sum', '--seed', '3']
