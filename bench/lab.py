"""`Lab`: what each chapter script hands its data, parameters and epochs
to, and what compare.sh, sweep.py and the tests read a run from.

A script makes its `Lab` first, with its own `globals()`: the `Lab` parses
the flags (before torch is imported, so `--help` is at once), and, when the
file runs as a program, makes every fault one line (`sys.excepthook`, and
SIGTERM). The script then hands it its data (`data`: the exercises' outlier
and order, the device), its parameters (`params`), each epoch's batches
(`epoch`: timing, and the flags that change what an epoch reads) and each
epoch's loss (`epoch_loss`: records, divergence). What ran (`lr`,
`batch_size`, `num_epochs`, `loss`, the optimiser) is read from the
script's own names when it is reported, never from the flags, so that an
edited line is reported as it ran; nothing here assigns a script's name.

`run` runs a script file in this process, as compare.sh, sweep.py and the
tests do; options reach its `Lab` through the `__bench__` name that `run`
gives the file, and the `Lab` registers itself there.

torch is imported inside the functions, not at the top, so that cli.py,
compare.py and sweep.py can check flags before the seconds it takes.
"""
import hashlib
import math
import os
import runpy
import sys

from bench import cli
from bench.cli import Failed, Refused
from timer import Timer, synchronizer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class ReplayEnded(Exception):
    """A replayed run asked for an epoch that the run it copies never took
    (that run diverged first): the replay ends there too."""


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
    """A tqdm bar on stderr for an epoch that has run longer than `after`
    seconds, when stderr is a terminal: the batches done of the epoch's
    total. Progress is no result: a stderr that fails drops it."""

    def __init__(self, lab, total, after=10.0):
        from tqdm import tqdm
        self.bar = tqdm(total=total, desc=f'{lab.prog}: epoch '
                        f'{len(lab.losses) + 1}', unit='batch',
                        delay=after, mininterval=0.5, leave=False,
                        file=sys.stderr)

    def show(self, step):
        if self.bar is not None:
            try:
                self.bar.update(step - self.bar.n)
            except (OSError, ValueError):
                self.bar = None

    def clear(self):
        if self.bar is not None:
            try:
                self.bar.close()
            except (OSError, ValueError):
                pass


def out_of_memory(error):
    """Whether `error` is torch's allocator giving up (a RuntimeError)."""
    text = str(error).lower()
    return isinstance(error, RuntimeError) and (
        'alloc' in text or 'out of memory' in text)


def memory_failure(device):
    """The fault to report for torch's allocator giving up on `device`."""
    return Failed(f'out of memory on {device}; try a smaller --num-examples')


def same_file(one, other):
    """Whether two paths name one file (False if either is missing)."""
    try:
        return bool(one and other) and os.path.samefile(one, other)
    except OSError:
        return False


def in_ipython():
    """Whether an IPython shell or kernel runs this code (`%run`, a cell)."""
    ipython = sys.modules.get('IPython')
    return ipython is not None and ipython.get_ipython() is not None


class Lab:
    """Records one run of a chapter script; see the module doc.

    Options that `run` passes (for compare.py, sweep.py and the tests):
    `args` (parsed flags) or `argv`; `trace` keeps the parameters after
    every step; `keep_batches` keeps the batches each epoch saw; `replay`
    (a list of epochs of batches) and `start` (initial `w`, `b`) make a run
    see another run's batches and initial parameters.
    """

    def __init__(self, name, namespace):
        self.name, self.ns = name, namespace
        bench = namespace.get('__bench__')  # given by `run`, else None
        self.runner = bench is not None
        self.options = bench['options'] if bench else {}
        file = namespace.get('__file__')
        # Run as a program (`python file.py`, `%run file.py`), the flags are
        # its own; run as cells in a kernel, whose argv is not the
        # script's, the book's numbers; run by `run`, the ones it gives
        program = same_file(sys.argv[0], file) and not self.runner
        self.prog = os.path.basename(file) if file else cli.PROGS[name]
        if 'args' in self.options:
            self.args = cli.argparse.Namespace(**vars(self.options['args']))
        else:
            argv = self.options.get(
                'argv', sys.argv[1:] if program else [])
            self.args = cli.parse_args(name, argv, prog=self.prog)
        if self.runner:
            bench['lab'] = self
        elif program and not in_ipython():
            sys.excepthook = self.excepthook
            self.signals = cli.Signals()
            cli.check_streams()
            if name == 'concise':
                cli.check_mplbackend()
        self.epoch_timer = Timer()  # one total per epoch
        self.losses, self.mses = [], []
        self.path = [] if self.options.get('trace') else None
        self.batches = [] if self.options.get('keep_batches') else None
        replay = self.options.get('replay')
        self.replay = iter(replay) if replay is not None else None
        self.fast_loader = None
        self.diverged, self.diverged_at = None, None

    # -- faults, for a script run as a program ------------------------------

    def fault(self, error):
        """The one line for `error`, after the JSON of a run that diverged
        when `--json` asks for it; the exit status, or None for a bug."""
        if out_of_memory(error):
            error = memory_failure(self.args.device)
        if isinstance(error, Diverged) and self.args.json:
            self.record_divergence(error)
            try:
                cli.write_whole(cli.dumps(self.results()))
            except (OSError, ValueError):
                pass
        return cli.fault(self.prog, error)

    def record_divergence(self, error):
        """Make a `Diverged` a result: where and why, for the report."""
        self.diverged = str(error).split(';')[0]
        self.diverged_at = error.epoch

    def excepthook(self, kind, error, traceback):
        """`sys.excepthook`: a fault ends in one line and its status; at
        `python -i`'s prompt, the chapter's names stay there to inspect."""
        self.signals.busy = True  # no second fault in here
        if isinstance(error, SystemExit):  # argparse said it already
            status = error.code
        else:
            status = self.fault(error)
            if status is None:  # a bug, in an edited line, say: show where
                sys.__excepthook__(kind, error, traceback)
                status = 1
        if sys.flags.interactive:  # the prompt's own Ctrl-C
            self.finish()
            return
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (AttributeError, OSError, ValueError):
                pass
        os._exit(status if isinstance(status, int) else 1)

    # -- called from the chapter's code, in its order ---------------------

    def data(self, true_w, true_b, features, labels):
        """Take the drawn data; return `true_w` and the data on the device.

        The data are drawn on the CPU, so that one seed gives the same data
        on every device. `--outlier` and `--sorted` act here."""
        try:
            self.device = resolve_device(self.args.device)
        except ValueError as error:
            raise Refused(str(error)) from None
        self.args.device = self.device
        self.true_w, self.true_b = true_w.clone(), true_b
        if self.args.outlier is not None:
            labels[5] = self.args.outlier
        if self.args.sorted:
            order = labels.reshape(-1).argsort()
            features, labels = features[order], labels[order]
        self.data_sha256 = fingerprint(features, labels)
        self.segment = Timer(sync=synchronizer(self.device))
        self.features = features.to(self.device)
        self.labels = labels.to(self.device)
        return true_w.to(self.device), self.features, self.labels

    def params(self, *params):
        """Take the initial parameters (`w, b`, or `net`) and move them to
        the device; a `start` given to `run` replaces their values."""
        import torch
        if len(params) == 1:  # the concise `net`
            net = params[0].to(self.device)
            self.w, self.b = net[0].weight, net[0].bias
            moved = net
        else:
            self.w, self.b = (p.detach().to(self.device).requires_grad_()
                              for p in params)
            moved = self.w, self.b
        start = self.options.get('start')
        if start is not None:
            with torch.no_grad():
                for param, value in zip((self.w, self.b), start):
                    param.copy_(value.reshape(param.shape))
        self.initial = self.snapshot()
        if not math.isfinite(self.mse()):
            if not math.isfinite(cli.float32(float(
                    (self.labels.double() ** 2).mean()))):
                raise Failed(
                    'the labels make the loss overflow float32 (--outlier '
                    f'{self.args.outlier:g}); use a smaller --outlier')
            raise Failed(
                f'the initial weights, from N(0, {self.args.init_std:g}^2), '
                'make the loss overflow float32; use a smaller --init-std')
        if self.path is not None:
            self.path.append(self.initial)
        return moved

    def exercise_loss(self, book_loss):
        """`book_loss`, unless --loss (or --reduction) asks for one of the
        exercises' losses; then that one."""
        from torch import nn
        kind = self.args.loss
        sigma = self.args.huber_sigma
        reduction = getattr(self.args, 'reduction', 'mean')
        if kind == 'squared' and reduction == 'mean':
            return book_loss
        if isinstance(book_loss, nn.Module):  # the concise script
            return {'squared': lambda: nn.MSELoss(reduction=reduction),
                    'huber': lambda: nn.SmoothL1Loss(reduction=reduction,
                                                     beta=sigma),
                    'abs': lambda: nn.L1Loss(reduction=reduction)}[kind]()

        def huber(y_hat, y):
            return huber_loss(y_hat, y, sigma)
        huber.__name__ = f'huber_loss(sigma={sigma:g})'
        return {'huber': huber, 'abs': abs_loss}[kind]

    def source(self, batches):
        """What an epoch reads instead of the chapter's `batches`, if a flag
        says so: a `replay`, the stored order (--no-shuffle), or the same
        dataset one index a batch (--loader batched)."""
        if self.replay is not None:
            try:
                return next(self.replay)
            except StopIteration:
                raise ReplayEnded() from None
        if self.args.no_shuffle:  # the stored order, every epoch
            size = self.ran()['batch_size']
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
        progress = None
        if sys.stderr.isatty():
            try:
                total = len(batches)
            except TypeError:  # a generator, as `data_iter` is
                total = math.ceil(len(self.features)
                                  / self.ran()['batch_size'])
            progress = Progress(self, total)
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
                lr = self.ran()['lr']
                which = ('--lr' if lr == self.args.lr else
                         'learning rate (set in the file)')
                raise Diverged(
                    f'training diverged at epoch {epoch} ({what} {value}); '
                    f'try a smaller {which} than {lr:g}', epoch)

    def report(self):
        """Print what ran and how long the training took (and the gradient
        and the JSON, if asked); a run for compare.sh or sweep.py is read
        by them instead."""
        if self.runner:
            return
        result = self.results()
        if self.args.print_grad:
            names = (('net[0].weight.grad', 'net[0].bias.grad')
                     if self.name == 'concise' else ('w.grad', 'b.grad'))
            print(f'{names[0]}: {result["w_grad"]}, '
                  f'{names[1]}: {result["b_grad"]}')
        print(f'# {self.prog} ran: ' + ' '.join(
            f'{k}={v}' for k, v in self.settings(result).items()))
        epochs = len(self.epoch_timer.times)
        if epochs:
            print(f'{result["train_seconds"]:.3f} sec training, {epochs} '
                  f'epoch{"s" if epochs != 1 else ""} (imports and data '
                  'generation excluded)')
        else:  # an edited loop that no longer reads through `lab.epoch`
            print('training not timed: no loop read its batches through '
                  '`lab.epoch`')
        sys.stdout.flush()  # a full disk shows here, not at exit
        if self.args.json:
            cli.write_whole(cli.dumps(result))
        self.finish()

    def finish(self):
        """Hand `sys.excepthook` and the signals back once the chapter has
        run, so that at `python -i`'s prompt Ctrl-C is the prompt's own."""
        if sys.excepthook == self.excepthook:
            sys.excepthook = sys.__excepthook__
            self.signals.restore()

    # -- what ran -----------------------------------------------------------

    def ran(self):
        """The settings that ran, read from the script's own names: the
        optimiser's learning rate where there is one (`trainer`)."""
        ns, args = self.ns, self.args
        trainer = ns.get('trainer')
        groups = getattr(trainer, 'param_groups', None)
        lr = groups[0]['lr'] if groups else ns.get('lr', args.lr)
        optimizer = (f'{type(trainer).__name__}' if groups else
                     getattr(ns.get('sgd'), '__name__', 'sgd'))
        return {'num_examples': len(self.features),
                'batch_size': ns.get('batch_size', args.batch_size),
                'lr': lr, 'num_epochs': ns.get('num_epochs', args.num_epochs),
                'optimizer': optimizer}

    def settings(self, result):
        """The settings line: what ran, and the flags that are not the
        book's defaults."""
        ran = self.ran()
        shown = {k: ran[k] for k in ('num_examples', 'batch_size', 'lr',
                                     'num_epochs')}
        shown['seed'] = self.args.seed
        shown['loss'] = result['loss_name'].replace(' ', '')
        shown['optimizer'] = ran['optimizer']
        shown['initial'] = '[' + ','.join(
            f'{v:.4g}' for v in self.initial.tolist()) + ']'
        defaults = cli.script_parser(self.name)
        for key, value in vars(self.args).items():
            if key in shown or key in ('json', 'print_grad', 'lang', 'init',
                                       'init_std', 'loss', 'reduction'):
                continue
            if value != defaults.get_default(key):
                shown[key] = value
        return shown

    def loss_name(self):
        """The loss that ran, by name: a function's name, or a loss
        module's class with its reduction (and beta or delta)."""
        loss = self.ns.get('loss')
        if hasattr(loss, 'reduction'):  # a `torch.nn` loss
            more = ''.join(f', {k}={getattr(loss, k)!r}'
                           for k in ('beta', 'delta') if hasattr(loss, k))
            return (f'{type(loss).__name__}(reduction={loss.reduction!r}'
                    f'{more})')
        return getattr(loss, '__name__', repr(loss))

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
        loss = self.ns['loss']
        with torch.no_grad():
            for step in steps:
                params = self.path[step].to(self.device)
                y_hat = (self.features @ params[:-1].reshape(-1, 1)
                         + params[-1:])
                error = y_hat - self.labels.reshape(y_hat.shape)
                mses.append(float((error ** 2).mean()))
                own.append(float(loss(y_hat, self.labels).mean()))
        return list(steps), mses, own

    def full_gradient(self):
        """`w.grad` and `b.grad` of the full-data loss at the learned
        parameters (zh 3.3 ex. 3); `sgd` zeroed them after its last step,
        and `.grad` of the concise net holds only the last minibatch's."""
        for param in (self.w, self.b):
            param.grad = None
        y_hat = self.features @ self.w.reshape(-1, 1) + self.b
        l = self.ns['loss'](y_hat, self.labels)
        l.mean().backward()  # the mean of a scalar is the scalar
        return self.w.grad.reshape(-1), self.b.grad.reshape(-1)

    def results(self):
        """What --json prints: the settings that ran, the losses, the
        parameters."""
        params = self.snapshot()
        w, b = params[:-1], params[-1:]
        config = {k: v for k, v in vars(self.args).items() if k != 'json'}
        ran = self.ran()
        config.update((k, ran[k]) for k in ('num_examples', 'batch_size',
                                            'lr', 'num_epochs'))
        loss = self.ns.get('loss')
        if hasattr(loss, 'reduction') and 'reduction' in config:
            config['reduction'] = loss.reduction
        result = {
            'impl': self.name,
            'config': config,
            'loss_name': self.loss_name(),
            'optimizer': ran['optimizer'],
            'initial': self.initial.tolist(),
            'loss_per_epoch': self.losses,
            'mse_per_epoch': self.mses,
            'mse': self.mses[-1] if self.mses else None,
            'w': w.tolist(),
            'b': b.tolist(),
            'w_error': (self.true_w.cpu() - w).tolist(),
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


def script_file(name):
    """The path of linreg_{name}.py in this checkout."""
    return os.path.join(ROOT, cli.PROGS[name])


def run(name, args=None, allow_divergence=False, path=None, **options):
    """Run linreg_{name}.py (or the file at `path`) in this process, as
    `python` runs it, with parsed `args` (or `argv=[...]`); return its Lab.

    With `allow_divergence`, a run whose loss blows up is a result, not an
    error: its `diverged` says at which epoch, and its records stop there.
    """
    if args is not None:
        options['args'] = args
    bench = {'options': options}
    try:
        runpy.run_path(path or script_file(name), run_name='__main__',
                       init_globals={'__bench__': bench})
    except ReplayEnded:  # its records stop where the copied run's did
        pass
    except Diverged as error:
        if not allow_divergence:
            raise
        bench['lab'].record_divergence(error)
    except RuntimeError as error:  # torch's allocator says it this way
        if not out_of_memory(error):
            raise
        device = bench['lab'].args.device if 'lab' in bench else 'cpu'
        raise memory_failure(device) from None
    return bench['lab']


def definitions(name):
    """The names linreg_{name}.py defines (`synthetic_data`, `sgd`,
    `load_array`, ...), from one small, quiet run of the file."""
    import contextlib
    import io
    with contextlib.redirect_stdout(io.StringIO()):
        bench = run(name, argv=['--num-examples', '20', '--num-epochs', '1'])
    return bench.ns


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
