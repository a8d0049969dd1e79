"""Run a chapter script file in a namespace of ours, as `python` runs it,
with the exercises' edits made in memory; the least-squares fit."""
import contextlib
import linecache
import os
import sys

from bench import edits, faults, flags, watch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def script_file(name):
    """The path of linreg_{name}.py in this checkout."""
    return os.path.join(ROOT, flags.PROGS[name])


def resolve_device(name):
    """Map --device to an available device; `Refused` if it is not."""
    import torch
    available = {'cpu': True, 'cuda': torch.cuda.is_available(),
                 'mps': torch.backends.mps.is_available()}
    if name == 'auto':
        name = next(n for n in ('cuda', 'mps', 'cpu') if available[n])
    if not available[name]:
        raise faults.Refused(f'argument --device: no {name} device is '
                             f'available to this torch {torch.__version__}')
    return name


def execute(path, argv=(), options=None, echo=False, changes=()):
    """The `watch.Run` of the script at `path` run with `argv` and the edits
    that `options` (and `changes`) ask for; `echo` shows what it prints."""
    with open(path, encoding='utf-8') as f:
        source = f.read()
    impl = 'concise' if 'def load_array(' in source else 'scratch'
    options = options or split(())[0]  # no edits: the book's lines
    options.device = resolve_device(options.device)
    source, made = edits.apply(source, [*edits.wanted(impl, options),
                                        *changes])
    made = [edit.shown(os.path.basename(path)) for edit in made]
    for line in made if echo else ():
        print(line)
    parser, args = flags.script_args(flags.PROGS[impl], path, argv)
    ns = {'__name__': '__main__', '__file__': path}
    seen = watch.Watch(ns)
    # A traceback shows the edited lines, at the file's line numbers
    linecache.cache[path] = (len(source), None, source.splitlines(True),
                             path)
    saved = sys.argv, sys.modules.get('timer')
    sys.argv, sys.modules['timer'] = [path, *argv], seen.timer_module()
    out = watch.Tee(sys.stdout if echo else None)
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(source, path, 'exec'), ns)
    except Exception as error:  # the script's bug: its traceback, its hint
        if faults.out_of_memory(error):  # a sweep goes on from this point
            raise faults.Failed(faults.OUT_OF_MEMORY) from error
        error.script = path
        raise
    finally:
        sys.argv = saved[0]
        sys.modules['timer'] = saved[1] or sys.modules.pop('timer')
    if seen.initial is None:
        raise faults.Failed(f'{os.path.basename(path)} never started its '
                            'Timer, around its training: nothing to watch')
    typed = dict(flags.typed(parser, args),
                 **flags.typed(flags.edits_parser(), options))
    return watch.result(impl, seen, typed, made, out.getvalue())


def split(argv):
    """(the edits' options, the script's argv) of a command line."""
    return flags.edits_parser().parse_known_args(list(argv))


def run(name, argv=(), options=None, **more):
    """linreg_{name}.py run by `execute`; without `options`, from `argv`."""
    if options is None:
        options, argv = split(argv)
    return execute(script_file(name), argv, options, **more)


def path_gap(one, other):
    """The largest parameter gap where both are finite, relative to the
    parameter once it passes 1 (a run that blows up rounds)."""
    import torch
    a, b = torch.stack(one).double(), torch.stack(other).double()
    finite = torch.isfinite(a).all(1) & torch.isfinite(b).all(1)
    a, b = a[finite], b[finite]
    size = torch.maximum(torch.maximum(a.abs(), b.abs()), torch.ones(1))
    return float(((a - b).abs() / size).max()) if len(a) else float('nan')


def least_squares(run):
    """The closed-form fit on a run's data, in float64: the lowest MSE any
    line reaches there, and its errors."""
    import torch
    ns = run.seen.ns
    features = ns['features'].cpu().double()
    X = torch.cat([features, torch.ones(len(features), 1,
                                        dtype=torch.float64)], 1)
    y = ns['labels'].cpu().double().reshape(-1, 1)
    solution = torch.linalg.lstsq(X, y).solution.reshape(-1)
    w, b = solution[:-1], solution[-1:]
    return {'mse': float(((X @ solution - y.reshape(-1)) ** 2).mean()),
            'w': w.tolist(), 'b': b.tolist(),
            'w_error': (ns['true_w'].cpu().double() - w).tolist(),
            'b_error': (ns['true_b'] - b).tolist()}
