"""One line and an exit status for each fault a user meets in a runner
(compare.sh, sweep.py, `python -m bench`): 2, bad input; 1, a run that
failed; 130, Ctrl-C; 143, SIGTERM; 141, a closed pipe, quietly; and output
that no fault leaves half-written (a JSON line, a file). A bug in a line
the learner edited keeps Python's traceback, and a classic mistake a hint.
"""
# Imported first of all, so that a Ctrl-C is one line as soon as can be:
# what else it needs is imported where it is used
import contextlib
import io
import os
import signal
import sys

SIGNALS = {signal.SIGINT: (130, 'interrupted (Ctrl-C)'),
           signal.SIGTERM: (143, 'terminated')}


OUT_OF_MEMORY = 'out of memory; try a smaller --num-examples'


class Failed(Exception):
    """A run that could not finish; the message says why and what to do."""
    status = 1


class Refused(Failed):
    """A value that only torch could check, such as a missing device."""
    status = 2


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that a runner's clean-up runs."""
    signum = signal.SIGTERM  # a bare KeyboardInterrupt is SIGINT's


def say(prog, line):
    """Write `prog: line` to stderr; a stderr that fails drops it."""
    with contextlib.suppress(OSError, ValueError):
        print(f'{prog}: {line}', file=sys.stderr, flush=True)


def on_signals(handler):
    """Handle Ctrl-C and SIGTERM with `handler`, but leave ignored a signal
    ignored at start (`nohup`, a background job)."""
    for sig in SIGNALS:
        if signal.getsignal(sig) is not signal.SIG_IGN:
            signal.signal(sig, handler)


def end_at_once(prog, signum):
    """End the program now, in the signal's one line and exit status."""
    status, line = SIGNALS[signum]
    with contextlib.suppress(Exception):
        sys.stdout.flush()  # what was printed stays printed
    try:
        os.write(2, f'{prog}: {line}\n'.encode())
    finally:
        os._exit(status)


def exit_at_once(prog):
    """From now on a signal ends the program at once, raising nothing: in
    the imports, pybind11 aborts on one and matplotlib wraps one."""
    on_signals(lambda signum, frame: end_at_once(prog, signum))


def raise_on_signals(prog):
    """From now on Ctrl-C raises KeyboardInterrupt and SIGTERM Terminated,
    so that a runner keeps what it finished and leaves no file half-made;
    one raised in a finalizer, which Python would print and go on from,
    ends the program at once."""
    def handler(signum, frame):
        raise KeyboardInterrupt() if signum == signal.SIGINT else Terminated()
    on_signals(handler)

    def unraisable(info):
        if isinstance(info.exc_value, KeyboardInterrupt):
            end_at_once(prog, getattr(info.exc_value, 'signum',
                                      signal.SIGINT))
        sys.__unraisablehook__(info)
    sys.unraisablehook = unraisable


def safe_streams():
    """Escape what a stream cannot encode (a redirected stdout on Windows),
    and put a buffer under unbuffered output (-u), which writes the rest
    of a short write or fails where the bare file drops it."""
    for name in ('stdout', 'stderr'):
        stream = getattr(sys, name)
        if not isinstance(stream, io.TextIOWrapper):
            continue
        if isinstance(stream.buffer, io.FileIO):  # closefd: the fd stays
            raw = io.FileIO(stream.fileno(), 'w', closefd=False)
            setattr(sys, name, io.TextIOWrapper(
                io.BufferedWriter(raw), encoding=stream.encoding,
                errors='backslashreplace', line_buffering=True))
        else:
            stream.reconfigure(errors='backslashreplace')


def write_whole(text):
    """Write `text` and a newline to stdout whole or fail; a signal waits
    until it is out (POSIX)."""
    block = getattr(signal, 'pthread_sigmask', lambda *args: None)
    held = block(signal.SIG_BLOCK, SIGNALS)
    try:
        sys.stdout.write(text + '\n')
        sys.stdout.flush()
    finally:
        if held is not None:
            block(signal.SIG_SETMASK, held)


def write_json(value):
    """`value` as one line of strict JSON (NaN and infinity as null),
    written whole."""
    import json
    write_whole(json.dumps(strict(value)))


def strict(value):
    """`value` with every NaN and infinity replaced by None."""
    import math
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict(v) for v in value]
    return value


def replace_whole(path, write):
    """Write `path` (the file a link names) whole or not at all: `write(f)`
    fills a temporary sibling, renamed over it with the old file's mode or
    the umask's."""
    import tempfile
    target = os.path.realpath(path)
    umask = os.umask(0)
    os.umask(umask)
    try:
        mode = os.stat(target).st_mode & 0o7777
    except OSError:
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix='.' + os.path.basename(target),
                               suffix='.tmp', dir=os.path.dirname(target))
    try:
        with os.fdopen(fd, 'wb') as f:
            write(f)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:  # Ctrl-C and SIGTERM too: leave nothing
        os.unlink(tmp)
        raise


def out_of_memory(error):
    """Whether `error` is Python's or torch's (CPU, CUDA) out of memory."""
    return isinstance(error, MemoryError) or isinstance(
        error, RuntimeError) and ('out of memory' in str(error)
                                  or "can't allocate memory" in str(error))


def fault(prog, error):
    """Print the one line that `error` ends in and return the exit status;
    None for a bug, whose traceback shows where."""
    import importlib.util
    if isinstance(error, KeyboardInterrupt):  # Terminated too
        status, line = SIGNALS[getattr(error, 'signum', signal.SIGINT)]
        say(prog, line)
        return status
    if isinstance(error, BrokenPipeError):  # `| head`: write no more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    if out_of_memory(error):
        say(prog, f'error: {OUT_OF_MEMORY}')
        return 1
    if isinstance(error, Failed):
        say(prog, f'error: {error}')
        return error.status
    name = (getattr(error, 'name', None) or '').split('.')[0]
    if isinstance(error, ImportError) and name and \
            importlib.util.find_spec(name) is None:
        say(prog, f'error: no module {name}: this Python ({sys.executable}) '
                  'is not set up; run `make setup` and use .venv/bin/python')
        return 1
    if isinstance(error, OSError):
        say(prog, f'error: {error.strerror or error}'
                  + (f': {error.filename}' if error.filename else ''))
        return 1
    return None


def print_bug(error):
    """The traceback of a bug in a script a runner ran, from the script's
    first frame, then the hint for a classic mistake."""
    import traceback
    from bench import hints
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != error.script:
        tb = tb.tb_next
    traceback.print_exception(type(error), error, tb or error.__traceback__)
    hint = hints.hint(error)
    if hint:
        say(os.path.basename(error.script), f'hint: {hint}')


def guarded(prog, body):
    """Run `body()` for a runner: each fault one line and an exit status,
    a bug in a script it ran the script's traceback."""
    safe_streams()
    try:
        status = body()
        sys.stdout.flush()  # a full disk shows here, not at exit
        return status
    except (KeyboardInterrupt, Exception) as error:
        status = fault(prog, error)
        if status is None and getattr(error, 'script', None):
            sys.stdout.flush()
            print_bug(error)
            status = 1
        elif status is None:
            raise
        try:
            sys.stdout.flush()
        except (OSError, ValueError):  # a full disk: Python's own flush at
            devnull = os.open(os.devnull, os.O_WRONLY)  # exit would fail
            os.dup2(devnull, sys.stdout.fileno())
        return status
