"""compare.sh end to end, exactly as a user runs it, and the equivalence
of the two trainers when the concise one gets half the learning rate."""
import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import compare
import linreg_scratch as scratch

ROOT = Path(__file__).resolve().parent.parent


def compare_sh(*argv, cwd=ROOT):
    env = dict(os.environ, PYTHON=sys.executable)
    return subprocess.run(['bash', str(ROOT / 'compare.sh'), *argv],
                          capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=300)


def test_compare_sh_side_by_side_json_and_plot(tmp_path):
    plot = tmp_path / 'losses.png'
    run = compare_sh('--num-epochs', '2', '--repeats', '2', '--json',
                     '--plot', str(plot), '--equivalence', cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert 'same data in both: yes' in out
    assert 'sigma^2/2 = 5e-05 and sigma^2 = 1e-04' in out
    for label in ('scratch loss', 'concise MSE', 'w error', 'b error',
                  'train time, 2 epochs', 'per epoch, median (range)',
                  'data loading',
                  'forward+backward+update', 'concise/scratch'):
        assert label in out, label
    summary = json.loads(out.splitlines()[-1])
    assert summary['scratch']['impl'] == 'scratch'
    assert summary['concise']['impl'] == 'concise'
    assert summary['scratch']['config']['num_epochs'] == 2
    pairs = zip(summary['timing']['concise']['epoch_runs'],
                summary['timing']['scratch']['epoch_runs'])
    ratios = sorted(c / s for c, s in pairs)
    assert summary['time_ratio'] == pytest.approx(sum(ratios) / 2)
    for name in ('scratch', 'concise'):
        timing = summary['timing'][name]
        assert len(timing['epoch_runs']) == 2
        assert 0 < timing['data_median'] < timing['epoch_median']
    assert summary['equivalence']['double_lr_gap'] < 1e-5
    assert summary['equivalence']['same_lr_gap'] > 1e-4
    assert plot.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    assert list(tmp_path.iterdir()) == [plot], 'stray temporary files'


def test_compare_sh_names_the_failing_script():
    run = compare_sh('--lr', '1e6')
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith('compare.sh: linreg_scratch.py failed (exit 1)')
    assert 'diverged' in lines[0] and 'smaller --lr' in lines[0]


def test_compare_sh_bad_argument_exits_2_in_one_line():
    run = compare_sh('--batch-size', '0')
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        'compare.sh: linreg_scratch.py failed (exit 2): linreg_scratch.py: '
        'error: argument --batch-size: 0 is not at least 1']


def test_compare_sh_bad_plot_path_writes_nothing(tmp_path):
    target = tmp_path / 'missing' / 'losses.png'
    run = compare_sh('--plot', str(target))
    assert run.returncode == 2
    assert run.stderr.strip().splitlines()[-1].startswith(
        'compare.sh: error: argument --plot')
    assert 'Traceback' not in run.stderr
    assert not target.parent.exists()


def test_compare_sh_help_and_missing_python():
    usage = compare_sh('--help')
    assert usage.returncode == 0
    assert '--plot FILE.png' in usage.stdout and '--json' in usage.stdout
    env = dict(os.environ, PYTHON='/no/such/python')
    missing = subprocess.run(['bash', str(ROOT / 'compare.sh')], env=env,
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 1
    assert "cannot import torch and d2l" in missing.stderr


def test_png_path_rejects_bad_names(tmp_path):
    assert compare.png_path(str(tmp_path / 'a.png')) == str(tmp_path / 'a.png')
    for bad in (str(tmp_path / 'a.jpg'), str(tmp_path / 'no' / 'a.png')):
        with pytest.raises(argparse.ArgumentTypeError):
            compare.png_path(bad)


@pytest.mark.parametrize('batch_size', [10, 1, 1000])
def test_scratch_at_double_lr_takes_the_concise_steps(batch_size):
    args = scratch.parse_args(['--batch-size', str(batch_size),
                               '--num-epochs', '2', '--seed', '3'])
    # `MSELoss` has no 1/2: its gradient is twice the mean `squared_loss`'s
    assert compare.equivalence(args, 2 * args.lr, args.lr) < 1e-5
    # ... so at equal learning rates the two part ways
    assert compare.equivalence(args, args.lr, args.lr) > 1e-4


def test_timing_stops_at_its_budget_with_at_least_three_pairs():
    argvs = compare.split_flags(['--num-examples', '100'])
    timing, ratio = compare.time_both(argvs, repeats=50, budget=0)
    for name in ('scratch', 'concise'):
        assert len(timing[name]['epoch_runs']) == 3
    assert ratio > 0


def test_concise_only_flags_go_to_the_concise_script_alone():
    argvs = compare.split_flags(['--lr', '0.1', '--loader', 'batched',
                                 '--reduction=sum', '--seed', '3'])
    assert argvs['scratch'] == ['--lr', '0.1', '--seed', '3']
    assert argvs['concise'] == ['--lr', '0.1', '--loader', 'batched',
                                '--reduction=sum', '--seed', '3']
