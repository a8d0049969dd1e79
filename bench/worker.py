"""A script's own process: its runs, one at a time, each as `python SCRIPT`
runs it (from its folder, its folder first on sys.path, its argv, every
generator seeded), watched (bench/watch.py); what ran goes back to the
runner through a pipe, a fault too. Nothing of another script is here."""
import importlib
import linecache
import os
import sys
import traceback
import types
from pathlib import Path

from bench import contract, faults, hints
from bench.faults import Failed
from bench.text import _

ROOT = str(Path(__file__).resolve().parents[1])


def serve(pipe):
    """Answer the runner's requests until it closes the pipe."""
    for name in ('computation', 'watch'):  # while this checkout is on
        importlib.import_module(f'bench.{name}')  # sys.path
    base = [path for path in sys.path if path and (  # not this checkout's
        'site-packages' in path or not path.startswith(ROOT))]
    ran = None  # (run, watch, script) of the last 'analyse'
    while True:
        try:
            what, script, environment = pipe.recv()
        except EOFError:
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
    stdout = sys.stdout
    stderr = sys.stderr
    os.chdir(os.path.dirname(script.path))
    sys.path[:] = [str(Path(script.path).resolve().parent), *base]
    sys.argv = [script.path, *script.argv]
    sys.modules['__main__'] = module
    lines = script.source.splitlines(True)
    linecache.cache[script.path] = (len(script.source), None, lines,
                                    script.path)
    seed_all(contract.SEED)
    watch.hook()
    sys.stdout = watch.out
    sys.stderr = watch.err
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
        sys.stdout = stdout
        sys.stderr = stderr
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
    found = computation.contradictions(run, watch, script.argv)
    if found:
        raise Failed(_('{0} ran {1}: not what was asked', watch.file,
                       '; '.join(found)))
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
        argv = [*script.argv, '--lr', repr(factor * run.lr)]
        half = watching.Watch(script.path, half=True)
        execute(script.with_argv(argv), half, base)
        gaps.append(computation.gap(watch, half))
    return gaps


def fault(error, script):
    """The fault to send: `error`, out of memory, or a `Bug`."""
    text = str(error)
    if isinstance(error, Failed):
        return error
    if isinstance(error, MemoryError) or 'out of memory' in text or \
            'allocate memory' in text:
        return Failed(_('out of memory; try a smaller '
                               '--num-examples'))
    frames = traceback.extract_tb(error.__traceback__)
    files = [frame.filename for frame in frames]
    ours = [name for name in files if Path(name).parent == Path(__file__)
            .parent]
    if script.path not in files or ours:  # a bug of the runners': all of it
        return faults.Bug(traceback.format_exc(), '')
    frames = frames[files.index(script.path):]  # from the script's own
    lines = ['Traceback (most recent call last):\n']
    lines += traceback.format_list(frames)
    lines += traceback.format_exception_only(type(error), error)
    hint = hints.hint(error)
    if hint:
        lines.append(f'{script.file}: hint: {hint}\n')
    return faults.Bug(''.join(lines), getattr(error, 'out', ''))
