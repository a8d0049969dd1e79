"""The chapters' exercises as options: each changes what it should."""
import pytest
import torch
from torch import nn

import compare
from helpers import chapter, results, run

scratch = chapter('scratch')


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_huber_edit_is_the_loss_the_exercise_writes(name):
    """zh 3.3 ex. 2: (y_hat - y)^2 / (2 sigma) up to sigma, then |y_hat -
    y| - sigma / 2, sigma 1, written out here, against the edited line."""
    sigma = 1.0
    loss = run(name, '--loss', 'huber', '--num-examples', '20',
               '--num-epochs', '1').watch.ns['loss']
    torch.manual_seed(0)
    y_hat, y = 3 * torch.randn(50, 1), torch.randn(50)  # both sides of sigma
    error = (y_hat - y.reshape(-1, 1)).abs()
    book = torch.where(error > sigma, error - sigma / 2,
                       error ** 2 / (2 * sigma))
    ours = loss(y_hat, y.reshape(-1, 1))
    torch.testing.assert_close(ours, book if name == 'scratch' else
                               book.mean())


def test_abs_edit_is_the_absolute_error():
    loss = run('scratch', '--loss', 'abs', '--num-examples', '20',
               '--num-epochs', '1').watch.ns['loss']
    y_hat, y = torch.tensor([[1.0], [-2.0]]), torch.tensor([3.0, -1.0])
    assert loss(y_hat, y).reshape(-1).tolist() == [2.0, 1.0]


@pytest.mark.parametrize('name', ['scratch', 'concise'])
@pytest.mark.parametrize('loss', ['huber', 'abs'])
def test_other_losses_train_and_say_which(name, loss):
    result = results(name, '--loss', loss)
    book = results(name)
    assert result['edits'][0].endswith(f'(--loss {loss})')
    assert result['loss'] == loss
    assert result['loss_per_epoch'] != book['loss_per_epoch']
    assert result['loss_per_epoch'] != book['loss_per_epoch']
    assert max(abs(e) for e in result['w_error']) < 0.05
    if loss == 'huber':  # its gradient is capped at 1 far from the line
        assert result['mse'] > 10 * book['mse']  # not there in 3 epochs
        assert results(name, '--loss', loss, '--num-epochs', '5')[
            'mse'] < 1.2 * book['mse']  # there in 5
    else:  # sign-only steps of a fixed size hover above the floor
        assert book['mse'] < result['mse'] < 10 * book['mse']


def test_huber_takes_the_same_steps_in_both_scripts():
    """Below sigma Huber keeps the 1/2 in both scripts, so unlike the
    squared loss the two step alike: their losses agree epoch by epoch."""
    s = results('scratch', '--loss', 'huber', '--num-epochs', '5')
    concise = run('concise', '--loss', 'huber', '--num-epochs', '5')
    loss = concise.watch.ns['loss']
    assert isinstance(loss, torch.nn.SmoothL1Loss) and loss.beta == 1.0
    c = concise.results()
    for ours, theirs in zip(s['loss_per_epoch'], c['loss_per_epoch']):
        assert ours == pytest.approx(theirs, rel=0.25)
    # ... where the squared loss parts them by two orders of magnitude
    s, c = results('scratch'), results('concise')
    assert s['loss_per_epoch'][0] > 100 * c['loss_per_epoch'][0]


def test_squared_loss_needs_its_reshape():
    """zh 3.2 ex. 5: without `reshape`, (10, 1) - (10,) broadcasts to
    (10, 10), and the loss is silently wrong."""
    torch.manual_seed(0)
    y_hat, y = torch.randn(10, 1), torch.randn(10)
    right = scratch.squared_loss(y_hat, y)
    wrong = (y_hat - y) ** 2 / 2
    assert right.shape == (10, 1)
    assert wrong.shape == (10, 10)
    assert not torch.allclose(wrong.mean(), right.mean())
    torch.testing.assert_close(right.mean(), nn.MSELoss()(
        y_hat, y.reshape(-1, 1)) / 2)


def test_sum_reduction_with_lr_over_batch_size_reproduces_the_mean_run():
    mean = results('concise', '--lr', '0.03', '--batch-size', '10')
    total = results('concise', '--reduction', 'sum', '--lr', '0.003',
                    '--batch-size', '10')
    assert total['w'] == pytest.approx(mean['w'], abs=1e-5)
    assert total['b'] == pytest.approx(mean['b'], abs=1e-5)
    assert total['mse'] == pytest.approx(mean['mse'], rel=1e-3)
    # The printed loss is now the sum over all 1000 examples
    assert total['loss_per_epoch'][-1] == pytest.approx(
        1000 * mean['loss_per_epoch'][-1], rel=1e-3)
    # The wrong direction, multiplying the lr by the batch size, diverges
    wrong = results('concise', '--reduction', 'sum', '--lr', '0.3')
    assert wrong['diverged_at_epoch'] == 1


def test_sum_reduction_help_says_which_way_to_scale(capsys):
    with pytest.raises(SystemExit):
        compare.parse_args(['--help'])
    help_text = ' '.join(capsys.readouterr().out.split())
    assert 'sum needs the lr divided by the batch size' in help_text


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_zero_init_starts_at_zero_and_still_recovers_w_and_b(name):
    """zh 3.2 ex. 1: `--init-std 0` draws every weight as 0."""
    result = run(name, '--init-std', '0')
    assert not result.watch.initial.any()
    assert max(abs(e) for e in result.w_error + result.b_error) < 0.01


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_a_wide_init_starts_far_and_still_recovers(name):
    """en 3.2 ex.: variance 1000 is --init-std 31.6."""
    wide, book = run(name, '--init-std', '31.6'), run(name)
    assert max(map(abs, wide.initial[:2])) > 1 > 0.1 > max(
        map(abs, book.initial))
    assert wide.mse < 2e-4
