"""The report says what ran, or says nothing: the five edits a learner
makes that the bench cannot follow come out true or silent; every time is
the script's own Timer's; a run that diverges shows its epochs as the book
does, then one line."""
import json
import sys

import pytest
import torch

import compare
import timer
from bench import runner
from helpers import program
from test_chapter import KERNEL_ARGV, run_cells, script_source


def edited(tmp_path, name, old, new):
    """A copy of linreg_{name}.py with one edit, beside the bench."""
    source = script_source(name)
    assert old in source
    path = tmp_path / f'linreg_{name}.py'
    path.write_text(source.replace(old, new), encoding='utf-8')
    return path


def ran(capsys, name, path, *argv):
    assert program(name, '--num-epochs', '1', *argv, path=path) == 0
    return capsys.readouterr().out.splitlines()[-1]


def test_a_renamed_lr_is_not_reported_as_the_flag(capsys, tmp_path):
    path = edited(tmp_path, 'scratch', 'lr = args.lr\n',
                  'learning_rate = 0.1\n')
    path.write_text(path.read_text().replace(
        'sgd([w, b], lr,', 'sgd([w, b], learning_rate,'))
    line = ran(capsys, 'scratch', path)
    assert 'lr' not in line and '0.03' not in line
    assert line.startswith('# linreg_scratch.py ran: 1000 examples, 1 '
                           'epochs of 100 steps')


def test_an_lr_passed_straight_to_sgd_is_not_reported(capsys, tmp_path):
    path = edited(tmp_path, 'scratch', 'sgd([w, b], lr, batch_size)',
                  'sgd([w, b], 0.1, batch_size)')
    assert 'lr' not in ran(capsys, 'scratch', path)


def test_a_renamed_trainer_is_reported_as_it_ran(capsys, tmp_path):
    source = script_source('concise').replace('trainer', 'optimizer')
    path = tmp_path / 'linreg_concise.py'
    path.write_text(source.replace('lr=args.lr', 'lr=0.1'), encoding='utf-8')
    line = ran(capsys, 'concise', path)
    assert 'optimizer SGD(lr=0.1)' in line and '0.03' not in line


def test_an_inline_loss_is_reported_as_it_ran(capsys, tmp_path):
    path = edited(tmp_path, 'concise', 'l = loss(net(X), y)',
                  'l = nn.L1Loss()(net(X), y)')
    line = ran(capsys, 'concise', path)
    assert "loss L1Loss(reduction='mean')" in line


def test_scratch_cells_after_concise_cells_in_one_kernel(monkeypatch,
                                                         capsys):
    """The concise `trainer` left in the namespace is not the scratch
    run's optimizer; the scratch lr, edited to 0.1, is not reported."""
    monkeypatch.setattr(sys, 'argv', KERNEL_ARGV)
    namespace = {'__name__': '__main__'}
    for name in ('concise', 'scratch'):
        source = script_source(name)
        if name == 'scratch':
            source = source.replace('lr = args.lr', 'lr = 0.1')
        shown = run_cells([source], namespace, name)
    line = shown[0][1].splitlines()[-1]
    assert line.startswith('# linreg_scratch.py ran:')
    assert 'optimizer' not in line and 'lr' not in line


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_every_time_is_the_scripts_timer(monkeypatch, capsys, name):
    """Timer.stop adds a known 7 s: the script's line, its JSON and
    compare.sh's rows all carry it."""
    stop = timer.Timer.stop

    def slow_stop(self):
        self.tik -= 7.0
        return stop(self)
    monkeypatch.setattr(timer.Timer, 'stop', slow_stop)
    assert program(name, '--num-epochs', '2', '--json') == 0
    lines = capsys.readouterr().out.splitlines()
    seconds = float(lines[-3].split()[0])
    assert 14 < seconds < 15 and lines[-3].endswith(
        'sec training, 2 epochs (imports and data generation excluded)')
    assert 14 < json.loads(lines[-1])['train_seconds'] < 15
    assert compare.main(['--num-examples', '50', '--repeats', '1']) == 0
    rows = capsys.readouterr().out
    assert 'first run, 3 epochs' in rows
    first = rows.split('first run, 3 epochs')[1].split()
    assert all(21000 < float(v) < 22000 for v in (first[0], first[2]))
    median = rows.split('per epoch, median (range)')[1].split()
    assert all(7000 < float(v) < 7500 for v in (median[0], median[3]))


@pytest.mark.parametrize('name,lr', [('scratch', '3'), ('concise', '1')])
def test_divergence_shows_every_epoch_then_one_line(capsys, name, lr):
    assert program(name, '--lr', lr) == 1
    out, err = capsys.readouterr()
    epochs = [line for line in out.splitlines() if line.startswith('epoch')]
    assert len(epochs) == 3 and 'error in estimating b:' in out
    assert 'epoch 1' in err and 'try a smaller learning rate' in err
    assert len(err.strip().splitlines()) == 1 and 'Traceback' not in err


def test_an_outlier_that_overflows_is_blamed_on_the_outlier(capsys):
    assert program('scratch', '--outlier', '1e20', '--init', 'zeros') == 1
    err = capsys.readouterr().err
    assert '--outlier' in err and 'init' not in err


def test_the_record_counts_the_steps_each_epoch_took():
    rec = runner.run('scratch', argv=['--num-examples', '95',
                                      '--batch-size', '10'])
    assert rec.steps == [10, 10, 10] and len(rec.timer.times) == 3


def test_the_json_is_strict_after_a_divergence(capsys):
    assert program('concise', '--lr', '3', '--json') == 1
    result = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert result['diverged_at_epoch'] == 1 and None in result['w']


@pytest.mark.background
def test_run_in_ipython_has_no_traceback():
    from commands import finished
    code, out, err = finished('%run')
    assert 'Traceback' not in out + err
    assert 'diverged' in out + err and 'epoch 3, loss' in out


def test_one_seed_draws_the_same_data_for_both():
    a = runner.run('scratch', argv=['--num-examples', '30'])
    b = runner.run('concise', argv=['--num-examples', '30'])
    assert a.data_sha256 == b.data_sha256
    torch.testing.assert_close(a.features, b.features)
