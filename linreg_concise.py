"""Concise linear regression: d2l zh 3.3, en "Concise Implementation of
Linear Regression".

    python linreg_concise.py                # the book's defaults
    python linreg_concise.py --json         # ... and one JSON line at the end

Compare with linreg_scratch.py: `diff linreg_scratch.py linreg_concise.py`
shows what the framework replaces.
"""
import argparse
import hashlib
import json
import math
import random
import sys

import torch
from d2l import torch as d2l
from torch import nn
from torch.utils import data

from timer import Timer

PROG = 'linreg_concise.py'


def positive_int(text):
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'{text!r} is not a whole number')
    if value < 1:
        raise argparse.ArgumentTypeError(f'{text} is not at least 1')
    return value


def positive_float(text):
    """An argparse type: a finite number above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'{text!r} is not a number')
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f'{text} is not a finite number > 0')
    return value


def parse_args(argv=None):
    """The book's settings, as flags whose defaults reproduce the chapter."""
    parser = argparse.ArgumentParser(
        prog=PROG, description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('--num-examples', type=positive_int, default=1000,
                        help='examples drawn by `synthetic_data`')
    parser.add_argument('--batch-size', type=positive_int, default=10,
                        help='minibatch size')
    parser.add_argument('--lr', type=positive_float, default=0.03,
                        help='learning rate')
    parser.add_argument('--num-epochs', type=positive_int, default=3,
                        help='passes over the data')
    parser.add_argument('--seed', type=int, default=0,
                        help='seeds `random` and `torch` once, before the '
                             'data are drawn')
    parser.add_argument('--json', action='store_true',
                        help='end with one line of JSON holding the results')
    return parser.parse_args(argv)


def load_array(data_arrays, batch_size, is_train=True):
    """Construct a PyTorch data iterator."""
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)


def mse(y_hat, y):
    """Mean squared error without the 1/2: one yardstick for both scripts."""
    return float(((y_hat - y.reshape(y_hat.shape)) ** 2).mean())


def train(net, loss, trainer, features, labels, num_epochs, timer,
          data_iter, log=print):
    """Train `net` with `loss` and `trainer`; return per-epoch losses."""
    losses, mses = [], []
    for epoch in range(num_epochs):
        timer.start()
        for X, y in data_iter:
            l = loss(net(X), y)  # `MSELoss` already averages: a scalar
            trainer.zero_grad()
            l.backward()
            trainer.step()
        timer.stop()
        with torch.no_grad():
            l = loss(net(features), labels)
            losses.append(float(l))
            mses.append(mse(net(features), labels))
        if not math.isfinite(losses[-1]):
            raise FloatingPointError(
                f'training diverged at epoch {epoch + 1} (loss '
                f'{losses[-1]}); try a smaller --lr than '
                f'{trainer.param_groups[0]["lr"]}')
        log(f'epoch {epoch + 1}, loss {l:f}')
    return losses, mses


def fingerprint(features, labels):
    """SHA-256 of the data's bytes: equal means bit-identical data."""
    digest = hashlib.sha256(features.numpy().tobytes())
    digest.update(labels.numpy().tobytes())
    return digest.hexdigest()


def run(args, log=print):
    """Draw the data, fit it as the chapter does, and return the results."""
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    true_w = torch.tensor([2, -3.4])
    true_b = 4.2
    # The data are drawn before the model, so both scripts see the same data
    features, labels = d2l.synthetic_data(true_w, true_b, args.num_examples)
    data_iter = load_array((features, labels), args.batch_size)

    net = nn.Sequential(nn.Linear(2, 1))
    net[0].weight.data.normal_(0, 0.01)
    net[0].bias.data.fill_(0)
    loss = nn.MSELoss()
    trainer = torch.optim.SGD(net.parameters(), lr=args.lr)

    timer = Timer()
    losses, mses = train(net, loss, trainer, features, labels,
                         args.num_epochs, timer, data_iter, log=log)
    w = net[0].weight.data
    log(f'error in estimating w: {true_w - w.reshape(true_w.shape)}')
    b = net[0].bias.data
    log(f'error in estimating b: {true_b - b}')
    return {
        'impl': 'concise',
        'config': {k: v for k, v in vars(args).items() if k != 'json'},
        'loss_name': 'nn.MSELoss, mean of (y_hat - y)^2',
        'loss_per_epoch': losses,
        'mse_per_epoch': mses,
        'mse': mses[-1],
        'w': w.reshape(-1).tolist(),
        'b': b.reshape(-1).tolist(),
        'w_error': (true_w - w.reshape(true_w.shape)).tolist(),
        'b_error': (true_b - b).reshape(-1).tolist(),
        'train_seconds': timer.sum(),
        'epoch_seconds': timer.times,
        'data_sha256': fingerprint(features, labels),
    }


def main(argv=None):
    args = parse_args(argv)
    print(f'# {PROG}: ' + ' '.join(
        f'{k}={v}' for k, v in vars(args).items() if k != 'json'))
    try:
        result = run(args)
    except FloatingPointError as error:
        print(f'{PROG}: error: {error}', file=sys.stderr)
        return 1
    print(f'{result["train_seconds"]:.3f} sec training, '
          f'{args.num_epochs} epochs (imports and data generation excluded)')
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == '__main__':
    sys.exit(main())
