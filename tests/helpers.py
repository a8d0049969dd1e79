"""What the tests share: run a script file in-process, as `python` runs it,
and the functions its chapter defines."""
import functools
import runpy
import signal
import sys
import types

from bench import faults, runner


def program(name, *argv, path=None):
    """`python linreg_{name}.py *argv` (or the file at `path`), run in this
    process: its exit status, with the one-line fault that its
    `sys.excepthook` would print. Output goes to the test's capsys."""
    path = str(path or runner.script_file(name))
    saved = (sys.argv, sys.excepthook, sys.stdout, sys.stderr,
             {sig: signal.getsignal(sig) for sig in faults.SIGNALS})
    sys.argv = [path, *argv]
    try:
        runpy.run_path(path, run_name='__main__')
        return 0
    except SystemExit as stop:  # argparse's line is printed; a divergence
        return stop.code
    except BaseException as error:
        status = faults.fault(name, error)
        if status is None:  # no fault but a bug: the test shows it
            raise
        return status
    finally:
        sys.argv, sys.excepthook, sys.stdout, sys.stderr, handlers = saved
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


def run(name, *argv, **options):
    """linreg_{name}.py run quietly with these flags; return its Record."""
    return runner.run(name, argv=argv, **options)


@functools.lru_cache(maxsize=None)
def results(name, *argv):
    """What linreg_{name}.py --json would print, as a dict (runs are
    seeded, so a second call reuses the first's)."""
    return run(name, *argv).results()


@functools.lru_cache(maxsize=None)
def chapter(name):
    """The names linreg_{name}.py defines (`squared_loss`, `sgd`,
    `load_array`, ...), from one small run of the file."""
    return types.SimpleNamespace(**run(name, '--num-examples', '20',
                                       '--num-epochs', '1').ns)


def one_line(text):
    """The only line of `text`; fails unless there is exactly one."""
    lines = text.strip().splitlines()
    assert len(lines) == 1, lines
    assert 'Traceback' not in text
    return lines[0]
