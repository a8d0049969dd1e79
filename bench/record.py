"""`Record`: what one run of a chapter script did, observed, never assumed.

A script makes its record first (`bench.start`), then hands it its data
(`data`), its parameters (`params`) and each epoch's loss (`epoch`), and
last its `Timer` (`report`). Nothing else is read from the script's names:
the steps are counted as gradients reach `w`; an optimizer and a loss
module appear only if one ran on these parameters (torch's global hooks);
the time is the script's own Timer's. What cannot be observed (the scratch
script's learning rate, say) is left out, never filled in from the flags,
which are reported as typed.
"""
import hashlib
import json
import math
import os
import sys

from bench import faults, flags, variants


def in_ipython():
    """Whether an IPython shell or kernel runs this code (`%run`, cells).
    Not the bare `InteractiveShell` that `d2l.set_figsize()` makes when no
    shell runs."""
    ipython = sys.modules.get('IPython')
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and type(shell).__name__ != 'InteractiveShell'


def start(name, namespace):
    """The record of linreg_{name}.py, made before torch is imported: it
    parses the flags (so --help is at once) and, for `python file.py`,
    makes each fault, a Ctrl-C during the imports too, one line."""
    given = namespace.get('__bench__')  # from bench.runner.run
    file = namespace.get('__file__')
    program = given is None and file is not None and \
        os.path.realpath(sys.argv[0]) == os.path.realpath(file)
    if given is not None:
        args = flags.argparse.Namespace(**vars(given['args']))
        mode = 'runner'
    elif program:  # its own flags; under IPython's %run too
        args = flags.parse(name, sys.argv[1:])
        mode = 'interactive' if in_ipython() else 'program'
    else:  # cells in a kernel, whose argv is not the script's
        args, mode = flags.parse(name), 'interactive'
    if mode == 'program':
        faults.install(flags.PROGS[name])
    record = Record(name, args, mode, namespace)
    if given is not None:
        given['record'] = record
    return record


class Record:
    """One run of a chapter script; see the module doc."""

    def __init__(self, name, args, mode, namespace):
        self.name, self.args, self.mode, self.ns = name, args, mode, namespace
        self.prog = flags.PROGS[name]
        self.losses, self.mses, self.steps = [], [], []
        self.gradients = 0
        self.optimizers, self.loss_modules = {}, {}
        self.hooks, self.timer = [], None
        # `d2l.set_figsize()` makes an IPython shell, which installs its own
        # `__main__` and prompts: `python -i` would meet an empty namespace
        self.main = sys.modules.get('__main__')
        self.prompts = [p for p in ('ps1', 'ps2') if not hasattr(sys, p)]

    def data(self, true_w, true_b, features, labels):
        """Take the drawn data; the exercises' flags and --device act here
        (bench/variants.py)."""
        true_w, features, labels = variants.data(self.args, true_w,
                                                 features, labels)
        self.true_w, self.true_b = true_w, true_b
        self.features, self.labels = features, labels
        digest = hashlib.sha256(features.cpu().numpy())
        digest.update(labels.cpu().numpy())
        self.data_sha256 = digest.hexdigest()
        return true_w, features, labels

    def params(self, *params):
        """Take the initial parameters (`w, b`, or `net`), on --device, and
        start observing the training."""
        moved = variants.params(self.args, *params)
        self.w, self.b = ((moved[0].weight, moved[0].bias)
                          if len(params) == 1 else moved)
        self.initial = self.snapshot()
        self.initial_mse = self.mse()
        self.observe()
        return moved

    def observe(self):
        import torch
        from torch.nn.modules.module import register_module_forward_hook
        from torch.optim.optimizer import register_optimizer_step_post_hook

        def on_gradient(param):
            self.gradients += 1

        def on_step(optimizer, args, kwargs):
            if any(p is self.w for group in optimizer.param_groups
                   for p in group['params']):
                lr = optimizer.param_groups[0]['lr']
                self.optimizers[f'{type(optimizer).__name__}(lr={lr:g})'] = 1

        def on_forward(module, inputs, output):
            if isinstance(module, torch.nn.modules.loss._Loss):
                self.loss_modules[describe(module)] = 1
        self.hooks = [self.w.register_post_accumulate_grad_hook(on_gradient),
                      register_optimizer_step_post_hook(on_step),
                      register_module_forward_hook(on_forward)]

    def epoch(self, l):
        """Take an epoch's full-data loss; measure the MSE and the steps."""
        self.losses.append(float(l.detach().float().mean()))
        self.mses.append(self.mse())
        self.steps.append(self.gradients - sum(self.steps))

    def report(self, timer):
        """Take the script's Timer; print what ran, the JSON if asked, and
        where a run that diverged did so (exit 1 when run as a program)."""
        self.timer = timer
        for hook in self.hooks:
            hook.remove()
        self.hooks = []
        if self.mode == 'runner':
            return
        print(f'# {self.prog} ran: {self.summary()}')
        if self.args.json:
            faults.write_whole(json.dumps(strict(self.results())))
        diverged = self.diverged_at()
        if diverged:
            faults.say(self.prog, self.divergence(diverged))
        if self.mode == 'program':
            sys.modules['__main__'] = self.main  # `python -i`: the names
            for prompt in self.prompts:
                if hasattr(sys, prompt):
                    delattr(sys, prompt)
            faults.restore_signals()  # the prompt of `python -i`: its own
            if diverged and not sys.flags.interactive:
                sys.stdout.flush()
                raise SystemExit(1)

    # -- what ran ---------------------------------------------------------

    def summary(self):
        """One line: what the record observed, then the flags as typed."""
        steps = sorted(set(self.steps))
        parts = [f'{len(self.features)} examples',
                 f'{len(self.steps)} epochs of '
                 + (f'{steps[0]} steps' if len(steps) == 1 else
                    f'{self.steps} steps'),
                 f'data sha256 {self.data_sha256[:12]}']
        parts += [f'loss {name}' for name in self.loss_modules]
        parts += [f'optimizer {name}' for name in self.optimizers]
        typed = flags.shown(self.args.typed)
        return ', '.join(parts) + (f'; flags: {typed}' if typed else '')

    def diverged_at(self):
        """The first epoch whose MSE was past the starting one, if the run
        ended past it (or not finite); None for a run that did not."""
        start = self.initial_mse
        past = [not (math.isfinite(m) and m <= start) for m in self.mses]
        return past.index(True) + 1 if past and past[-1] else None

    def divergence(self, epoch):
        """The line for a run that diverged: where, and the number that
        caused it."""
        line = (f'diverged: the loss grew past where it started at epoch '
                f'{epoch} (MSE {self.initial_mse:.3g} -> {self.mses[-1]:.3g})')
        if math.isfinite(self.initial_mse):
            return line + '; try a smaller learning rate'
        if self.args.outlier is not None:
            return (line + f'; the labels (--outlier {self.args.outlier:g}) '
                    'overflow float32 from the start: try a smaller --outlier')
        return (line + '; the initial weights overflow float32 from the '
                'start: try a smaller --init-std')

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

    def results(self):
        """What --json prints."""
        params = self.snapshot()
        w, b = params[:-1], params[-1:]
        timer = self.timer
        result = {
            'impl': self.name,
            'flags': dict(self.args.typed),
            'num_examples': len(self.features),
            'steps_per_epoch': self.steps,
            'loss_modules': list(self.loss_modules),
            'optimizers': list(self.optimizers),
            'initial': self.initial.tolist(),
            'loss_per_epoch': self.losses,
            'mse_per_epoch': self.mses,
            'mse': self.mses[-1] if self.mses else None,
            'w': w.tolist(), 'b': b.tolist(),
            'w_error': (self.true_w.cpu() - w).tolist(),
            'b_error': (self.true_b - b).tolist(),
            'train_seconds': timer.sum() if timer else None,
            'epoch_seconds': timer.times if timer else [],
            'data_sha256': self.data_sha256,
        }
        diverged = self.diverged_at()
        if diverged:
            result['diverged_at_epoch'] = diverged
        return result


def describe(module):
    """A loss module by its class and settings: `MSELoss(reduction=...)`."""
    more = ''.join(f', {k}={getattr(module, k)!r}' for k in ('beta', 'delta')
                   if hasattr(module, k))
    return f'{type(module).__name__}(reduction={module.reduction!r}{more})'


def strict(value):
    """`value` with every NaN and infinity replaced by None: strict JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict(v) for v in value]
    return value
