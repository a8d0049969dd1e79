"""Benchmark: seconds per epoch and peak memory as the data grow.

    python benchmarks/scale.py                     # 1e3 ... 1e6 examples
    python benchmarks/scale.py --sizes 1000000 --device cuda --plot s.png

For each size it trains one epoch with the scratch script, the concise one
with the book's `DataLoader` (`--loader book`) and with `--loader batched`,
and a bare loop that slices a `randperm` with no `DataLoader` at all, each
through the same code a user runs. The batch is size / 100 unless
--batch-size is given, so every epoch has 100 steps. The cells of one size
are timed in alternating rounds, as compare.sh times its pairs, so that a
load that comes and goes slows them alike; each cell shows the median and
range, and each ratio the median of the per-round ratios. Memory: the peak
that drawing the data and one epoch added (Linux), or the whole process's
peak (macOS); memory that grows with the batch, not the data, would mean
per-batch copies of the whole data set. Targets at 1e6 examples, batch
1e4: batched at least 10x faster than book, and within 3x of the bare loop.
"""
import argparse
import contextlib
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import cli  # noqa: E402

IMPLS = ['scratch', 'concise book', 'concise batched', 'bare randperm']


def rss_mb(field):
    """Resident memory (`VmRSS`) or its peak (`VmHWM`) in MB, from /proc;
    elsewhere the process's peak, from `getrusage` (None on Windows)."""
    try:
        with open('/proc/self/status') as status:
            for line in status:
                if line.startswith(field + ':'):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    try:
        import resource  # POSIX only
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux counts it in kilobytes, macOS in bytes
    return peak / 2 ** 20 if sys.platform == 'darwin' else peak / 1024


def reset_peak():
    """Make `VmHWM` start again from the current RSS (Linux >= 4.0)."""
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
    except OSError:
        pass


def bare_epoch(size, batch_size, device):
    """One epoch of the concise model on `randperm` slices: no DataLoader."""
    import torch
    from torch import nn

    from bench.lab import definitions
    from timer import Timer, synchronizer
    synthetic_data = definitions('scratch')['synthetic_data']
    torch.manual_seed(0)
    features, labels = synthetic_data(torch.tensor([2, -3.4]), 4.2, size)
    features, labels = features.to(device), labels.to(device)
    net = nn.Sequential(nn.Linear(2, 1)).to(device)
    loss = nn.MSELoss()
    trainer = torch.optim.SGD(net.parameters(), lr=0.03)
    timer = Timer(sync=synchronizer(device))
    timer.start()
    for indices in torch.randperm(size, device=device).split(batch_size):
        X, y = features[indices], labels[indices]
        l = loss(net(X), y)
        trainer.zero_grad()
        l.backward()
        trainer.step()
    return timer.stop()


def one_epoch(impl, size, batch_size, device):
    """Seconds for one training epoch of `impl`, through its own code."""
    if impl == 'bare randperm':
        return bare_epoch(size, batch_size, device)
    from bench import lab
    name, _, loader = impl.partition(' ')
    argv = ['--num-examples', str(size), '--batch-size', str(batch_size),
            '--num-epochs', '1', '--device', device]
    if loader:
        argv += ['--loader', loader]
    with contextlib.redirect_stdout(io.StringIO()):
        bench = lab.run(name, cli.parse_args(name, argv))
    return bench.epoch_timer.times[0]


def measure(impl, size, batch_size, device):
    """One epoch of `impl` after a warm-up: (seconds, peak MB).

    On the CPU, where it can, it forks a fresh child per cell: memory freed
    by an earlier cell and reused by this one would otherwise hide this
    cell's own peak. The parent never runs autograd, whose threads do not
    survive a fork."""
    if device != 'cpu' or not hasattr(os, 'fork'):
        return timed_epoch(impl, size, batch_size, device)
    read, write = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(read)
        try:
            result = timed_epoch(impl, size, batch_size, device)
        except BaseException:
            result = None
        os.write(write, json.dumps(result).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        result = json.loads(pipe.read() or 'null')
    os.waitpid(child, 0)
    if result is None:
        raise RuntimeError(f'{impl} at {size} examples failed')
    return tuple(result)


def timed_epoch(impl, size, batch_size, device):
    """Warm up at a small size, then time one epoch and its peak memory."""
    import torch
    one_epoch(impl, min(size, 1000), min(batch_size, 10), device)
    if device == 'cuda':  # the accelerator's own memory
        torch.cuda.reset_peak_memory_stats()
        before = torch.cuda.memory_allocated() / 2 ** 20
    else:
        reset_peak()
        before = rss_mb('VmRSS') if sys.platform == 'linux' else 0.0
    seconds = one_epoch(impl, size, batch_size, device)
    if device == 'cuda':
        peak = torch.cuda.max_memory_allocated() / 2 ** 20
    else:
        peak = rss_mb('VmHWM')
    return seconds, (peak - before if peak is not None else float('nan'))


def alternate(impls, size, batch_size, device, repeats, budget):
    """Time the cells of one size in rounds, each round in the other order
    from the last; stop starting rounds once `budget` seconds have gone."""
    times = {impl: [] for impl in impls}
    peaks = {impl: 0.0 for impl in impls}
    order = list(impls)
    started = time.perf_counter()
    for _ in range(repeats):
        for impl in order:
            seconds, peak = measure(impl, size, batch_size, device)
            times[impl].append(seconds)
            peaks[impl] = max(peaks[impl], peak)
        order.reverse()
        if time.perf_counter() - started > budget:
            break
    return times, peaks


def table_batch(args, size):
    """The batch size for `size` examples: --batch-size, or size / 100."""
    return args.batch_size or max(size // 100, 1)


def ratio(times, top, bottom):
    """The median of the per-round ratios of two cells."""
    return statistics.median(t / b for t, b in zip(times[top], times[bottom]))


def main(argv=None):
    parser = cli.Parser(description=(__doc__ or '-').splitlines()[0])
    parser.add_argument('--sizes', default='1000,10000,100000,1000000',
                        help='comma-separated numbers of examples')
    parser.add_argument('--batch-size', type=cli.positive_int,
                        help='fixed batch size (default: size / 100)')
    parser.add_argument('--device', choices=['cpu', 'cuda', 'mps', 'auto'],
                        default='cpu')
    parser.add_argument('--impls', default=','.join(IMPLS),
                        help='comma-separated, from: ' + ', '.join(IMPLS))
    parser.add_argument('--repeats', type=cli.positive_int, default=5,
                        help='alternating rounds per size, fewer once a '
                             'size has taken --budget seconds')
    parser.add_argument('--budget', type=cli.positive_float, default=20.0)
    parser.add_argument('--plot', type=cli.png_path, metavar='FILE.png')
    args = parser.parse_args(argv)
    try:
        sizes = [cli.positive_int(s) for s in args.sizes.split(',')]
    except argparse.ArgumentTypeError as error:
        parser.error(f'argument --sizes: {error}')
    impls = args.impls.split(',')
    for impl in impls:
        if impl not in IMPLS:
            parser.error(f'argument --impls: unknown {impl!r}')
    refusal = cli.memory_refusal(max(sizes))
    if refusal:
        parser.error(f'argument --sizes: {refusal}')
    return cli.guarded('scale.py', lambda: run(args, sizes, impls))


def run(args, sizes, impls):
    import torch

    from d2l import torch as d2l  # noqa: F401  imported once, before any fork

    from bench import lab
    try:
        device = lab.resolve_device(args.device)
    except ValueError as error:
        print(f'scale.py: error: {error}', file=sys.stderr)
        return 2
    name = (torch.cuda.get_device_name() if device == 'cuda'
            else 'cpu, %d threads' % torch.get_num_threads())
    memory = ('GPU memory added' if device == 'cuda' else
              'RSS added' if sys.platform == 'linux' else
              'peak RSS of the process')
    print(f'# device: {device} ({name}); torch {torch.__version__}; '
          f'peak MB: {memory}; seconds: median (range) of alternating '
          'rounds')
    print(f'{"examples":>9} {"batch":>6} {"data MB":>8}  {"impl":<16}'
          f'{"s/epoch":>10} {"range":>17} {"runs":>5} {"peak MB":>8}')
    table = {}
    for size in sizes:
        batch_size = table_batch(args, size)
        data_mb = size * 3 * 4 / 2 ** 20  # features (2) and labels (1)
        times, peaks = alternate(impls, size, batch_size, device,
                                 args.repeats, args.budget)
        for impl in impls:
            table[impl, size] = times[impl]
            spread = f'{min(times[impl]):.4f}-{max(times[impl]):.4f}'
            print(f'{size:>9} {batch_size:>6} {data_mb:>8.1f}  {impl:<16}'
                  f'{statistics.median(times[impl]):>10.4f} {spread:>17} '
                  f'{len(times[impl]):>5} {peaks[impl]:>8.1f}', flush=True)
    top = sizes[-1]
    targets = top == 1000000 and table_batch(args, top) == 10000
    cells = {impl: table[impl, top] for impl in impls}
    if {'concise book', 'concise batched'} <= set(impls):
        print(f'at {top}: book / batched = '
              f'{ratio(cells, "concise book", "concise batched"):.1f}x '
              '(median of per-round ratios)'
              + (' (target >= 10)' if targets else ''))
    if {'concise batched', 'bare randperm'} <= set(impls):
        print(f'at {top}: batched / bare = '
              f'{ratio(cells, "concise batched", "bare randperm"):.2f}x '
              '(median of per-round ratios)'
              + (' (target <= 3)' if targets else ''))
    if args.plot:
        from bench import plots
        fig, ax = plots.figure(figsize=(6, 4))
        for impl in impls:
            ax.plot(sizes, [statistics.median(table[impl, s]) for s in sizes],
                    '-o', label=impl)
        ax.set_xscale('log')
        ax.set_yscale('log')
        ax.set_xlabel('examples (batch = examples / 100)')
        ax.set_ylabel('seconds per epoch (median)')
        ax.set_title(f'one epoch on {device}')
        ax.legend(fontsize=8)
        plots.write_png(fig, args.plot)
        print(f'wrote {args.plot}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
