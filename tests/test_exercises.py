"""The chapters' exercises as a learner does them: a copy of the script
with a line changed, run and read by the runners, which name the loss that
ran and measure the steps it took."""
import pytest
import torch
from torch import nn

from helpers import chapter, edited, run, runs, script_file

scratch = chapter('scratch')
SCRATCH_LOSS = 'loss = squared_loss'
CONCISE_LOSS = 'loss = nn.MSELoss()'
HUBER = ("loss = lambda y_hat, y: torch.nn.functional.smooth_l1_loss("
         "y_hat, y.reshape(y_hat.shape), reduction='none')")
ABS = 'loss = lambda y_hat, y: (y_hat - y.reshape(y_hat.shape)).abs()'
COPIES = {  # (the script, its edit, its flags)
    'huber scratch': ('scratch', (SCRATCH_LOSS, HUBER), []),
    'huber concise': ('concise', (CONCISE_LOSS, 'loss = nn.SmoothL1Loss()'),
                      []),
    'abs scratch': ('scratch', (SCRATCH_LOSS, ABS), []),
    'abs concise': ('concise', (CONCISE_LOSS, 'loss = nn.L1Loss()'), []),
    # zh 3.3 ex. 1: the sum of the minibatch's losses, at lr / batch size
    'sum': ('concise', (CONCISE_LOSS, "loss = nn.MSELoss(reduction='sum')"),
            ['--lr', '0.003']),
    'sum at lr': ('concise', (CONCISE_LOSS,
                              "loss = nn.MSELoss(reduction='sum')"), []),
}


@pytest.fixture(scope='module')
def copies(tmp_path_factory):
    """Each copy's run, all side by side."""
    files = []
    for label, (name, edit, argv) in COPIES.items():
        folder = tmp_path_factory.mktemp(label.replace(' ', '-'))
        files.append((edited(folder, name, edit), argv))
    return dict(zip(COPIES, runs(*files)))


@pytest.mark.check  # each a copy run in full: `make check`
@pytest.mark.parametrize('kind', ['huber', 'abs'])
@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_other_losses_are_read_as_what_ran_and_train(copies, kind, name):
    result = copies[f'{kind} {name}']
    book = run(name)
    assert result.loss == kind
    assert result.loss_per_epoch != book.loss_per_epoch
    assert max(abs(t - w) for t, w in zip(result.true_w, result.w)) < 0.05
    if kind == 'huber':  # its gradient is capped at 1 far from the line
        assert result.mse > 10 * book.mse  # not there in 3 epochs
    else:  # sign-only steps of a fixed size hover above the floor
        assert book.mse < result.mse < 10 * book.mse


@pytest.mark.check  # each a copy run in full: `make check`
def test_huber_takes_the_same_steps_in_both_scripts(copies):
    """Below 1 Huber's loss keeps the 1/2 in both scripts, so unlike the
    squared loss the two step alike: their losses agree epoch by epoch."""
    ours, theirs = copies['huber scratch'], copies['huber concise']
    assert ours.mse_step is theirs.mse_step is None  # no MSE yardstick
    assert ours.lr == pytest.approx(theirs.lr, rel=1e-3)
    for a, b in zip(ours.loss_per_epoch, theirs.loss_per_epoch):
        assert a == pytest.approx(b, rel=0.25)
    s, c = run('scratch'), run('concise')
    assert s.mse_per_epoch[0] > 100 * c.mse_per_epoch[0]


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


@pytest.mark.check  # each a copy run in full: `make check`
def test_the_sum_at_lr_over_the_batch_size_takes_the_means_steps(copies):
    """zh 3.3 ex. 1: the runner reads the sum, measures the mean's lr, and
    does not call --lr 0.003 a contradiction: the optimizer took it."""
    total, mean = copies['sum'], run('concise')
    assert (total.loss, total.reduction) == ('squared', 'sum')
    assert total.lr == pytest.approx(mean.lr, rel=1e-3) == 0.03
    assert total.w == pytest.approx(mean.w, abs=1e-5)
    assert total.mse == pytest.approx(mean.mse, rel=1e-3)
    # At the mean's lr, the sum steps ten times as far
    assert copies['sum at lr'].lr == pytest.approx(0.3, rel=1e-3)


@pytest.fixture(scope='module')
def inits():
    """{(script, --init-std): its run}, all side by side."""
    found = [(name, std) for name in ('scratch', 'concise')
             for std in ('0', '31.6')]
    return dict(zip(found, runs(*[(script_file(name), ['--init-std', std])
                                  for name, std in found])))


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_zero_init_starts_at_zero_and_still_recovers_w_and_b(inits, name):
    """zh 3.2 ex. 1: `--init-std 0` draws every weight as 0."""
    result = inits[name, '0']
    assert result.initial == [0, 0, 0]
    errors = [t - w for t, w in zip(result.true_w, result.w)]
    assert max(map(abs, [*errors, result.true_b - result.b])) < 0.01


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_a_wide_init_starts_far_and_still_recovers(inits, name):
    """en 1.0 3.4 ex. 1: variance 1000 is --init-std 31.6."""
    wide, book = inits[name, '31.6'], run(name)
    assert max(map(abs, wide.initial[:2])) > 1 > 0.1 > max(
        map(abs, book.initial))
    assert wide.mse < 2e-4
