"""How the runners (compare.sh, sweep.py, `python -m bench`) end: each
fault a user meets is one line and an exit status (2, bad input; 1, a run
that failed; 130, Ctrl-C), `| head` ends quietly, and no file is replaced
by a half-written one. A bug in a line the learner edited keeps Python's
traceback, and a classic mistake a hint. The rarer faults (a full disk, a
stdout that cannot encode, SIGTERM, SIGHUP) end as Python ends them.
"""
# Imported first of all, so that Ctrl-C is one line as soon as can be:
# what else it needs is imported where it is used
import os
import signal
import sys

INTERRUPTED = 130
OUT_OF_MEMORY = 'out of memory; try a smaller --num-examples'
# What the scripts import that `make setup` installs, and d2l imports
SET_UP = ('torch', 'torchvision', 'd2l', 'numpy', 'matplotlib',
          'matplotlib_inline', 'pandas', 'requests', 'scipy')


class Failed(Exception):
    """A run that could not finish; the message says why and what to do."""
    status = 1


class Refused(Failed):
    """Input that no run can use, found before anything trained."""
    status = 2


def say(prog, line):
    """Write `prog: line` to stderr."""
    print(f'{prog}: {line}', file=sys.stderr, flush=True)


def stop_at_once(prog):
    """Until `interruptible`, Ctrl-C ends the program at once, raising
    nothing into the imports (pybind11 aborts on it, matplotlib wraps it);
    a Ctrl-C ignored at the start (a background job) stays ignored."""
    def handler(signum, frame):
        os.write(2, f'{prog}: interrupted (Ctrl-C)\n'.encode())
        os._exit(INTERRUPTED)
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, handler)


def interruptible(prog):
    """From now on Ctrl-C raises KeyboardInterrupt, so that a runner keeps
    what it finished and removes its temporary files; one raised inside a
    finalizer, which Python would print and go on from, ends at once."""
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)

    def unraisable(info):
        if isinstance(info.exc_value, KeyboardInterrupt):
            os.write(2, f'{prog}: interrupted (Ctrl-C)\n'.encode())
            os._exit(INTERRUPTED)
        sys.__unraisablehook__(info)
    sys.unraisablehook = unraisable


def main(prog, work, argv):
    """The runners' one prologue: `work(argv)`'s exit status, each fault
    that a user meets as one line and a status."""
    stop_at_once(prog)
    try:
        return work(argv)
    except KeyboardInterrupt:
        say(prog, 'interrupted (Ctrl-C)')
        return INTERRUPTED
    except BrokenPipeError:  # `| head`: write no more, say nothing
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as error:
        status = fault(prog, error)
        if status is None:
            raise
        return status


def fault(prog, error):
    """Print the line that `error` ends in and return the exit status;
    None for a bug in the harness, which keeps its traceback."""
    if out_of_memory(error):
        say(prog, f'error: {OUT_OF_MEMORY}')
        return 1
    if isinstance(error, Failed):
        say(prog, f'error: {error}')
        return error.status
    if not_set_up(error):
        say(prog, f'error: no module {error.name}: this Python '
                  f'({sys.executable}) is not set up; run `make setup` and '
                  'use .venv/bin/python')
        return 1
    if getattr(error, 'script', None):
        print_bug(error)
        return 1
    return None


def not_set_up(error):
    """Whether `error` is a module missing that `make setup` installs."""
    import importlib.util
    name = (getattr(error, 'name', None) or '').split('.')[0]
    return isinstance(error, ImportError) and name in SET_UP and \
        importlib.util.find_spec(name) is None


def out_of_memory(error):
    """Whether `error` is Python's or torch's (CPU, CUDA) out of memory."""
    text = str(error)
    return isinstance(error, MemoryError) or isinstance(
        error, RuntimeError) and ('out of memory' in text
                                  or "can't allocate memory" in text)


def print_bug(error):
    """The traceback of a bug in a script a runner ran, from the script's
    first frame and without the runner's, then the hint for a classic
    mistake."""
    import traceback
    from bench import hints
    sys.stdout.flush()
    here = os.path.dirname(os.path.abspath(__file__))
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)
              if os.path.dirname(frame.filename) != here]
    while frames and frames[0].filename != error.script:
        frames.pop(0)  # the runner's own, before the script's
    if frames:
        print('Traceback (most recent call last):', file=sys.stderr)
    print(''.join(traceback.format_list(frames)
                  + traceback.format_exception_only(type(error), error)),
          end='', file=sys.stderr)
    hint = hints.hint(error)
    if hint:
        say(os.path.basename(error.script), f'hint: {hint}')


def write_json(value):
    """`value` as one line of strict JSON: NaN and infinity as null."""
    import json
    print(json.dumps(strict(value)), flush=True)


def strict(value):
    """`value` with every NaN and infinity replaced by None."""
    import math
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: strict(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict(item) for item in value]
    return value


def replace_whole(path, write):
    """Write `path` whole or not at all: `write(f)` fills a temporary file
    beside it, which then takes its place."""
    import tempfile
    folder = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(suffix='.tmp', dir=folder)
    try:
        with os.fdopen(fd, 'wb') as f:
            write(f)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:  # Ctrl-C too: leave nothing
        os.unlink(temporary)
        raise
