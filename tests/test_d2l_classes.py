"""d2l's own en 1.0 classes as the oracle: `LinearRegressionScratch` with
`SGD`, and `LinearRegression`, driven by `d2l.Trainer`, take the same steps
as our two trainers' runs, fed the same data, initial parameters and
batches."""
import random
import re

import pytest
import torch
from d2l import torch as d2l

from commands import ROOT
from helpers import run


class Batches(d2l.DataModule):
    """A d2l data module that hands out one recorded epoch per pass."""

    def __init__(self, epochs):
        super().__init__()
        self.epochs = epochs
        self.epoch = 0

    def train_dataloader(self):
        return self

    def val_dataloader(self):
        return None

    def __len__(self):
        return len(self.epochs[0])

    def __iter__(self):
        self.epoch += 1
        return iter(self.epochs[self.epoch - 1])


def d2l_fit(model, w0, b0, epochs):
    """Set the initial parameters, fit with `d2l.Trainer`, return them."""
    model.board.display = False  # no figures from a test
    weight, bias = ((model.w, model.b) if hasattr(model, 'w') else
                    (model.net.weight, model.net.bias))
    with torch.no_grad():
        weight.copy_(w0.reshape(weight.shape))
        bias.copy_(b0)
    d2l.Trainer(max_epochs=len(epochs)).fit(model, Batches(epochs))
    return torch.cat([weight.detach().reshape(-1), bias.detach()])


@pytest.fixture
def ours(monkeypatch):
    """Our trainer's run: its final parameters, its initial ones and the
    batches each epoch drew, drawn again from the random states as the
    epoch started."""
    from bench import watch
    states, started = [], watch.Watch.started

    def keep(self, *args):
        states.append((random.getstate(), torch.get_rng_state()))
        started(self, *args)
    monkeypatch.setattr(watch.Watch, 'started', keep)

    def ours(name, *argv):
        result = run(name, '--num-epochs', '3', *argv)
        ns, order = result.watch.ns, []
        for state, torch_state in states:
            random.setstate(state)
            torch.set_rng_state(torch_state)
            batches = ns['data_iter']  # called as the script's loop calls it
            if not hasattr(batches, '__iter__'):
                batches = batches(ns['batch_size'], ns['features'],
                                  ns['labels'])
            order.append(list(batches))
        start = result.watch.initial
        return result.watch.snapshots[-1], start[:2], start[2:], order
    return ours


@pytest.mark.parametrize('batch_size', ['10', '8'])  # both divide 1000
def test_linear_regression_scratch_and_sgd_take_our_scratch_steps(
        ours, batch_size):
    final, w0, b0, epochs = ours('scratch', '--batch-size', batch_size)
    model = d2l.LinearRegressionScratch(2, lr=0.03)
    theirs = d2l_fit(model, w0, b0, epochs)
    # Their loss takes the mean and their `SGD` does not divide; ours sums
    # and divides by the batch size: the same step, up to rounding
    torch.testing.assert_close(theirs, final, rtol=0, atol=1e-6)


def test_linear_regression_takes_our_concise_steps(ours):
    final, w0, b0, epochs = ours('concise')
    model = d2l.LinearRegression(lr=0.03)
    model(epochs[0][0][0])  # `LazyLinear` makes its parameters on first use
    theirs = d2l_fit(model, w0, b0, epochs)
    assert torch.equal(theirs, final)


def test_a_short_last_batch_parts_the_scratch_pair(ours):
    """1000 examples in batches of 32: the last holds 8. The book's `sgd`
    still divides its sum by 32, d2l's `SGD` steps along its mean."""
    final, w0, b0, epochs = ours('scratch', '--batch-size', '32')
    assert len(epochs[0][-1][0]) == 8
    model = d2l.LinearRegressionScratch(2, lr=0.03)
    theirs = d2l_fit(model, w0, b0, epochs)
    assert (theirs - final).abs().max() > 1e-4


def test_the_terminal_snippet_in_docs_en_1_0_prints_its_loss(capsys):
    """docs/en-1.0.md's code, as a reader pastes it: one loss line, and
    none of the `<Figure ...>` lines the board prints in a terminal."""
    text = (ROOT / 'docs' / 'en-1.0.md').read_text(encoding='utf-8')
    snippet = re.search(r'```python\n(.*?)```', text, re.S).group(1)
    exec(compile(snippet, 'docs/en-1.0.md', 'exec'), {})
    out = capsys.readouterr().out
    assert re.fullmatch(r'loss \d\.\d{6}\n', out), out
