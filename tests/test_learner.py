"""The learner's loop: an edit of any line the book shows, made in a copy
of the script, changes the run, and every report (the settings line, the
JSON, the messages) says what ran, never what the flags said."""
import json
from pathlib import Path

import pytest

from bench import lab
from helpers import program, results


def edited(tmp_path, name, old, new):
    """A learner's copy of linreg_{name}.py with one line changed."""
    text = Path(lab.script_file(name)).read_text(encoding='utf-8')
    assert text.count(old) == 1, old
    path = tmp_path / f'my_{name}.py'
    path.write_text(text.replace(old, new), encoding='utf-8')
    return path


def run_copy(capsys, name, path, *argv):
    """Run the copy as a program with --json, one epoch unless the file
    says otherwise: (status, JSON, out, err)."""
    status = program(name, '--num-epochs', '1', *argv, '--json', path=path)
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    return status, json.loads(lines[-1]), lines, captured.err


def settings_line(lines, path):
    ran = [line for line in lines if line.startswith(f'# {path.name} ran: ')]
    assert len(ran) == 1, lines
    return dict(item.split('=', 1) for item in ran[0].split(': ', 1)[1]
                .split())


@pytest.fixture(scope='module')
def book():
    return {name: results(name) for name in ('scratch', 'concise')}


LOSSES = [('nn.L1Loss()', "L1Loss(reduction='mean')"),
          ('nn.HuberLoss()', "HuberLoss(reduction='mean', delta=1.0)"),
          ("nn.MSELoss(reduction='sum')", "MSELoss(reduction='sum')")]


@pytest.mark.parametrize('line,name', LOSSES, ids=[n for n, _ in LOSSES])
def test_the_concise_loss_as_edited_is_the_loss_that_runs(
        capsys, tmp_path, book, line, name):
    path = edited(tmp_path, 'concise', 'lab.exercise_loss(nn.MSELoss())',
                  f'lab.exercise_loss({line})')
    status, result, lines, _ = run_copy(capsys, 'concise', path)
    assert status == 0
    assert result['loss_name'] == name
    assert settings_line(lines, path)['loss'] == name.replace(' ', '')
    assert result['loss_per_epoch'] != book['concise']['loss_per_epoch']
    if 'sum' in line:  # the printed loss is the sum over the examples
        assert result['config']['reduction'] == 'sum'
        assert result['loss_per_epoch'][-1] == pytest.approx(
            1000 * result['mse'], rel=1e-3)


def test_another_optimiser_and_its_lr_are_reported(capsys, tmp_path, book):
    path = edited(tmp_path, 'concise',
                  'torch.optim.SGD(net.parameters(), lr=args.lr)',
                  'torch.optim.Adam(net.parameters(), lr=0.1)')
    status, result, lines, _ = run_copy(capsys, 'concise', path)
    assert status == 0
    assert result['optimizer'] == 'Adam' and result['config']['lr'] == 0.1
    shown = settings_line(lines, path)
    assert shown['optimizer'] == 'Adam' and shown['lr'] == '0.1'
    assert result['w'] != book['concise']['w']


def test_an_edited_lr_is_the_lr_reported_and_advised(capsys, tmp_path):
    """`lr = 3` diverges: the message names 3 and the file, not --lr 0.03;
    a flag the file no longer reads changes nothing."""
    path = edited(tmp_path, 'scratch', 'lr = args.lr', 'lr = 3')
    status, result, lines, err = run_copy(capsys, 'scratch', path,
                                          '--lr', '0.01')
    assert status == 1
    assert err.strip() == (
        'my_scratch.py: error: training diverged at epoch 1 (loss inf); '
        'try a smaller learning rate (set in the file) than 3')
    assert result['config']['lr'] == 3
    assert result['diverged_at_epoch'] == 1 and result['mse'] is None


@pytest.mark.parametrize('name,old,new,key,value', [
    ('scratch', 'batch_size = args.batch_size', 'batch_size = 100',
     'batch_size', 100),
    ('concise', 'batch_size = args.batch_size', 'batch_size = 100',
     'batch_size', 100),
    ('scratch', 'num_epochs = args.num_epochs', 'num_epochs = 5',
     'num_epochs', 5),
    ('concise', 'num_epochs = args.num_epochs', 'num_epochs = 5',
     'num_epochs', 5)])
def test_edited_numbers_are_the_numbers_that_ran(
        capsys, tmp_path, book, name, old, new, key, value):
    path = edited(tmp_path, name, old, new)
    status, result, lines, _ = run_copy(capsys, name, path)
    assert status == 0
    assert result['config'][key] == value
    assert settings_line(lines, path)[key] == str(value)
    if key == 'num_epochs':
        assert len(result['loss_per_epoch']) == 5
        assert lines[-2].endswith('sec training, 5 epochs (imports and '
                                  'data generation excluded)')
    else:
        assert result['loss_per_epoch'] != book[name]['loss_per_epoch']
        preview = lines[:lines.index(next(
            line for line in lines if line.startswith('epoch 1')))]
        assert sum(line.count('],') for line in preview) >= 99 * 2


@pytest.mark.parametrize('name,old,new,initial', [
    ('scratch', 'w = torch.normal(0, args.init_std, size=(2, 1), '
     'requires_grad=True)', 'w = torch.zeros((2, 1), requires_grad=True)',
     [0, 0, 0]),
    ('concise', 'net[0].weight.data.normal_(0, args.init_std)',
     'net[0].weight.data.fill_(1)', [1, 1, 0])])
def test_an_edited_init_is_the_init_reported(capsys, tmp_path, name, old,
                                             new, initial):
    path = edited(tmp_path, name, old, new)
    status, result, lines, _ = run_copy(capsys, name, path)
    assert status == 0
    assert result['initial'] == initial
    assert settings_line(lines, path)['initial'] == str(initial).replace(
        ' ', '')


def test_squared_loss_without_its_half_changes_the_loss(capsys, tmp_path,
                                                        book):
    path = edited(tmp_path, 'scratch',
                  'return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2',
                  'return (y_hat - y.reshape(y_hat.shape)) ** 2')
    status, result, _, _ = run_copy(capsys, 'scratch', path)
    assert status == 0
    # Without the 1/2 the loss is the MSE, not half of it
    assert result['loss_per_epoch'][-1] == pytest.approx(result['mse'],
                                                         rel=1e-5)
    assert book['scratch']['loss_per_epoch'][-1] == pytest.approx(
        book['scratch']['mse'] / 2, rel=1e-5)


def test_sgd_without_the_batch_size_changes_the_steps(capsys, tmp_path,
                                                      book):
    path = edited(tmp_path, 'scratch',
                  'param -= lr * param.grad / batch_size',
                  'param -= lr * param.grad')
    status, result, lines, _ = run_copy(capsys, 'scratch', path)
    assert status == 0
    # Ten times the step: far past the book's epoch-1 loss
    assert result['loss_per_epoch'][0] < book['scratch']['loss_per_epoch'][
        0] / 10
    assert settings_line(lines, path)['lr'] == '0.03'
