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

from timer import Timer, synchronizer

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
        prog=PROG, description=' '.join(__doc__.split('\n\n')[0].split()),
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
    parser.add_argument('--init', choices=['normal', 'zeros'],
                        default='normal',
                        help='`w` from N(0, init_std^2), or all zeros (zh '
                             '3.2 ex. 1: fine here, the loss is convex)')
    parser.add_argument('--init-std', type=positive_float, default=0.01,
                        help='std of the normal init (en ex.: variance '
                             '1000 is --init-std 31.6)')
    parser.add_argument('--loss', choices=list(LOSSES), default='squared',
                        help='squared: `nn.MSELoss`, the book\'s; huber: '
                             '`nn.HuberLoss`; abs: `nn.L1Loss`')
    parser.add_argument('--reduction', choices=['mean', 'sum'],
                        default='mean',
                        help='how the loss folds a minibatch (zh 3.3 ex. 1): '
                             'sum makes the loss and its gradient '
                             'batch_size times the mean\'s, so divide --lr '
                             'by --batch-size to take the same steps '
                             '(--reduction sum --lr 0.003 at batch 10)')
    parser.add_argument('--loader', choices=['book', 'batched'],
                        default='book',
                        help='book: `DataLoader(dataset, batch_size, '
                             'shuffle=True)`, which fetches and collates one '
                             'example at a time; batched: one indexing '
                             'operation a minibatch')
    parser.add_argument('--device', choices=['cpu', 'cuda', 'mps', 'auto'],
                        default='cpu',
                        help='where to train; auto: an available '
                             'accelerator, else cpu')
    parser.add_argument('--print-grad', action='store_true',
                        help='print `net[0].weight.grad` and `.bias.grad`: '
                             'the gradient of '
                             'the full-data loss at the learned parameters '
                             '(zh 3.3 ex. 3)')
    parser.add_argument('--json', action='store_true',
                        help='end with one line of JSON holding the results')
    args = parser.parse_args(argv)
    if args.init == 'zeros' and args.init_std != 0.01:
        parser.error('argument --init-std: applies to --init normal only')
    args.device = resolve_device(args.device, parser)
    return args


def resolve_device(name, parser):
    """Map --device to an available device, or stop with argparse's error."""
    available = {'cpu': True, 'cuda': torch.cuda.is_available(),
                 'mps': torch.backends.mps.is_available()}
    if name == 'auto':
        name = next(n for n in ('cuda', 'mps', 'cpu') if available[n])
    if not available[name]:
        parser.error(f'argument --device: no {name} device is available '
                     f'to this torch {torch.__version__}')
    return name


def load_array(data_arrays, batch_size, is_train=True, loader='book'):
    """Construct a PyTorch data iterator."""
    dataset = data.TensorDataset(*data_arrays)
    if loader == 'batched':
        # The sampler hands out whole index batches and `batch_size=None`
        # turns off the per-example fetch and collate: one `dataset[indices]`
        sampler = BatchIndices(len(dataset), batch_size, shuffle=is_train)
        return data.DataLoader(dataset, sampler=sampler, batch_size=None)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)


class BatchIndices(data.Sampler):
    """Yield a tensor of indices per minibatch: a shuffled `BatchSampler`."""

    def __init__(self, num_examples, batch_size, shuffle=True):
        self.num_examples = num_examples
        self.batch_size = batch_size
        self.shuffle = shuffle

    def __len__(self):
        return math.ceil(self.num_examples / self.batch_size)

    def __iter__(self):
        if self.shuffle:
            indices = torch.randperm(self.num_examples)
        else:
            indices = torch.arange(self.num_examples)
        return iter(indices.split(self.batch_size))  # the last may be short


LOSSES = {'squared': nn.MSELoss, 'huber': nn.HuberLoss, 'abs': nn.L1Loss}


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
    digest = hashlib.sha256(features.numpy())  # no copy of the data
    digest.update(labels.numpy())
    return digest.hexdigest()


def run(args, log=print):
    """Draw the data, fit it as the chapter does, and return the results."""
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    true_w = torch.tensor([2, -3.4])
    true_b = 4.2
    # The data are drawn before the model, so both scripts see the same data,
    # and on the CPU, so that they are the same bits on every device
    features, labels = d2l.synthetic_data(true_w, true_b, args.num_examples)
    data_sha256 = fingerprint(features, labels)
    features, labels = features.to(args.device), labels.to(args.device)
    data_iter = load_array((features, labels), args.batch_size,
                           loader=args.loader)

    net = nn.Sequential(nn.Linear(2, 1))
    if args.init == 'zeros':
        net[0].weight.data.fill_(0)
    else:
        net[0].weight.data.normal_(0, args.init_std)
    net[0].bias.data.fill_(0)
    net.to(args.device)
    loss = LOSSES[args.loss](reduction=args.reduction)
    trainer = torch.optim.SGD(net.parameters(), lr=args.lr)

    timer = Timer(sync=synchronizer(args.device))
    losses, mses = train(net, loss, trainer, features, labels,
                         args.num_epochs, timer, data_iter, log=log)
    grads = {}
    if args.print_grad:
        # `.grad` holds the last minibatch's gradient; take the full data's
        trainer.zero_grad()
        loss(net(features), labels).backward()
        weight, bias = net[0].weight.grad, net[0].bias.grad
        grads = {'w_grad': weight.reshape(-1).tolist(),
                 'b_grad': bias.reshape(-1).tolist()}
        log(f'net[0].weight.grad: {weight.reshape(-1)}, '
            f'net[0].bias.grad: {bias}')
    w = net[0].weight.data.cpu()
    log(f'error in estimating w: {true_w - w.reshape(true_w.shape)}')
    b = net[0].bias.data.cpu()
    log(f'error in estimating b: {true_b - b}')
    return {
        'impl': 'concise',
        'config': {k: v for k, v in vars(args).items() if k != 'json'},
        'loss_name': f'{type(loss).__name__}(reduction={args.reduction!r})',
        'loss_per_epoch': losses,
        'mse_per_epoch': mses,
        'mse': mses[-1],
        'w': w.reshape(-1).tolist(),
        'b': b.reshape(-1).tolist(),
        'w_error': (true_w - w.reshape(true_w.shape)).tolist(),
        'b_error': (true_b - b).reshape(-1).tolist(),
        'train_seconds': timer.sum(),
        'epoch_seconds': timer.times,
        'data_sha256': data_sha256,
        **grads,
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
