"""The hand-written pieces against PyTorch's own, and the data iterators."""
import random

import pytest
import torch
from torch import nn

from helpers import chapter

scratch, concise = chapter('scratch'), chapter('concise')


def test_sgd_step_equals_torch_sgd_on_mean_of_squared_loss():
    torch.manual_seed(1)
    X, y = torch.randn(10, 2), torch.randn(10, 1)
    w = torch.randn(2, 1, requires_grad=True)
    b = torch.randn(1, requires_grad=True)
    w2 = w.detach().clone().requires_grad_()
    b2 = b.detach().clone().requires_grad_()

    scratch.squared_loss(scratch.linreg(X, w, b), y).sum().backward()
    scratch.sgd([w, b], 0.03, len(X))

    trainer = torch.optim.SGD([w2, b2], lr=0.03)
    scratch.squared_loss(scratch.linreg(X, w2, b2), y).mean().backward()
    trainer.step()

    torch.testing.assert_close(w, w2)
    torch.testing.assert_close(b, b2)
    assert not w.grad.any() and not b.grad.any(), 'sgd must zero the grads'


def test_twice_mean_squared_loss_is_mse_loss():
    torch.manual_seed(2)
    y_hat, y = torch.randn(7, 1), torch.randn(7)
    torch.testing.assert_close(
        2 * scratch.squared_loss(y_hat, y).mean(),
        nn.MSELoss()(y_hat, y.reshape(y_hat.shape)))


def test_linreg_matches_nn_linear():
    torch.manual_seed(3)
    layer = nn.Linear(2, 1)
    X = torch.randn(5, 2)
    torch.testing.assert_close(
        scratch.linreg(X, layer.weight.T, layer.bias), layer(X))


def batches_of(name, batch_size, features, labels):
    if name == 'scratch':
        return list(scratch.data_iter(batch_size, features, labels))
    return list(concise.load_array((features, labels), batch_size))


@pytest.mark.parametrize('name', ['scratch', 'concise'])
@pytest.mark.parametrize('num_examples,batch_size', [(23, 7), (20, 5),
                                                      (3, 10), (1, 1)])
def test_data_iter_yields_every_example_once(name, num_examples, batch_size):
    random.seed(0)
    torch.manual_seed(0)
    features = torch.arange(num_examples).float().reshape(-1, 1)
    labels = -torch.arange(num_examples).float()
    batches = batches_of(name, batch_size, features, labels)
    sizes = [len(X) for X, _ in batches]
    expected = [batch_size] * (num_examples // batch_size)
    if num_examples % batch_size:
        expected.append(num_examples % batch_size)  # the short last batch
    assert sizes == expected
    seen = torch.cat([X.reshape(-1) for X, _ in batches])
    assert sorted(seen.long().tolist()) == list(range(num_examples))
    for X, y in batches:  # features and labels stay paired
        torch.testing.assert_close(y.reshape(-1), -X.reshape(-1))


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_data_iter_shuffles_each_epoch(name):
    random.seed(0)
    torch.manual_seed(0)
    features = torch.arange(100).float().reshape(-1, 1)
    labels = torch.zeros(100)
    first = torch.cat([X for X, _ in batches_of(name, 10, features, labels)])
    second = torch.cat([X for X, _ in batches_of(name, 10, features, labels)])
    assert not torch.equal(first, features), 'not shuffled'
    assert not torch.equal(first, second), 'same order every epoch'


def test_both_scripts_draw_identical_data_for_one_seed():
    true_w, true_b = torch.tensor([2, -3.4]), 4.2
    torch.manual_seed(5)
    ours = scratch.synthetic_data(true_w, true_b, 50)
    torch.manual_seed(5)
    books = concise.d2l.synthetic_data(true_w, true_b, 50)
    for a, b in zip(ours, books):
        assert torch.equal(a, b)


def test_step_against_the_gradient_goes_downhill_dividing_blows_up():
    """Why `sgd` steps `param -= lr * grad`, not `lr / grad`: on the
    chapter's own loss, near the minimum."""
    torch.manual_seed(0)
    X = torch.randn(100, 2)
    y = X @ torch.tensor([[2.0], [-3.4]]) + 4.2
    near = torch.tensor([[2.001], [-3.401]])  # close to the minimum

    def loss_and_grad(w):
        w = w.clone().requires_grad_()
        l = scratch.squared_loss(scratch.linreg(X, w, 4.2), y).mean()
        l.backward()
        return l.item(), w.grad
    before, grad = loss_and_grad(near)
    after_times, _ = loss_and_grad(near - 0.03 * grad)
    after_divided, _ = loss_and_grad(near - 0.03 / grad)
    assert after_times < before  # a small step against the gradient
    assert after_divided > 100 * before  # a tiny gradient, a huge step
