"""How the runners end: a fault a user meets in one line (2: bad input; 1:
a run failed; 130: Ctrl-C), `| head` quietly, no file half-written, a
bug's traceback with a hint; rarer faults as Python ends them."""
# Imported first, for Ctrl-C's one line: the rest is imported where used
import contextlib
import functools
import os
import signal
import sys

INTERRUPTED = 130
OUT_OF_MEMORY = 'out of memory; try a smaller --num-examples'
# What `make setup` installs that the scripts and d2l import
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


def end_now(prog, *signal_and_frame):
    """End the program at once, in the one line of Ctrl-C."""
    os.write(2, f'{prog}: interrupted (Ctrl-C)\n'.encode())
    os._exit(INTERRUPTED)


def on_ctrl_c(handler):
    """Handle Ctrl-C, unless ignored at the start (a background job)."""
    if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
        signal.signal(signal.SIGINT, handler)


def interruptible(prog):
    """From now on Ctrl-C raises, so that a runner keeps what it did."""
    on_ctrl_c(signal.default_int_handler)

    def unraisable(info):
        if isinstance(info.exc_value, KeyboardInterrupt):
            end_now(prog)
        sys.__unraisablehook__(info)
    sys.unraisablehook = unraisable


def main(prog, work, argv):
    """The runners' one prologue: `work(argv)`'s exit status, or a fault's.
    Till `interruptible`, Ctrl-C ends at once, raising nothing in imports."""
    on_ctrl_c(functools.partial(end_now, prog))
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
    """Print `error`'s line and return its status; None for our bug."""
    if out_of_memory(error):
        say(prog, f'error: {OUT_OF_MEMORY}')
        return 1
    if isinstance(error, Failed):
        say(prog, f'error: {error}')
        return error.status
    if not_set_up(error):
        say(prog, f'error: no module {error.name}: this Python '
                  f'({sys.executable}) is not set up; run `make setup`')
        return 1
    if getattr(error, 'script', None):
        print_bug(error)
        return 1
    return None


def not_set_up(error):
    """Whether `error` is a module of SET_UP that is not installed."""
    import importlib.util
    name = (getattr(error, 'name', None) or '').split('.')[0]
    return isinstance(error, ImportError) and name in SET_UP and \
        importlib.util.find_spec(name) is None


def out_of_memory(error):
    """Whether `error` is Python's or torch's (CPU, CUDA) out of memory."""
    text = str(error)
    if isinstance(error, MemoryError):
        return True
    return isinstance(error, RuntimeError) and (
        'out of memory' in text or "can't allocate memory" in text)


def print_bug(error):
    """The traceback of the script's bug, without the runner's frames."""
    import traceback
    from bench import hints
    with contextlib.suppress(OSError, AttributeError):  # a full disk
        sys.stdout.flush()  # what the script printed, first
    here = os.path.dirname(os.path.abspath(__file__))
    frames = traceback.extract_tb(error.__traceback__)
    frames = [f for f in frames if os.path.dirname(f.filename) != here]
    while frames and frames[0].filename != error.script:
        frames.pop(0)  # the runner's own, before the script's
    lines = traceback.format_list(frames)
    lines += traceback.format_exception_only(type(error), error)
    if frames:
        lines.insert(0, 'Traceback (most recent call last):\n')
    print(''.join(lines), end='', file=sys.stderr)
    hint = hints.hint(error)
    if hint:
        say(os.path.basename(error.script), f'hint: {hint}')


def write_json(value):
    """`value` as one line of strict JSON: NaN and infinity as null."""
    import json
    loose = json.dumps(value)  # with NaN and Infinity, which JSON has not
    strict = json.loads(loose, parse_constant=lambda constant: None)
    print(json.dumps(strict), flush=True)


def replace_whole(path, write):
    """Write `path` whole or not at all, through a temporary file."""
    import tempfile
    folder = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(suffix='.tmp', dir=folder)
    umask = os.umask(0)
    os.umask(umask)
    try:
        with os.fdopen(fd, 'wb') as f:
            write(f)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except BaseException:  # Ctrl-C too: leave nothing
        os.unlink(temporary)
        raise
