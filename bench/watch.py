"""What one run of a script did, seen from outside: the calls of its own
Timer and the epoch lines it prints, each read through the contract, and
nothing read between a Timer's two readings of the clock."""
import collections
import hashlib
import io
import math
import os
import sys
from dataclasses import dataclass, field

from bench import contract
from bench.faults import Failed


class Tee(io.TextIOBase):
    """stdout for a run: each line to the watch, and on to `out` if any."""

    encoding = 'utf-8'

    def __init__(self, watch, out=None):
        super().__init__()
        self.watch, self.out, self.pending = watch, out, ''

    def reconfigure(self, **settings):
        """As a script may set up its stdout; the runner's stays as it is."""

    def write(self, text):
        if self.out:
            self.out.write(text)
        *lines, self.pending = (self.pending + text).split('\n')
        for line in lines:
            self.watch.printed(line)
        return len(text)


@dataclass
class Interval:
    """One interval of a Timer, and what the run had done at its start."""
    start: int  # the script's line
    by_constructor: bool  # started by `Timer()`, as d2l's 3.1 Timer is
    epochs_before: int
    data_before: bool
    stop: int = None
    seconds: float = None


# An epoch as printed: its loss, parameters (CPU) and their updates so far
Epoch = collections.namedtuple('Epoch', 'loss params version')


class Watch:
    """The Timer's calls and the printed epochs of one run."""

    def __init__(self, path, ns):
        self.path, self.ns = path, ns
        self.file = os.path.basename(path)
        self.intervals, self.epochs = [], {}
        self.initial = self.version = self.backward = None
        self.parsed = None  # (parser, args, argv): the script's own flags
        self.trained_on = None  # the data, as the first step found them
        self.restore = []  # what the run's end puts back

    def data(self):
        """(features, labels, true_w, true_b) trained on."""
        return self.trained_on or contract.data(self.ns, self.file)

    def line(self):
        """The line of the script that made the call under way."""
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_filename != self.path:
            frame = frame.f_back
        return frame and frame.f_lineno

    def timer(self, cls):
        """Watch `cls`: before `start` reads the clock, after `stop` has."""
        if getattr(cls, 'watched_by', None) is self or not (
                hasattr(cls, 'start') and hasattr(cls, 'stop')):
            return  # a Timer without start() and stop() is not seen
        start, stop, watch = cls.start, cls.stop, self

        def watched_start(timer, *args, **kwargs):
            watch.started(sys._getframe(1).f_code.co_name == '__init__')
            return start(timer, *args, **kwargs)

        def watched_stop(timer, *args, **kwargs):
            watch.stopping()
            seconds = stop(timer, *args, **kwargs)
            if seconds is None:  # d2l's returns them, as `times` holds them
                seconds = (getattr(timer, 'times', None) or [None])[-1]
            watch.stopped(seconds)
            return seconds
        cls.start, cls.stop, cls.watched_by = watched_start, watched_stop, self
        self.restore.append(lambda: setattr(cls, 'start', start))
        self.restore.append(lambda: setattr(cls, 'stop', stop))

    def started(self, by_constructor):
        """An interval starts; a second, before a stop, is a misuse."""
        line, last = self.line(), self.intervals[-1:]
        if last and last[0].stop is None:
            if not last[0].by_constructor:
                raise Failed(f'{self.file}:{line}: Timer.start() again '
                             'before a stop() of the start() at line '
                             f'{last[0].start}: what would it time?')
            self.intervals.pop()  # restarted, as d2l's code does
        self.intervals.append(Interval(line, by_constructor, len(self.epochs),
                                       contract.drawn(self.ns)))
        self.begin()

    def stopping(self):
        if not self.intervals or self.intervals[-1].stop is not None:
            raise Failed(f'{self.file}:{self.line()}: Timer.stop() without '
                         'a start() before it')

    def stopped(self, seconds):
        self.intervals[-1].stop = self.line()
        self.intervals[-1].seconds = seconds

    def hook_backward(self):
        """The first `backward()` sees the start, if no `start()` did."""
        torch = sys.modules.get('torch')
        if torch is None or self.backward is not None:
            return
        original = self.backward = torch.Tensor.backward

        def backward(tensor, *args, **kwargs):
            torch.Tensor.backward = original  # once
            self.begin()
            return original(tensor, *args, **kwargs)
        torch.Tensor.backward = backward
        self.restore.append(lambda: setattr(torch.Tensor, 'backward',
                                            original))

    def begin(self):
        """The parameters before any step, once, if they are there."""
        params = contract.parameters(self.ns)
        if self.initial is not None or not params:
            return
        if any(p.grad is not None for p in params):
            return
        if self.backward is not None:  # not needed now
            sys.modules['torch'].Tensor.backward = self.backward
        self.initial, self.version = snapshot(params), params[0]._version
        if contract.drawn(self.ns):  # the data trained on, whatever comes
            self.trained_on = contract.data(self.ns, self.file)

    def printed(self, line):
        """A line the script printed: at `epoch N, loss X`, the epoch."""
        match = contract.PRINTED_EPOCH.fullmatch(line.strip())
        try:
            loss = float(match[2])
        except (TypeError, ValueError):  # not the book's line
            return
        params = contract.parameters(self.ns)
        if params:
            epoch = Epoch(loss, snapshot(params), params[0]._version)
        else:
            epoch = Epoch(loss, None, None)
        self.epochs[int(match[1])] = epoch


def snapshot(params):
    """The parameters now, as one tensor (w1, w2, b) on the CPU."""
    import torch
    with torch.no_grad():
        return torch.cat([p.reshape(-1) for p in params]).cpu()


@dataclass
class Run:
    """One run of a script, as its watch saw it: what --json prints."""
    script: str
    impl: str
    flags: dict
    edits: list
    watch: Watch = field(default=None, repr=False)
    num_examples: int = None
    batch_size: int = None
    lr: float = None
    optimizer: str = None
    loss: str = None  # a key of contract.LOSSES
    steps_per_epoch: list = None
    loss_per_epoch: list = None
    mse_per_epoch: list = None
    initial: list = None
    initial_mse: float = math.inf
    w: list = None
    b: list = None
    w_error: list = None
    b_error: list = None
    timed: str = None  # what the Timer's intervals held, in words
    timer_seconds: list = None
    epoch_seconds: list = None  # where the Timer timed each epoch alone
    data_sha256: str = None
    diverged_at_epoch: int = None

    @property
    def mse(self):
        return self.mse_per_epoch[-1]

    def what_ran(self):
        """`1000 examples, 3 epochs of 100 steps (batch 10), lr 0.03`."""
        epochs, steps = len(self.steps_per_epoch), set(self.steps_per_epoch)
        each = steps.pop() if len(steps) == 1 else self.steps_per_epoch
        text = f'{self.num_examples} examples, {epochs} epoch'
        text += 's' * (epochs != 1) + f' of {each} steps'
        text += f' (batch {self.batch_size or "not seen"}), lr '
        return text + ('not seen' if self.lr is None else f'{self.lr:g}')

    def results(self):
        """What --json prints of this run."""
        found = {name: getattr(self, name)
                 for name in self.__dataclass_fields__}
        del found['watch']
        return dict(found, mse=self.mse)


def mse_and_error(params, features, labels):
    """The full-data MSE of `params` (no 1/2), and the residuals."""
    import torch
    w, b = params[:-1].to(features), params[-1:].to(features)
    with torch.no_grad():
        error = features @ w.reshape(-1, 1) + b - labels.reshape(-1, 1)
    return float((error ** 2).mean()), error


def printed_epochs(watcher, size):
    """The epochs by their numbers, but for lines printed before the first
    step; `Failed` without one, or without `size` parameters then."""
    epochs = [watcher.epochs[n] for n in sorted(watcher.epochs)]
    if watcher.version is None:  # the first step unseen: N counts from 1
        epochs = [watcher.epochs[n] for n in sorted(watcher.epochs) if n]
    else:  # a line printed before the first step is no epoch
        epochs = [e for e in epochs if e.version != watcher.version]
    if not epochs:
        raise Failed(f'{watcher.file} printed no line `epoch N, loss X`, '
                     'where the runners read each epoch (docs/reference.md: '
                     'what a watched script must have)')
    if any(epoch.params is None for epoch in epochs):
        raise contract.lacks(watcher.file, 'net`, nor `w` and `b',
                             'the parameters')
    if any(len(epoch.params) != size for epoch in epochs):
        raise Failed(f'{watcher.file}: the runners compare a line, a weight '
                     f'a feature and a bias ({size} numbers), not '
                     f'{len(epochs[0].params)} parameters')
    return epochs


def result(watcher, script, flags):
    """The `Run` that `watcher` saw of `script`, with its `flags`."""
    X, y, true_w, true_b = watcher.data()
    epochs = printed_epochs(watcher, len(true_w) + 1)
    run = Run(watcher.path, script.impl, flags, script.edit_lines(), watcher)
    run.num_examples = len(X)
    digest = hashlib.sha256(X.numpy().tobytes() + y.numpy().tobytes())
    run.data_sha256 = digest.hexdigest()
    fits = [mse_and_error(epoch.params, X, y) for epoch in epochs]
    run.mse_per_epoch = [mse for mse, _ in fits]
    run.loss_per_epoch = [epoch.loss for epoch in epochs]
    errors = [error for _, error in fits]
    prefer = script.loss or contract.loss_module(watcher.ns)
    run.loss = contract.loss_kind(run.loss_per_epoch, errors, prefer)
    if watcher.initial is not None:
        run.initial = watcher.initial.tolist()
        run.initial_mse = mse_and_error(watcher.initial, X, y)[0]
    run.diverged_at_epoch = diverged_at(run.initial_mse, run.mse_per_epoch)
    last = epochs[-1].params
    run.w, run.b = last[:-1].tolist(), last[-1:].tolist()
    run.w_error = (true_w - last[:-1]).tolist()
    run.b_error = (true_b - last[-1:]).tolist()
    run.steps_per_epoch, version = [], watcher.version
    for epoch in epochs:  # without the start's version, epoch 1's unseen
        steps = None if version is None else epoch.version - version
        run.steps_per_epoch.append(steps)
        version = epoch.version
    examples, steps = run.num_examples, run.steps_per_epoch
    run.batch_size = contract.batch_size(watcher.ns, examples, steps)
    run.lr, run.optimizer = contract.learning_rate(watcher.ns)
    run.timed, run.timer_seconds, each = contract.timed(
        watcher.intervals, len(epochs), len(watcher.epochs), watcher.file)
    run.epoch_seconds = run.timer_seconds if each else None
    watcher.snapshots = [epoch.params for epoch in epochs]
    return run


def diverged_at(initial_mse, mses):
    """The first epoch past the initial MSE, if the run ended past it."""
    past = [not (math.isfinite(m) and m <= initial_mse) for m in mses]
    return past.index(True) + 1 if past[-1] else None
