"""Run a chapter script file in a namespace of ours, as `python` runs it,
with the exercises' edits made in memory; replay its steps; the
closed-form least-squares fit."""
import contextlib
import copy
import linecache
import os
import random
import sys
from dataclasses import dataclass

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
    typed = dict(flags.typed(parser, args), **flags.typed_edits(options))
    return watch.result(impl, seen, typed, made, out.text())


def split(argv):
    """(the edits' options, the script's argv) of a command line."""
    return flags.edits_parser().parse_known_args(list(argv))


def run(name, argv=(), options=None, **more):
    """linreg_{name}.py run by `execute`; without `options`, from `argv`."""
    if options is None:
        options, argv = split(argv)
    return execute(script_file(name), argv, options, **more)


# -- replays --------------------------------------------------------------

def batches(ns):
    """A pass of a run's own data iterator, called as its loop calls it."""
    batches = ns['data_iter']
    if hasattr(batches, '__iter__'):
        return batches
    return batches(ns['batch_size'], ns['features'], ns['labels'])


def own_batches(run):
    """The batches each epoch of `run` drew, drawn again from the random
    states its Timer saw as the epoch started."""
    import torch
    ns, saved = run.seen.ns, (random.getstate(), torch.get_rng_state())
    order = []
    try:
        for state, torch_state in run.seen.states:
            random.setstate(state)
            torch.set_rng_state(torch_state)
            order.append(list(batches(ns)))
    finally:
        random.setstate(saved[0])
        torch.set_rng_state(saved[1])
    return order


def optimizer_of(run):
    """The optimizer in the run's namespace that holds its parameters."""
    import torch
    first = run.seen.params()[0]
    for value in list(run.seen.ns.values()):
        if isinstance(value, torch.optim.Optimizer) and any(
                p is first for group in value.param_groups
                for p in group['params']):
            return value
    return None


def fresh(run, start):
    """New parameters set to the flat `start`, and the run's model on them."""
    import torch
    ns = run.seen.ns
    if isinstance(ns.get('net'), torch.nn.Module):
        net = copy.deepcopy(ns['net'])
        params, forward = list(net.parameters()), net
    else:
        params = [ns[n].detach().clone() for n in ('w', 'b')]
        forward = lambda X: ns['net'](X, *params)  # noqa: E731
    sizes = [p.numel() for p in params]
    with torch.no_grad():
        for p, part in zip(params, start.split(sizes)):
            p.copy_(part.reshape(p.shape).to(p.device))
    return [p.requires_grad_() for p in params], forward


def replay(run, start, order, lr=None):
    """The parameters after every step of the run's own model, loss and
    update (its optimizer, else its `sgd`) from `start` over the batches
    `order`, at `lr` (None: its own)."""
    ns = run.seen.ns
    params, forward = fresh(run, start)
    optimizer = optimizer_of(run)
    if optimizer is not None:
        lr = optimizer.param_groups[0]['lr'] if lr is None else lr
        optimizer = type(optimizer)(params, **dict(optimizer.defaults,
                                                   lr=lr))
    path = [watch.snapshot(params)]
    for batches in order:
        for X, y in batches:
            l = ns['loss'](forward(X), y)
            if optimizer is not None:
                optimizer.zero_grad()
            l.sum().backward()
            if optimizer is not None:
                optimizer.step()
            else:
                ns['sgd'](params, ns['lr'] if lr is None else lr,
                          ns['batch_size'])
            path.append(watch.snapshot(params))
    return path


def reproduces(run):
    """(its own batches, its replay over them) where the replay lands where
    the run did at each epoch's end, and so is what ran; else None."""
    try:
        order = own_batches(run)
        path = replay(run, run.seen.initial, order)
    except Exception:  # an edit that the replay does not follow
        return None
    ends, step = [], 0
    for batches in order:
        step += len(batches)
        ends.append(path[step])
    landed = len(ends) == len(run.seen.snapshots) and all(
        path_gap([a], [b]) <= 1e-6 or not (a.isfinite().all() and
                                           b.isfinite().all())
        for a, b in zip(ends, run.seen.snapshots))
    return (order, path) if landed else None


def describe(run):
    """Name the run's loss module and optimizer where `reproduces` shows
    that they ran; return its answer."""
    import torch
    checked = reproduces(run)
    if checked is None:
        return None
    loss, optimizer = run.seen.ns['loss'], optimizer_of(run)
    if isinstance(loss, torch.nn.Module):
        more = ''.join(f', {k}={getattr(loss, k)!r}' for k in ('beta',)
                       if hasattr(loss, k))
        run.loss_modules = [f'{type(loss).__name__}(reduction='
                            f'{loss.reduction!r}{more})']
    if optimizer is not None:
        run.optimizers = [f'{type(optimizer).__name__}'
                          f'(lr={optimizer.param_groups[0]["lr"]:g})']
    return checked


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


@dataclass
class Replays:
    """From the concise run's start, over its own batches: the parameters
    after every step of concise at its `lr`, and of scratch at twice that
    (`double`) and at it (`same`)."""
    lr: float
    concise: list
    double: list
    same: list


def replays(scratch, concise, checked):
    """The `Replays` over the concise run's checked batches and replay;
    None where it has no optimizer whose lr to read."""
    optimizer = optimizer_of(concise)
    if optimizer is None:
        return None
    lr, (order, path) = optimizer.param_groups[0]['lr'], checked
    start = concise.seen.initial
    return Replays(lr, path, replay(scratch, start, order, 2 * lr),
                   replay(scratch, start, order, lr))
