"""What one run of a script did, watcher from outside: the calls of its own
Timer and the epoch lines it prints, each read through the contract, and
nothing read between a Timer's two readings of the clock."""
import hashlib
import io
import math
import os
import sys
from dataclasses import dataclass, field

from bench import contract
from bench.faults import Failed


class Tee(io.TextIOBase):
    """stdout for a run: each line goes to the watch, and is shown where
    `out` is a stream."""

    def __init__(self, watch, out=None):
        super().__init__()
        self.watch, self.out, self.pending = watch, out, ''

    def writable(self):
        return True

    def write(self, text):
        if self.out:
            self.out.write(text)
        *lines, self.pending = (self.pending + text).split('\n')
        for line in lines:
            self.watch.printed(line)
        return len(text)


@dataclass
class Interval:
    """One interval of a Timer: where it started and stopped, and what
    the run had done before it started."""
    start: int  # the script's line
    made: bool  # started by `Timer()` itself, as d2l's 3.1 Timer is
    epochs_before: int
    data_before: bool
    stop: int = None
    seconds: float = None


@dataclass
class Epoch:
    """An epoch, as the script printed it: its loss, the parameters then,
    and their in-place updates so far."""
    loss: float
    params: object  # a CPU tensor (w1, w2, b), or None
    version: int


class Watch:
    """The Timer's calls and the printed epochs of one run."""

    def __init__(self, path, ns):
        self.path, self.ns = path, ns
        self.file = os.path.basename(path)
        self.intervals, self.epochs = [], {}
        self.initial = self.version = None
        self.parsed = None  # (parser, args): the script's own flags
        self.restore = []  # what the run's end puts back
        self.backward = None

    def data(self):
        """(features, labels, true_w, true_b) of the run."""
        return contract.data(self.ns, self.file)

    def line(self):
        """The line of the script that made the call under way."""
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_filename != self.path:
            frame = frame.f_back
        return frame.f_lineno if frame else None

    def timer(self, cls):
        """Watch `cls`, the script's Timer: the watch reads before `start`
        reads the clock and after `stop` has."""
        if getattr(cls, 'watched_by', None) is self:
            return
        start, stop, watch = cls.start, cls.stop, self

        def watched_start(timer, *args, **kwargs):
            watch.started(sys._getframe(1).f_code.co_name == '__init__')
            return start(timer, *args, **kwargs)

        def watched_stop(timer, *args, **kwargs):
            watch.stopping()
            seconds = stop(timer, *args, **kwargs)
            watch.stopped(timer.times[-1] if seconds is None else seconds)
            return seconds
        cls.start, cls.stop, cls.watched_by = watched_start, watched_stop, self
        self.restore.append(lambda: setattr(cls, 'start', start))
        self.restore.append(lambda: setattr(cls, 'stop', stop))

    def started(self, made):
        """An interval starts; a second `start()` before a `stop()` is a
        misuse, unless the first was the Timer's own at `Timer()`."""
        line, last = self.line(), self.intervals[-1:]
        if last and last[0].stop is None and not last[0].made:
            raise Failed(f'{self.file}:{line}: Timer.start() again before '
                         f'a stop() of the start() at line {last[0].start}: '
                         'what would it time?')
        if last and last[0].stop is None:  # restarted, as d2l's code does
            self.intervals.pop()
        self.intervals.append(Interval(line, made, len(self.epochs),
                                       contract.drawn(self.ns)))
        self.begin()

    def stopping(self):
        if not self.intervals or self.intervals[-1].stop is not None:
            raise Failed(f'{self.file}:{self.line()}: Timer.stop() without '
                         'a start() before it')

    def stopped(self, seconds):
        self.intervals[-1].stop, self.intervals[-1].seconds = (self.line(),
                                                               seconds)

    def hook_backward(self):
        """Once torch is imported: unless the first `Timer.start()` sees
        the parameters before any step (and puts it back), the first
        `backward()` does."""
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
        """The parameters before any step, where they are there and no
        gradient has been computed yet."""
        params = contract.parameters(self.ns)
        if self.initial is not None or not params or any(
                p.grad is not None for p in params):
            return
        if self.backward is not None:
            sys.modules['torch'].Tensor.backward = self.backward
        self.initial, self.version = snapshot(params), params[0]._version

    def printed(self, line):
        """A line the script printed: at `epoch N, loss X`, the epoch."""
        match = contract.PRINTED_EPOCH.fullmatch(line.strip())
        if not match:
            return
        try:
            loss = float(match[2])
        except ValueError:  # not a number: not the book's line
            return
        params = contract.parameters(self.ns)
        self.epochs[int(match[1])] = Epoch(
            loss, snapshot(params) if params else None,
            params[0]._version if params else None)


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
    num_examples: int
    batch_size: int
    lr: float
    optimizer: str
    loss: str  # a key of contract.LOSSES, or None
    steps_per_epoch: list
    loss_per_epoch: list
    mse_per_epoch: list
    initial: list
    initial_mse: float
    w: list
    b: list
    w_error: list
    b_error: list
    timed: str  # what the Timer's intervals held, in words
    timer_seconds: list
    epoch_seconds: list  # None unless the Timer timed each epoch alone
    data_sha256: str
    diverged_at_epoch: int = None
    watch: Watch = field(default=None, repr=False)

    @property
    def mse(self):
        return self.mse_per_epoch[-1] if self.mse_per_epoch else None

    def what_ran(self):
        """`1000 examples, 3 epochs of 100 steps (batch 10), lr 0.03`."""
        steps = set(self.steps_per_epoch)
        epochs = len(self.steps_per_epoch)
        text = (f'{self.num_examples} examples, {epochs} '
                f'epoch{"s" * (epochs != 1)} of ')
        text += f'{steps.pop()}' if len(steps) == 1 else str(
            self.steps_per_epoch).replace('None', 'unseen')
        text += f' steps (batch {self.batch_size or "not seen"}), lr '
        return text + (f'{self.lr:g}' if self.lr is not None else 'not seen')

    def results(self):
        """What --json prints of this run."""
        out = {name: getattr(self, name) for name in self.__dataclass_fields__
               if name != 'watch'}
        return dict(out, mse=self.mse)


def diverged_at(initial_mse, mses):
    """The first epoch whose MSE was past the start's (or not finite),
    where the run ended past it; else None."""
    past = [not (math.isfinite(m) and m <= initial_mse) for m in mses]
    return past.index(True) + 1 if past and past[-1] else None


def mse_and_error(params, features, labels):
    """The full-data MSE of `params` (no 1/2: one yardstick for both), and
    the residuals it is the mean square of."""
    import torch
    w, b = params[:-1].to(features), params[-1:].to(features)
    with torch.no_grad():
        error = features @ w.reshape(-1, 1) + b - labels.reshape(-1, 1)
    return float((error ** 2).mean()), error.cpu()


def result(watcher, flags, edits, beta, loss_first):
    """The `Run` that `watcher` watched; `Failed` where the script lacks what
    the runners read (contract.CONTRACT)."""
    features, labels, true_w, true_b = watcher.data()
    epochs = [watcher.epochs[n] for n in sorted(watcher.epochs) if n >= 1]
    if not epochs:
        raise Failed(f'{watcher.file} printed no line `epoch N, loss X`, where '
                     'the runners read each epoch (docs/reference.md: what '
                     'a watched script must have)')
    if any(epoch.params is None for epoch in epochs):
        raise contract.lacks(watcher.file, 'net`, nor `w` and `b',
                             'the parameters')
    watcher.snapshots = [epoch.params for epoch in epochs]
    versions = [watcher.version] + [epoch.version for epoch in epochs]
    steps = [None if a is None or b is None else b - a
             for a, b in zip(versions, versions[1:])]
    X, y = features.detach().cpu(), labels.detach().cpu()
    fits = [mse_and_error(epoch.params, X, y) for epoch in epochs]
    mses = [mse for mse, _ in fits]
    last = epochs[-1].params
    watcher.initial_mse = mse_and_error(watcher.initial, X, y)[0] \
        if watcher.initial is not None else math.inf
    timed, seconds, each = what_timed(watcher, len(epochs), steps)
    lr, optimizer = contract.learning_rate(watcher.ns)
    w, b = last[:-1], last[-1:]
    digest = hashlib.sha256(X.numpy().tobytes())
    digest.update(y.numpy().tobytes())
    return Run(
        script=watcher.path, impl=contract.impl(watcher.ns), flags=flags,
        edits=edits, num_examples=len(X),
        batch_size=contract.batch_size(watcher.ns, len(X), steps), lr=lr,
        optimizer=optimizer,
        loss=contract.loss_kind([e.loss for e in epochs],
                                [error for _, error in fits], beta,
                                loss_first),
        steps_per_epoch=steps, loss_per_epoch=[e.loss for e in epochs],
        mse_per_epoch=mses,
        initial=None if watcher.initial is None else watcher.initial.tolist(),
        initial_mse=watcher.initial_mse,
        w=w.tolist(), b=b.tolist(),
        w_error=(true_w.detach().cpu() - w).tolist(),
        b_error=(true_b - b).tolist(), timed=timed, timer_seconds=seconds,
        epoch_seconds=seconds if each else None,
        data_sha256=digest.hexdigest(),
        diverged_at_epoch=diverged_at(watcher.initial_mse, mses), watch=watcher)


def what_timed(watcher, epochs, steps):
    """(what the Timer's intervals held, in words; their seconds; whether
    each held one epoch); `Failed` for a Timer never started or stopped."""
    intervals = watcher.intervals
    if not intervals:
        return 'nothing: the script starts no Timer', [], False
    if intervals[-1].stop is None:
        raise Failed(f'{watcher.file}:{intervals[-1].start}: the Timer started '
                     'here is never stopped')
    first, seconds = intervals[0], [i.seconds for i in intervals]
    where = (f'{"Timer()" if first.made else "start()"} at line '
             f'{first.start} to stop() at line {first.stop}')
    ends = [i.epochs_before for i in intervals[1:]] + [len(watcher.epochs)]
    held = [end - i.epochs_before for i, end in zip(intervals, ends)]
    if held == [1] * epochs:
        return f'each of the {epochs} epochs alone, {where}', seconds, True
    if len(intervals) == 1:
        data = '' if first.data_before else 'the data generation and '
        return f'once, {where}: {data}all {epochs} epochs', seconds, False
    if None not in steps and len(intervals) == sum(steps):
        return (f'each step alone, {where} first: not the time between '
                'steps', seconds, False)
    return (f'{len(intervals)} intervals in {epochs} epochs, {where} first',
            seconds, False)
