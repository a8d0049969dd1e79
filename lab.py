"""The lab bench around the chapter's code: what both scripts share that is
not the chapter itself.

Each script's `run(args, lab)` is the section's code in the book's order. It
hands its data, parameters, loss and epochs to a `Lab`, which moves them to
the device, times the epochs, records the losses, the common MSE and the
parameter path, swaps in the exercises' losses and the fast loader, and
collects the results that `--json`, compare.sh and sweep.py report.

torch is imported inside the functions, not at the top, so that cli.py,
compare.py and sweep.py can check flags before the seconds it takes.
"""
import hashlib
import math
import sys
import time

from timer import Timer, synchronizer


class Failed(Exception):
    """A run that could not finish; the message says why and what to do."""


class Diverged(Failed, FloatingPointError):
    """The loss or the MSE became inf or NaN."""

    def __init__(self, message, epoch):
        super().__init__(message)
        self.epoch = epoch


def resolve_device(name):
    """Map --device to an available device; ValueError if it is not."""
    import torch
    available = {'cpu': True, 'cuda': torch.cuda.is_available(),
                 'mps': torch.backends.mps.is_available()}
    if name == 'auto':
        name = next(n for n in ('cuda', 'mps', 'cpu') if available[n])
    if not available[name]:
        raise ValueError(f'argument --device: no {name} device is '
                         f'available to this torch {torch.__version__}')
    return name


def fingerprint(features, labels):
    """SHA-256 of the data's bytes: equal means bit-identical data."""
    digest = hashlib.sha256(features.cpu().numpy())  # no copy on the CPU
    digest.update(labels.cpu().numpy())
    return digest.hexdigest()


def huber_loss(y_hat, y, sigma=1.0):
    """Huber loss as zh 3.3 ex. 2 writes it: (y_hat - y)^2 / (2 sigma) up to
    sigma, then |y_hat - y| - sigma / 2. That is `nn.SmoothL1Loss(beta=
    sigma)`; `nn.HuberLoss(delta=sigma)` is sigma times it."""
    import torch
    error = (y_hat - y.reshape(y_hat.shape)).abs()
    return torch.where(error > sigma, error - sigma / 2,
                       error ** 2 / (2 * sigma))


def abs_loss(y_hat, y):
    """Absolute loss, whose gradient is only the sign of the error."""
    return (y_hat - y.reshape(y_hat.shape)).abs()


class BatchIndices:
    """A sampler that yields one tensor of indices per minibatch, split from
    one `randperm`: a shuffled `BatchSampler` without the Python lists."""

    def __init__(self, num_examples, batch_size, shuffle=True):
        self.num_examples = num_examples
        self.batch_size = batch_size
        self.shuffle = shuffle

    def __len__(self):
        return math.ceil(self.num_examples / self.batch_size)

    def __iter__(self):
        import torch
        if self.shuffle:
            indices = torch.randperm(self.num_examples)
        else:
            indices = torch.arange(self.num_examples)
        return iter(indices.split(self.batch_size))  # the last may be short


def batched_loader(loader):
    """The same dataset as the book's `DataLoader`, one index per batch:
    `batch_size=None` turns off the per-example fetch and collate."""
    from torch.utils import data
    sampler = BatchIndices(len(loader.dataset), loader.batch_size)
    return data.DataLoader(loader.dataset, sampler=sampler, batch_size=None)


class Progress:
    """A line on stderr, redrawn twice a second, for an epoch that has run
    longer than `after` seconds: the batches done of the epoch's total."""

    def __init__(self, lab, after=10.0):
        self.prefix = f'linreg_{lab.name}.py: epoch {len(lab.losses) + 1}'
        self.total = math.ceil(lab.args.num_examples / lab.args.batch_size)
        self.started = self.drawn = time.perf_counter()
        self.after, self.shown = after, False

    def show(self, step):
        now = time.perf_counter()
        if now - self.started > self.after and now - self.drawn > 0.5:
            done = 30 * step // self.total
            sys.stderr.write(f'\r{self.prefix} [{"#" * done:<30}] '
                             f'{step}/{self.total} batches')
            sys.stderr.flush()
            self.drawn, self.shown = now, True

    def clear(self):
        if self.shown:
            sys.stderr.write('\r\033[K')
            sys.stderr.flush()


class Lab:
    """Records one run of a script's `run(args, lab)`; see the module doc.

    Options for compare.py: `trace` keeps the parameters after every step;
    `keep_batches` keeps the batches each epoch saw; `replay` (a list of
    epochs of batches) and `start` (initial `w`, `b`) make a run see another
    run's batches and initial parameters.
    """

    def __init__(self, name, args, trace=False, keep_batches=False,
                 replay=None, start=None):
        self.name, self.args = name, args
        self.device = args.device
        self.epoch_timer = Timer()  # one total per epoch
        self.segment = Timer(sync=synchronizer(args.device))
        self.losses, self.mses = [], []
        self.path = [] if trace else None
        self.batches = [] if keep_batches else None
        self.replay = iter(replay) if replay is not None else None
        self.start = start
        self.loss_fn = None
        self.fast_loader = None
        self.diverged, self.diverged_at = None, None

    # -- called from the chapter's code, in its order ---------------------

    def data(self, true_w, true_b, features, labels):
        """Take the drawn data; return `true_w` and the data on the device.

        The data are drawn on the CPU, so that one seed gives the same data
        on every device."""
        self.true_w, self.true_b = true_w.clone(), true_b
        if self.args.outlier is not None:
            labels[5] = self.args.outlier
        if self.args.sorted:
            order = labels.reshape(-1).argsort()
            features, labels = features[order], labels[order]
        self.data_sha256 = fingerprint(features, labels)
        self.features = features.to(self.device)
        self.labels = labels.to(self.device)
        return true_w.to(self.device), self.features, self.labels

    def params(self, *params):
        """Take the initial parameters (`w, b`, or `net`) and move them to
        the device; a `start` given to the `Lab` replaces their values."""
        import torch
        if len(params) == 1:  # the concise `net`
            net = params[0].to(self.device)
            self.w, self.b = net[0].weight, net[0].bias
            moved = net
        else:
            self.w, self.b = (p.detach().to(self.device).requires_grad_()
                              for p in params)
            moved = self.w, self.b
        if self.start is not None:
            with torch.no_grad():
                for param, value in zip((self.w, self.b), self.start):
                    param.copy_(value.reshape(param.shape))
        self.initial = self.snapshot()
        if not math.isfinite(self.mse()):
            raise Failed(
                f'the initial weights, from N(0, {self.args.init_std:g}^2), '
                'make the loss overflow float32; use a smaller --init-std')
        if self.path is not None:
            self.path.append(self.initial)
        return moved

    def loss(self, book_loss):
        """The book's loss, or the one --loss (and --reduction) asks for."""
        from torch import nn
        kind = self.args.loss
        sigma = self.args.huber_sigma
        if isinstance(book_loss, nn.Module):  # the concise script
            reduction = self.args.reduction
            chosen = {'squared': lambda: nn.MSELoss(reduction=reduction),
                      'huber': lambda: nn.SmoothL1Loss(reduction=reduction,
                                                       beta=sigma),
                      'abs': lambda: nn.L1Loss(reduction=reduction)}[kind]()
        else:
            def huber(y_hat, y):
                return huber_loss(y_hat, y, sigma)
            huber.__name__ = f'huber_loss(sigma={sigma:g})'
            chosen = {'squared': book_loss, 'huber': huber,
                      'abs': abs_loss}[kind]
        self.loss_fn = chosen
        return chosen

    def source(self, batches):
        """What an epoch reads instead of the chapter's `batches`, if a flag
        says so: a `replay`, the stored order (--no-shuffle), or the same
        dataset one index a batch (--loader batched)."""
        if self.replay is not None:
            return next(self.replay)
        if self.args.no_shuffle:  # the stored order, every epoch
            size = self.args.batch_size
            return zip(self.features.split(size), self.labels.split(size))
        if getattr(self.args, 'loader', 'book') == 'batched':
            if self.fast_loader is None:
                self.fast_loader = batched_loader(batches)
            return self.fast_loader
        return batches

    def epoch(self, batches):
        """Yield one epoch's batches, timing only the pass over them (the
        chapter's loop body runs inside); `source` picks them, and the
        trace and `keep_batches` act here."""
        batches = self.source(batches)
        kept = [] if self.batches is not None else None
        progress = Progress(self) if sys.stderr.isatty() else None
        seconds = 0.0
        self.segment.start()
        for step, batch in enumerate(batches):
            if step and self.path is not None:  # outside the timed region
                seconds += self.segment.stop()
                self.path.append(self.snapshot())
                self.segment.start()
            if kept is not None:
                kept.append(batch)
            if progress is not None:
                progress.show(step)
            yield batch
        seconds += self.segment.stop()
        if progress is not None:
            progress.clear()
        self.epoch_timer.times.append(seconds)
        if self.path is not None:
            self.path.append(self.snapshot())
        if kept is not None:
            self.batches.append(kept)

    def epoch_loss(self, l):
        """Record the epoch's full-data loss and MSE; stop if either blew
        up."""
        epoch = len(self.losses) + 1
        self.losses.append(float(l.detach().mean()))
        self.mses.append(self.mse())
        for what, value in (('loss', self.losses[-1]),
                            ('MSE', self.mses[-1])):
            if not math.isfinite(value):
                raise Diverged(
                    f'training diverged at epoch {epoch} ({what} {value}); '
                    f'try a smaller --lr than {self.args.lr:g}', epoch)

    # -- after the run -----------------------------------------------------

    def snapshot(self):
        """The parameters now, as one tensor (w1, w2, b) on the CPU."""
        import torch
        with torch.no_grad():
            return torch.cat([self.w.reshape(-1), self.b.reshape(-1)]).cpu()

    def mse(self):
        """The full-data mean squared error, without the 1/2: one yardstick
        for both scripts."""
        import torch
        with torch.no_grad():
            error = (self.features @ self.w.reshape(-1, 1) + self.b
                     - self.labels.reshape(-1, 1))
            return float((error ** 2).mean())

    def curves(self, most=1000):
        """Steps, full-data MSE and own loss along the traced path: every
        step, or `most` evenly spaced ones for a long run."""
        import torch
        steps = range(len(self.path))
        if len(self.path) > most:
            steps = sorted({round(i * (len(self.path) - 1) / (most - 1))
                            for i in range(most)})
        mses, own = [], []
        with torch.no_grad():
            for step in steps:
                params = self.path[step].to(self.device)
                y_hat = (self.features @ params[:-1].reshape(-1, 1)
                         + params[-1:])
                error = y_hat - self.labels.reshape(y_hat.shape)
                mses.append(float((error ** 2).mean()))
                own.append(float(self.loss_fn(y_hat, self.labels).mean()))
        return list(steps), mses, own

    def full_gradient(self):
        """`w.grad` and `b.grad` of the full-data loss at the learned
        parameters (zh 3.3 ex. 3); `sgd` zeroed them after its last step,
        and `.grad` of the concise net holds only the last minibatch's."""
        for param in (self.w, self.b):
            param.grad = None
        y_hat = self.features @ self.w.reshape(-1, 1) + self.b
        l = self.loss_fn(y_hat, self.labels)
        l.mean().backward()  # the mean of a scalar is the scalar
        return self.w.grad.reshape(-1), self.b.grad.reshape(-1)

    def loss_name(self):
        if self.name == 'concise':
            return (f'{type(self.loss_fn).__name__}'
                    f'(reduction={self.args.reduction!r})')
        return self.loss_fn.__name__

    def results(self):
        """What --json prints: the settings, the losses, the parameters."""
        params = self.snapshot()
        w, b = params[:-1], params[-1:]
        result = {
            'impl': self.name,
            'config': {k: v for k, v in vars(self.args).items()
                       if k != 'json'},
            'loss_name': self.loss_name(),
            'loss_per_epoch': self.losses,
            'mse_per_epoch': self.mses,
            'mse': self.mses[-1],
            'w': w.tolist(),
            'b': b.tolist(),
            'w_error': (self.true_w - w).tolist(),
            'b_error': (self.true_b - b).tolist(),
            'train_seconds': self.epoch_timer.sum(),
            'epoch_seconds': self.epoch_timer.times,
            'data_sha256': self.data_sha256,
        }
        if self.diverged:
            result['diverged'] = self.diverged
            result['diverged_at_epoch'] = self.diverged_at
        if self.args.print_grad and not self.diverged:
            w_grad, b_grad = self.full_gradient()
            result.update(w_grad=w_grad.tolist(), b_grad=b_grad.tolist())
        return result


def run(name, module, args, allow_divergence=False, **options):
    """Run linreg_{name}.py's chapter code under a `Lab`; return the Lab.

    With `allow_divergence`, a run whose loss blows up is a result, not an
    error: its `diverged` says at which epoch, and its records stop there.
    """
    lab = Lab(name, args, **options)
    try:
        module.run(args, lab)
    except Diverged as error:
        if not allow_divergence:
            raise
        lab.diverged, lab.diverged_at = str(error).split(';')[0], error.epoch
    except RuntimeError as error:  # torch's allocator says it this way
        if 'alloc' not in str(error).lower():
            raise
        raise Failed(f'out of memory on {args.device}; try a smaller '
                     '--num-examples') from None
    return lab


def least_squares(features, labels, true_w, true_b):
    """The closed-form fit on the same data (`torch.linalg.lstsq`, in
    float64): the lowest MSE any line reaches there, and its errors."""
    import torch
    X = torch.cat([features.cpu().double(),
                   torch.ones(len(features), 1, dtype=torch.float64)], 1)
    y = labels.cpu().double().reshape(-1, 1)
    solution = torch.linalg.lstsq(X, y).solution.reshape(-1)
    w, b = solution[:-1], solution[-1:]
    return {'mse': float(((X @ solution - y.reshape(-1)) ** 2).mean()),
            'w': w.tolist(), 'b': b.tolist(),
            'w_error': (true_w.cpu().double() - w).tolist(),
            'b_error': (true_b - b).tolist()}
