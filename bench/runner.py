"""Run a chapter script file in this process, as `python` runs it; replay
the two trainers' steps from one start over one batch order; the
closed-form least-squares fit. For compare.sh, sweep.py, the documents'
generator, the benchmarks and the tests.
"""
import contextlib
import copy
import io
import os
import runpy

from bench import flags

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def script_file(name):
    """The path of linreg_{name}.py in this checkout."""
    return os.path.join(ROOT, flags.PROGS[name])


def run(name, args=None, argv=(), path=None):
    """Run linreg_{name}.py (or the file at `path`) with parsed `args` (or
    `argv`) in this process; return its `Record`. A run that diverges is a
    result: its record says where."""
    if args is None:
        args = flags.parse(name, argv)
    given = {'args': args}
    with contextlib.redirect_stdout(io.StringIO()):  # the runner reports
        runpy.run_path(path or script_file(name), run_name='__main__',
                       init_globals={'__bench__': given})
    return given['record']


def least_squares(record):
    """The closed-form fit on a run's data (`torch.linalg.lstsq`, in
    float64): the lowest MSE any line reaches there, and its errors."""
    import torch
    X = torch.cat([record.features.cpu().double(),
                   torch.ones(len(record.features), 1, dtype=torch.float64)],
                  1)
    y = record.labels.cpu().double().reshape(-1, 1)
    solution = torch.linalg.lstsq(X, y).solution.reshape(-1)
    w, b = solution[:-1], solution[-1:]
    return {'mse': float(((X @ solution - y.reshape(-1)) ** 2).mean()),
            'w': w.tolist(), 'b': b.tolist(),
            'w_error': (record.true_w.cpu().double() - w).tolist(),
            'b_error': (record.true_b - b).tolist()}


def batch_order(record, seed):
    """One batch order for every replay: each epoch a fresh permutation of
    the examples, cut into the run's batches (the last may be short)."""
    import torch
    generator = torch.Generator().manual_seed(seed)
    size = record.args.batch_size
    return [torch.randperm(len(record.features), generator=generator)
            .split(size) for _ in record.steps]


def replay_scratch(record, start, lr, order):
    """The scratch script's own `net`, `loss` and `sgd`, as its loop calls
    them, at `lr`, from `start`; the parameters after every step."""
    import torch
    ns, X_all, y_all = record.ns, record.features, record.labels
    w = start[:-1].reshape(-1, 1).clone().to(X_all.device).requires_grad_()
    b = start[-1:].clone().to(X_all.device).requires_grad_()
    path = [start.clone()]
    for epoch in order:
        for indices in epoch:
            X, y = X_all[indices], y_all[indices]
            l = ns['loss'](ns['net'](X, w, b), y)
            l.sum().backward()
            ns['sgd']([w, b], lr, ns['batch_size'])
            path.append(torch.cat([w.detach().reshape(-1),
                                   b.detach()]).cpu())
    return path


def replay_concise(record, start, order):
    """A copy of the concise script's `net`, from `start`, trained by a new
    optimizer of the class and settings that ran (`trainer`) with its
    `loss`; the parameters after every step."""
    import torch
    ns = record.ns
    net = copy.deepcopy(ns['net'])
    with torch.no_grad():
        net[0].weight.copy_(start[:-1].reshape(net[0].weight.shape))
        net[0].bias.copy_(start[-1:])
    trainer = type(ns['trainer'])(net.parameters(), **ns['trainer'].defaults)
    path = [start.clone()]
    for epoch in order:
        for indices in epoch:
            X, y = record.features[indices], record.labels[indices]
            l = ns['loss'](net(X), y)
            trainer.zero_grad()
            l.backward()
            trainer.step()
            path.append(torch.cat([net[0].weight.detach().reshape(-1),
                                   net[0].bias.detach()]).cpu())
    return path, ns['trainer'].defaults['lr']


def replays(scratch, concise, seed):
    """From the concise run's initial parameters, over one batch order:
    concise at its lr, and scratch at twice that lr and at it."""
    order = batch_order(concise, seed)
    path, lr = replay_concise(concise, concise.initial, order)
    return {'concise': path, 'lr': lr, **{
        factor: replay_scratch(scratch, concise.initial, factor * lr, order)
        for factor in (2, 1)}}


def path_gap(one, other):
    """The largest parameter gap over the steps where both are finite,
    relative to the parameters' size once they pass 1 (so that rounding in
    a run that blows up does not read as a gap)."""
    import torch
    a, b = torch.stack(one).double(), torch.stack(other).double()
    finite = torch.isfinite(a).all(1) & torch.isfinite(b).all(1)
    a, b = a[finite], b[finite]
    size = torch.maximum(torch.maximum(a.abs(), b.abs()), torch.ones(1))
    return float(((a - b).abs() / size).max()) if len(a) else float('nan')
