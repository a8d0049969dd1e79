"""What the tests share: run a script file in-process, as `python` runs it,
and the functions its chapter defines."""
import contextlib
import copy
import functools
import io
import runpy
import signal
import sys
import types

import commands
from bench import cli, lab


def program(name, *argv, path=None):
    """`python linreg_{name}.py *argv` (or the file at `path`), run in this
    process: its exit status, with the one-line faults that its
    `sys.excepthook` would print. Output goes to the test's capsys."""
    path = str(path or lab.script_file(name))
    saved = sys.argv, sys.excepthook, {sig: signal.getsignal(sig)
                                       for sig in cli.HANDLED}
    sys.argv = [path, *argv]
    try:
        runpy.run_path(path, run_name='__main__')
        return 0
    except SystemExit as stop:  # argparse: its one line is printed
        return stop.code
    except BaseException as error:
        owner = getattr(sys.excepthook, '__self__', None)
        status = owner.fault(error) if isinstance(owner, lab.Lab) else None
        if status is None:  # no fault but a bug: the test shows it
            raise
        return status
    finally:
        sys.argv, sys.excepthook, handlers = saved
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


class Script:
    """linreg_{name}.py: `main(argv)` runs it as a program."""

    def __init__(self, name):
        self.name = name

    def main(self, argv=()):
        return program(self.name, *argv)


SCRIPTS = {'scratch': Script('scratch'), 'concise': Script('concise')}


def run(name, *argv, **options):
    """linreg_{name}.py run quietly with these flags; return its Lab."""
    with contextlib.redirect_stdout(io.StringIO()):
        return lab.run(name, argv=list(argv), **options)


def results(name, *argv):
    """What linreg_{name}.py --json would print, as a dict. Runs are
    seeded, so a second call with the same flags reuses the first's."""
    return copy.deepcopy(_results(name, *argv))


@functools.lru_cache(maxsize=None)
def _results(name, *argv):
    found = commands.prefetched((name, *argv))
    return found if found is not None else run(name, *argv).results()


@functools.lru_cache(maxsize=None)
def chapter(name):
    """The names linreg_{name}.py defines (`squared_loss`, `sgd`,
    `load_array`, ...), from one small run of the file."""
    return types.SimpleNamespace(**lab.definitions(name))


def one_line(text):
    """The only line of `text`; fails unless there is exactly one."""
    lines = text.strip().splitlines()
    assert len(lines) == 1, lines
    assert 'Traceback' not in text
    return lines[0]
