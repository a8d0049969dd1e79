"""Linear regression from scratch: d2l zh 3.2, en "Linear Regression
Implementation from Scratch".

    python linreg_scratch.py                # the book's defaults
    python linreg_scratch.py --json         # ... and one JSON line at the end

Compare with linreg_concise.py: `diff linreg_scratch.py linreg_concise.py`
shows what the framework replaces.
"""
import argparse
import hashlib
import json
import math
import random
import sys

import torch

from timer import Timer, synchronizer

PROG = 'linreg_scratch.py'


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
                        help='squared: (y_hat - y)^2 / 2, the book\'s; '
                             'huber: squared up to 1, then linear; '
                             'abs: |y_hat - y|')
    parser.add_argument('--device', choices=['cpu', 'cuda', 'mps', 'auto'],
                        default='cpu',
                        help='where to train; auto: an available '
                             'accelerator, else cpu')
    parser.add_argument('--print-grad', action='store_true',
                        help='print `w.grad` and `b.grad`: the gradient of '
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


def synthetic_data(w, b, num_examples):
    """Generate y = Xw + b + noise."""
    X = torch.normal(0, 1, (num_examples, len(w)))
    y = torch.matmul(X, w) + b
    y += torch.normal(0, 0.01, y.shape)
    return X, y.reshape((-1, 1))


def data_iter(batch_size, features, labels):
    """Yield shuffled minibatches; the last one may be short."""
    num_examples = len(features)
    indices = list(range(num_examples))
    # The examples are read at random, in no particular order
    random.shuffle(indices)
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(
            indices[i: min(i + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]


def linreg(X, w, b):
    """The linear regression model."""
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    """Squared loss, with the 1/2 that makes its gradient `y_hat - y`."""
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def huber_loss(y_hat, y, delta=1.0):
    """Huber loss: `squared_loss` up to `delta`, then linear."""
    error = (y_hat - y.reshape(y_hat.shape)).abs()
    return torch.where(error <= delta, error ** 2 / 2,
                       delta * (error - delta / 2))


def abs_loss(y_hat, y):
    """Absolute loss, whose gradient is only the sign of the error."""
    return (y_hat - y.reshape(y_hat.shape)).abs()


LOSSES = {'squared': squared_loss, 'huber': huber_loss, 'abs': abs_loss}


def sgd(params, lr, batch_size):
    """Minibatch stochastic gradient descent."""
    with torch.no_grad():
        for param in params:
            # `l.sum()` was backpropagated, so divide by the batch size to
            # step along the mean gradient; the minus sign goes downhill.
            param -= lr * param.grad / batch_size
            param.grad.zero_()


def mse(y_hat, y):
    """Mean squared error without the 1/2: one yardstick for both scripts."""
    return float(((y_hat - y.reshape(y_hat.shape)) ** 2).mean())


def train(net, loss, w, b, lr, batch_size, features, labels, num_epochs,
          timer, data_iter=data_iter, log=print):
    """Train `net` with `loss` and `sgd`; return per-epoch losses and MSEs."""
    losses, mses = [], []
    for epoch in range(num_epochs):
        timer.start()
        for X, y in data_iter(batch_size, features, labels):
            l = loss(net(X, w, b), y)  # Minibatch loss in `X` and `y`
            # `l` has shape (`batch_size`, 1), but `backward` needs a scalar:
            # the sum's gradient is the sum of the per-example gradients.
            l.sum().backward()
            sgd([w, b], lr, batch_size)  # Update parameters by their gradient
        timer.stop()
        with torch.no_grad():
            train_l = loss(net(features, w, b), labels)
            losses.append(float(train_l.mean()))
            mses.append(mse(net(features, w, b), labels))
        if not math.isfinite(losses[-1]):
            raise FloatingPointError(
                f'training diverged at epoch {epoch + 1} (loss '
                f'{losses[-1]}); try a smaller --lr than {lr}')
        log(f'epoch {epoch + 1}, loss {float(train_l.mean()):f}')
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
    features, labels = synthetic_data(true_w, true_b, args.num_examples)
    data_sha256 = fingerprint(features, labels)
    features, labels = features.to(args.device), labels.to(args.device)

    if args.init == 'zeros':
        w = torch.zeros(size=(2, 1))
    else:
        w = torch.normal(0, args.init_std, size=(2, 1))
    w = w.to(args.device).requires_grad_()
    b = torch.zeros(1, device=args.device, requires_grad=True)
    net, loss = linreg, LOSSES[args.loss]

    timer = Timer(sync=synchronizer(args.device))
    losses, mses = train(net, loss, w, b, args.lr, args.batch_size,
                         features, labels, args.num_epochs, timer, log=log)
    grads = {}
    if args.print_grad:
        # `sgd` zeroed the grads after its last step; fill them again
        loss(net(features, w, b), labels).mean().backward()
        grads = {'w_grad': w.grad.reshape(-1).tolist(),
                 'b_grad': b.grad.reshape(-1).tolist()}
        log(f'w.grad: {w.grad.reshape(-1)}, b.grad: {b.grad}')
    w, b = w.detach().cpu(), b.detach().cpu()
    log(f'error in estimating w: {true_w - w.reshape(true_w.shape)}')
    log(f'error in estimating b: {true_b - b}')
    return {
        'impl': 'scratch',
        'config': {k: v for k, v in vars(args).items() if k != 'json'},
        'loss_name': loss.__name__,
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
