"""How the runners end: a fault a user meets in one line (2: bad input, as
argparse's; 1: a run failed; 130: Ctrl-C), `| head` quietly, a script's bug
as its traceback, with a hint for the classic mistakes; rare ones, Python's."""
# Imported first, for Ctrl-C's one line: the rest is imported where used
import argparse
import functools
import os
import signal
import sys
import traceback

from bench.text import _

INTERRUPTED = 130
CHILDREN = []  # the processes that a Ctrl-C ends with the runner


class Failed(Exception):
    """A run that could not finish; the message says why and what to do."""
    status = 1


class Refused(Failed):
    """Input that no run can use, found before anything trained."""
    status = 2


class Bug(Failed):
    """A bug in the script's code: (its traceback, what it printed)."""

    def __str__(self):
        return self.args[0]

    @property
    def out(self):
        return self.args[1]


class Parser(argparse.ArgumentParser):
    """argparse with errors in one line, and no abbreviated flags."""

    def __init__(self, **kwargs):
        super().__init__(allow_abbrev=False, **kwargs)

    def error(self, message):
        self.exit(2, _('{0}: error: {1}\n', self.prog, message))


def say(prog, line):
    """Write `prog: line` to stderr."""
    print(f'{prog}: {line}', file=sys.stderr, flush=True)


def end_children():
    """End the processes of the scripts, which ignore Ctrl-C."""
    for pid in CHILDREN:
        try:
            os.kill(pid, signal.SIGTERM)
        except (OSError, TypeError):  # ended already, or never started
            pass


def end_now(prog, *signal_and_frame):
    """End the program at once, in the one line of Ctrl-C."""
    end_children()
    line = _('interrupted (Ctrl-C)')
    os.write(2, f'{prog}: {line}\n'.encode())
    os._exit(INTERRUPTED)


def on_ctrl_c(handler):
    """Handle Ctrl-C, unless ignored at the start (a background job)."""
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, handler)


def main(prog, work, argv):
    """`work(argv)`'s exit status, or a fault's; Ctrl-C ends at once."""
    on_ctrl_c(functools.partial(end_now, prog))
    try:
        return work(sys.argv[1:] if argv is None else list(argv))
    except OSError as error:  # `| head`, quietly; a full disk, one line
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        if isinstance(error, BrokenPipeError):
            return 141
        say(prog, _('error: {0}', error.strerror or error))
        return 1
    except Bug as bug:
        sys.stdout.flush()
        print(bug, end='', file=sys.stderr, flush=True)
        return bug.status
    except Failed as error:
        sys.stdout.flush()
        say(prog, _('error: {0}', error))
        return error.status


def set_up():
    """`Failed` where this Python lacks what the scripts import."""
    import importlib.util
    for module in ('torch', 'd2l', 'matplotlib'):
        if importlib.util.find_spec(module) is None:
            raise Failed(_('this Python ({0}) has no {1}: run them with '
                           '.venv/bin/python (`make setup`)', sys.executable,
                           module))


HINTS = {
    "No module named 'timer'": _('the script imports `timer`: copy timer.py '
                                 "beside it (ours, or d2l 3.1's Timer)"),
    "'NoneType' object has no attribute 'zero_'": _(
        '`param = param - ...` makes a new tensor, without a gradient; update '
        'it in place: `param -= lr * param.grad / batch_size`'),
    'leaf Variable that requires grad is being used in an in-place': _(
        'autograd records every operation on `w` and `b`, the update too; '
        'update them under `with torch.no_grad():`, as `sgd` does'),
    'grad can be implicitly created only for scalar outputs': _(
        '`backward` needs a scalar, and the loss is one per example: sum it, '
        '`l.sum().backward()` (then `sgd` divides by the batch size)'),
    'backward through the graph a second time': _(
        'one `backward` per forward pass: compute `l = loss(...)` again'),
    # `nn.MSELoss(net(X), y)`: the data go to (size_average, reduce)
    'legacy_get_string': _('`nn.MSELoss()` makes a loss function; call that '
                           'on the data: `loss = nn.MSELoss()`, then `loss('
                           'net(X), y)`'),
}


def hint(error):
    """The hint for `error`, from its message or traceback, or None."""
    frames = traceback.format_tb(error.__traceback__)
    text = str(error) + ''.join(frames)
    for message, advice in HINTS.items():
        if message in text:
            return advice
    return None
