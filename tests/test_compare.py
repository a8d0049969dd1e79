"""compare.sh's work, in-process through `compare.main(argv)`: the table,
divergence as a result, the lstsq row, the equivalence, the plot."""
import json
import statistics

import pytest

import compare
from bench import report
from helpers import one_line, status

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
    assert ('scratch prints the mean of `(y_hat - y) ** 2 / 2` (`squared_loss`'
            '), concise the mean squared error (`nn.MSELoss()`)') in out
    assert 'sigma^2/2 = 5e-05 and' in out
    for label in ('scratch loss', 'concise MSE', 'w error', 'b error',
                  'final MSE', 'lstsq', 'per epoch, median (range)',
                  'concise/scratch'):
        assert label in out, label
    assert out.index('final MSE') < out.index('per epoch') < out.index(
        'equivalence:')
    s, c = summary['scratch'], summary['concise']
    assert s['steps_per_epoch'] == c['steps_per_epoch'] == [100] * 3
    for name in ('scratch', 'concise'):  # 2 runs of 3 epochs, each timed
        timing = summary['timing'][name]
        assert len(timing['seconds']) == 6
        assert timing['min'] <= timing['median'] <= timing['max']
    pairs = [[statistics.median(summary['timing'][name]['seconds'][k:k + 3])
              for name in ('concise', 'scratch')] for k in (0, 3)]
    ratios = sorted(c / s for c, s in pairs)
    assert summary['time_ratio'] == pytest.approx(sum(ratios) / 2)
    lstsq = summary['lstsq']
    for r in (s, c):  # lstsq is the floor; both reach it
        assert lstsq['mse'] <= r['mse'] < 1.1 * lstsq['mse']
    assert summary['equivalence']['double_lr_gap'] < 1e-5
    assert summary['equivalence']['same_lr_gap'] > 1e-2


def test_one_trainer_diverging_is_a_result(capsys):
    """lr 1: the concise run's steps are twice as long, and it diverges."""
    code, summary, captured = compare_json(capsys, '--lr', '1',
                                           '--repeats', '1')
    assert code == 0
    s, c = summary['scratch'], summary['concise']
    assert s['diverged_at_epoch'] is None and s['mse'] < 2e-4
    assert c['diverged_at_epoch'] == 1
    assert c['mse'] is None  # strict JSON: null, not Infinity
    assert 'diverged at epoch 1' in captured.out
    assert 'the other column is still a result' in captured.out
    assert 'lr 1; flags: --lr 1 in both;' in captured.out


def test_both_diverging_is_said_as_both(capsys):
    code, summary, captured = compare_json(capsys, '--lr', '100',
                                           '--num-epochs', '2', '--repeats',
                                           '1', '--num-examples', '50')
    assert code == 0
    assert [summary[k]['diverged_at_epoch'] for k in ('scratch',
                                                      'concise')] == [1, 1]
    out = captured.out
    assert out.count('.py diverged at epoch 1\n') == 2
    assert 'the other column' not in out
    assert ('50 examples, 2 epochs of 5 steps (batch 10), lr 100; flags: '
            '--num-examples 50 --lr 100 --num-epochs 2 in both') in out


def test_wide_cells_never_run_together():
    line = report.columns('per epoch, median (range)',
                           '147.2 ms (147.2-147.2)', '61.6 ms (61.6-61.6)')
    assert line.split()[-6:] == ['147.2', 'ms', '(147.2-147.2)', '61.6',
                                 'ms', '(61.6-61.6)']


@pytest.mark.parametrize('argv,says', [
    (['--lr', 'abc'], "compare.sh: error: argument --lr: invalid float"),
    (['--lr', '0'], 'compare.sh: error: argument --lr: must be finite, above'),
    (['--equivalence', '--loss', 'abs'], "compares the book's losses"),
    (['--plot', 'x.txt'], 'does not end in .png'),
    (['--plot', '/no/such/folder/x.png'], 'no folder there'),
    (['--plot', 'docs'], 'does not end in .png'),
    (['--repeats', '0'], 'is not a finite number of at least 1'),
    (['--bogus'], 'unrecognized arguments: --bogus'),
])
def test_bad_flags_are_one_line_under_compare_sh(capsys, argv, says):
    assert status(compare.main, argv) == 2
    assert says in one_line(capsys.readouterr().err)


def test_a_plot_path_that_is_a_folder_is_refused_before_any_run(
        tmp_path, capsys):
    folder = tmp_path / 'q.png'
    folder.mkdir()
    with pytest.raises(SystemExit) as stop:
        compare.main(['--plot', str(folder)])
    assert stop.value.code == 2
    assert 'is a folder' in one_line(capsys.readouterr().err)


def test_concise_only_flags_go_to_the_concise_script_alone(capsys):
    code, summary, _ = compare_json(capsys, '--reduction', 'sum', '--lr',
                                    '0.003', '--repeats', '1',
                                    '--num-examples', '100')
    assert code == 0
    assert summary['concise']['edits'][0].endswith(
        "loss = nn.MSELoss(reduction='sum')  (--reduction sum)")
    assert summary['scratch']['edits'] == []


def test_the_plot_shows_the_chapters_scatter_with_the_lines_learned(
        monkeypatch, tmp_path, capsys):
    """The first panel is the scatter cell's figure, `features[:, 1]`
    against `labels`, with each trainer's line as its JSON reports it."""
    from bench import plots
    drawn = {}

    def keep(prog, fig, path):
        drawn['fig'] = fig
        return 0
    monkeypatch.setattr(plots, 'save', keep)
    code, summary, _ = compare_json(capsys, '--plot', str(tmp_path / 'q.png'),
                                    '--num-examples', '200', *FAST)
    assert code == 0
    data = drawn['fig'].axes[0]
    points = data.collections[0].get_offsets()
    assert len(points) == 200
    for line in data.get_lines():
        name = line.get_label().split(':')[0]
        w, b = ((summary[name]['w'], summary[name]['b'][0])
                if name in summary else ([2, -3.4], 4.2))
        x, y = line.get_data()
        slope = (y[1] - y[0]) / (x[1] - x[0])
        assert slope == pytest.approx(w[1], rel=1e-4)
        assert f'b {b:.4f}' in line.get_label()
    assert {line.get_label().split(':')[0] for line in data.get_lines()} \
        == {'true', 'scratch', 'concise'}
    # The second panel: both losses on one yardstick, the MSE at each
    # epoch's end (0: the start), on a log axis, above the lstsq line
    curves = drawn['fig'].axes[1]
    assert curves.get_yscale() == 'log'
    drawn_curves = {line.get_label(): list(line.get_ydata())
                    for line in curves.get_lines()}
    for name in ('scratch', 'concise'):
        run = summary[name]
        assert drawn_curves[name] == [run['initial_mse'],
                                      *run['mse_per_epoch']]
    lstsq = drawn_curves['lstsq: the lowest MSE on these data']
    assert lstsq[0] == summary['lstsq']['mse']
