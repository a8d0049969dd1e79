"""d2l's own en 1.0 classes as the oracle: `LinearRegressionScratch` with
`SGD`, and `LinearRegression`, driven by `d2l.Trainer`, take the same steps
as our two trainers' runs, fed the same data, initial parameters and
batches."""
import os
import re
import sys

import pytest
import torch
from d2l import torch as d2l

from commands import ROOT
from helpers import script_file


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


def ours(name, *argv):
    """Our trainer's run, watched as the runners watch it, here: its final
    parameters, its initial ones, and the batches each epoch took."""
    from bench import computation, runner, watch, worker
    script = runner.load(script_file(name), ['--num-epochs', '3', *argv])
    folder, path = os.getcwd(), sys.path[:]
    try:
        seen = worker.execute(script, watch.Watch(script.path), path)
    finally:
        os.chdir(folder)
        sys.path[:] = path
    X, y = seen.data.features, seen.data.labels
    epochs = [[(X[seen.rows[k]], y[seen.rows[k]]) for k in epoch]
              for epoch in computation.passes(seen)]
    start = seen.params[0].float()
    return computation.ends(seen)[-1].float(), start[:2], start[2:], epochs


@pytest.mark.parametrize('batch_size', ['10', '8'])  # both divide 1000
def test_linear_regression_scratch_and_sgd_take_our_scratch_steps(
        batch_size):
    final, w0, b0, epochs = ours('scratch', '--batch-size', batch_size)
    model = d2l.LinearRegressionScratch(2, lr=0.03)
    theirs = d2l_fit(model, w0, b0, epochs)
    # Their loss takes the mean and their `SGD` does not divide; ours sums
    # and divides by the batch size: the same step, up to rounding
    torch.testing.assert_close(theirs, final, rtol=0, atol=1e-6)


def test_linear_regression_takes_our_concise_steps():
    final, w0, b0, epochs = ours('concise')
    model = d2l.LinearRegression(lr=0.03)
    model(epochs[0][0][0])  # `LazyLinear` makes its parameters on first use
    theirs = d2l_fit(model, w0, b0, epochs)
    assert torch.equal(theirs, final)


def test_a_short_last_batch_parts_the_scratch_pair():
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
