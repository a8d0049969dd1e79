"""A script's own process: each run as `python SCRIPT` runs it (its folder,
sys.path, argv), watched; what ran, or a fault, goes back through a pipe."""
import contextlib
import linecache
import logging
import multiprocessing
import os
import sys
import traceback
import types
from pathlib import Path

from bench import contract, faults
from bench.faults import Failed
from bench.text import _

ROOT = str(Path(__file__).resolve().parents[1])
PASSING = ('execute', 'import_', 'build_class')  # a script's call, passed on


def serve(pipe):
    """Answer the runner's requests until it closes the pipe."""
    multiprocessing.current_process().daemon = False  # as `python` starts:
    multiprocessing.set_start_method(None, force=True)  # DataLoader workers
    from bench import computation, watch  # noqa: F401, from this checkout
    base = [path for path in sys.path if path and (  # not this checkout's
        'site-packages' in path or not path.startswith(ROOT))]
    ran = None  # (run, watch, script) of the last 'analyse'
    while True:
        try:
            what, script, environment = pipe.recv()
        except (EOFError, OSError):  # the runner has ended
            return
        os.environ.clear()
        os.environ.update(environment)
        try:
            if what == 'analyse':
                ran = analyse(script, base)
                answer = ran[0]
            elif what == 'time':  # the script as analysed, seeded
                answer = timed(ran[2], base)
            else:
                answer = equivalence(ran, base)
        except Exception as error:
            answer = fault(error, script)
        with contextlib.suppress(OSError):  # the runner has ended
            pipe.send(answer)


def seed_all(seed):
    """`runner_seed`: the generators of `random`, numpy and torch."""
    import random
    import numpy
    import torch
    random.seed(seed)
    numpy.random.seed(seed)
    torch.random.default_generator.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)


def execute(script, watch, base):
    """Run `script` as `python` runs it, watched by `watch`: the watch."""
    module = types.ModuleType('__main__')
    module.__file__ = script.path
    module.__builtins__ = watch.builtins(seed_all)
    main = sys.modules['__main__']
    os.chdir(os.path.dirname(script.path))
    sys.path[:] = [str(Path(script.path).resolve().parent), *base]
    sys.argv = [script.path, *script.argv]
    sys.modules['__main__'] = module
    lines = script.source.splitlines(True)
    linecache.cache[script.path] = (len(script.source), None, lines,
                                    script.path)
    seed_all(contract.SEED)
    logging.root.handlers.clear()  # as at the start of a Python
    watch.hook()
    try:
        exec(compile(script.source, script.path, 'exec'), module.__dict__)
    except SystemExit as stop:  # 0 after a step: a run, as it ended
        if stop.code or not watch.seconds:
            raise Failed(_('{0} ended early: sys.exit({1})', script.file,
                           repr(stop.code)))
    except Exception as error:
        error.out = watch.out.getvalue()
        raise
    finally:
        sys.modules['__main__'] = main
        watch.end()
    return watch


def analyse(script, base):
    """(its `Run`, its watch, itself as run, seeded if it sets no seed)."""
    from bench import computation, watch as watching
    watch = watching.Watch(script.path, scout=True)
    seeded = 'script'
    try:
        execute(script, watch, base)
    except watching.Scouted as drawn:
        line = drawn.args[0]
        edit = contract.seed_edit(script.source, line) if line else None
        script = script.edited(*edit) if edit else script
        seeded = 'runner' if edit else 'runner at the start'
        watch = execute(script, watching.Watch(script.path), base)
    run = computation.read(watch, script)
    run.seeded = seeded
    run.flags = script.argv
    run.out = watch.out.getvalue()
    run.err = watch.err.getvalue()
    computation.check(run, watch, script.argv)
    return run, watch, script


def timed(script, base):
    """The runner's clock at each `backward()` of a run, and no more."""
    from bench import watch
    return execute(script, watch.Watch(script.path, timed=True),
                   base).seconds


def equivalence(ran, base):
    """The gaps from the run of half its loss at 2 lr, and at lr."""
    from bench import computation, watch as watching
    run, watch, script = ran
    gaps = []
    for factor in (2, 1):
        argv = [*script.argv, contract.LR, repr(round(factor * run.lr, 6))]
        half = watching.Watch(script.path, half=True)
        execute(script.with_argv(argv), half, base)
        computation.check(computation.read(half, script), half, argv)
        gaps.append(computation.gap(watch, half))
    return gaps


def fault(error, script):
    """The fault to send: `error`, out of memory, or a `Bug`."""
    text = str(error)
    if isinstance(error, Failed):
        return error
    memory = 'out of memory' in text or 'allocate memory' in text
    if isinstance(error, MemoryError) or memory:
        return Failed(_('out of memory; try a smaller --num-examples'))
    frames = traceback.extract_tb(error.__traceback__)
    here = str(Path(__file__).parent)
    inner = frames[-1]
    passed = inner.filename.startswith(here) and inner.name in PASSING
    files = [frame.filename for frame in frames]
    if not passed and (script.path not in files or inner.filename.startswith(
            here)):
        return faults.Bug(traceback.format_exc(), '')  # a bug of ours
    frames = [f for f in frames if not f.filename.startswith(here)]
    lines = ['Traceback (most recent call last):\n'] if frames else []
    lines += traceback.format_list(frames)  # none: the script's SyntaxError
    lines += traceback.format_exception_only(type(error), error)
    hint = faults.hint(error)
    if hint:
        lines.append(_('{0}: hint: {1}', script.file, hint) + '\n')
    return faults.Bug(''.join(lines), getattr(error, 'out', ''))
