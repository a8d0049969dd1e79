"""How the runners end: a fault a user meets in one line (2: bad input; 1:
a run failed; 130: Ctrl-C), `| head` quietly, no file half-written, a
script's bug as its traceback with a hint; rarer faults as Python ends
them. The faults pass from a script's process to the runner whole."""
# Imported first, for Ctrl-C's one line: the rest is imported where used
import functools
import os
import signal
import sys

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
    os.write(2, f'{prog}: {_("interrupted (Ctrl-C)")}\n'.encode())
    os._exit(INTERRUPTED)


def on_ctrl_c(handler):
    """Handle Ctrl-C, unless ignored at the start (a background job)."""
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, handler)


def main(prog, work, argv):
    """`work(argv)`'s exit status, or a fault's; Ctrl-C ends at once."""
    on_ctrl_c(functools.partial(end_now, prog))
    try:
        return work(argv)
    except BrokenPipeError:  # `| head`: write no more, say nothing
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
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
