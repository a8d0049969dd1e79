"""What one run of a chapter script did, as the `Timer` the runner hands
it saw each epoch start and stop: read from the run's namespace outside the
timed region, the losses as printed, nothing unseen filled in."""
import hashlib
import io
import math
import re
from dataclasses import dataclass, field

import timer

PRINTED_LOSS = re.compile(r'^epoch (\d+), loss (\S+)$', re.M)


class Tee(io.StringIO):
    """stdout for a run: kept, and shown as it comes where `out` is a
    stream."""

    def __init__(self, out=None):
        super().__init__()
        self.out = out

    def write(self, text):
        if self.out:
            self.out.write(text)
        return super().write(text)


class Watch:
    """The epochs of one run, as its Timer saw them."""

    def __init__(self, namespace):
        self.ns = namespace
        self.timer = None
        self.initial, self.initial_mse, self.data_sha256 = None, None, None
        self.snapshots, self.mses, self.steps = [], [], []
        self.version = 0

    def timer_module(self):
        """A `timer` module for the script: the shared Timer, watched."""
        watch = self

        class Timer(timer.Timer):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                watch.timer = self

            def start(self):
                watch.started()
                super().start()

            def stop(self):
                seconds = super().stop()
                watch.stopped()
                return seconds
        module = type(timer)('timer', timer.__doc__)
        module.Timer, module.synchronizer = Timer, timer.synchronizer
        return module

    def params(self):
        """The run's parameters: `net`'s, or `w` and `b`."""
        import torch
        net = self.ns.get('net')
        if isinstance(net, torch.nn.Module):
            return list(net.parameters())
        return [self.ns['w'], self.ns['b']]

    def started(self):
        """The first time, the data's digest and the initial parameters."""
        params = self.params()
        if self.initial is None:
            features, labels = self.ns['features'], self.ns['labels']
            digest = hashlib.sha256(features.cpu().numpy())
            digest.update(labels.cpu().numpy())
            self.data_sha256 = digest.hexdigest()
            self.initial, self.initial_mse = snapshot(params), self.mse()
        self.version = params[0]._version

    def stopped(self):
        """An epoch ends: its parameters, MSE and in-place updates."""
        params = self.params()
        self.snapshots.append(snapshot(params))
        self.mses.append(self.mse())
        self.steps.append(params[0]._version - self.version)

    def mse(self):
        """The full-data MSE, without the 1/2: one yardstick for both."""
        import torch
        w, b = self.params()
        with torch.no_grad():
            error = (self.ns['features'] @ w.reshape(-1, 1) + b
                     - self.ns['labels'].reshape(-1, 1))
            return float((error ** 2).mean())


def snapshot(params):
    """The parameters now, as one tensor (w1, w2, b) on the CPU."""
    import torch
    with torch.no_grad():
        return torch.cat([p.reshape(-1) for p in params]).cpu()


@dataclass
class Run:
    """One run of a chapter script: what --json prints, and its watch."""
    impl: str
    flags: dict
    edits: list
    num_examples: int
    batch_size: int
    steps_per_epoch: list
    loss_per_epoch: list
    mse_per_epoch: list
    initial: list
    w: list
    b: list
    w_error: list
    b_error: list
    epoch_seconds: list
    data_sha256: str
    diverged_at_epoch: int = None
    seen: Watch = field(default=None, repr=False)

    @property
    def mse(self):
        return self.mse_per_epoch[-1] if self.mse_per_epoch else None

    def what_ran(self):
        """`1000 examples, 3 epochs of 100 steps (batch 10)`."""
        steps = sorted(set(self.steps_per_epoch))
        epochs = len(self.steps_per_epoch)
        return (f'{self.num_examples} examples, {epochs} '
                f'epoch{"s" * (epochs != 1)} of '
                f'{steps[0] if len(steps) == 1 else self.steps_per_epoch} '
                f'steps (batch {self.batch_size})')

    def results(self):
        """What --json prints of this run."""
        out = {name: getattr(self, name) for name in self.__dataclass_fields__
               if name != 'seen'}
        return dict(out, mse=self.mse, train_seconds=sum(self.epoch_seconds))


def diverged_at(initial_mse, mses):
    """The first epoch whose MSE was past the start's (or not finite),
    where the run ended past it; else None."""
    past = [not (math.isfinite(m) and m <= initial_mse) for m in mses]
    return past.index(True) + 1 if past and past[-1] else None


def result(impl, seen, typed, made, printed):
    """The `Run` that `seen` watched; `printed` is its stdout."""
    ns = seen.ns
    params = snapshot(seen.params())
    true_w, true_b = ns['true_w'].cpu(), ns['true_b']
    w, b = params[:-1], params[-1:]
    return Run(
        impl=impl, flags=typed, edits=made,
        num_examples=len(ns['features']), batch_size=ns.get('batch_size'),
        steps_per_epoch=seen.steps,
        loss_per_epoch=[float(v) for _, v in PRINTED_LOSS.findall(printed)],
        mse_per_epoch=seen.mses, initial=seen.initial.tolist(),
        w=w.tolist(), b=b.tolist(), w_error=(true_w - w).tolist(),
        b_error=(true_b - b).tolist(),
        epoch_seconds=list(seen.timer.times) if seen.timer else [],
        data_sha256=seen.data_sha256,
        diverged_at_epoch=diverged_at(seen.initial_mse, seen.mses), seen=seen)
