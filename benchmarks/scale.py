"""Benchmark: seconds per epoch and peak memory as the data grow.

    python benchmarks/scale.py                     # 1e3 ... 1e6 examples
    python benchmarks/scale.py --sizes 1000000 --device cuda --plot s.png

For each size it trains one epoch with the scratch script, the concise one
with the book's `DataLoader` (`--loader book`) and with `--loader batched`,
and a bare loop that slices a `randperm` with no `DataLoader` at all, each
through the same code a user runs. The batch is size / 100 unless
--batch-size is given, so every epoch has 100 steps. It prints the median
seconds per epoch and the peak memory each run added, beside the size of the
data: memory that grows with the batch, not the data, means no per-batch
copies of the whole data set. Targets at 1e6 examples, batch 1e4: batched
at least 10x faster than book, and within 3x of the bare loop.
"""
import argparse
import json
import os
import resource
import statistics
import sys
from pathlib import Path

import torch
from torch import nn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import compare  # noqa: E402
import linreg_concise as concise  # noqa: E402
import linreg_scratch as scratch  # noqa: E402
from timer import Timer, synchronizer  # noqa: E402

IMPLS = ['scratch', 'concise book', 'concise batched', 'bare randperm']


def rss_mb(field):
    """Resident memory (`VmRSS`) or its peak (`VmHWM`) in MB, from /proc."""
    try:
        with open('/proc/self/status') as status:
            for line in status:
                if line.startswith(field + ':'):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak():
    """Make `VmHWM` start again from the current RSS (Linux >= 4.0)."""
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
    except OSError:
        pass


def bare_epoch(size, batch_size, device):
    """One epoch of the concise model on `randperm` slices: no DataLoader."""
    torch.manual_seed(0)
    features, labels = scratch.synthetic_data(torch.tensor([2, -3.4]), 4.2,
                                              size)
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
    """Seconds for one training epoch of `impl`, through its own `run`."""
    if impl == 'bare randperm':
        return bare_epoch(size, batch_size, device)
    argv = ['--num-examples', str(size), '--batch-size', str(batch_size),
            '--num-epochs', '1', '--device', device]
    if impl == 'scratch':
        module = scratch
    else:
        module = concise
        argv += ['--loader', impl.split()[1]]
    return module.run(module.parse_args(argv),
                      log=compare.silent)['train_seconds']


def measure(impl, size, batch_size, device, repeats, budget):
    """Median seconds per epoch after a warm-up, runs, and peak MB added."""
    if device == 'cpu' and hasattr(os, 'fork'):
        # A fresh child per cell: memory freed by an earlier cell and reused
        # by this one would otherwise hide this cell's own peak. The parent
        # never runs autograd, whose threads do not survive a fork.
        read, write = os.pipe()
        child = os.fork()
        if child == 0:
            os.close(read)
            result = timed_epochs(impl, size, batch_size, device, repeats,
                                  budget)
            os.write(write, json.dumps(result).encode())
            os._exit(0)
        os.close(write)
        with os.fdopen(read) as pipe:
            result = json.loads(pipe.read() or 'null')
        os.waitpid(child, 0)
        if result is None:
            raise RuntimeError(f'{impl} at {size} examples failed')
        return result
    return timed_epochs(impl, size, batch_size, device, repeats, budget)


def timed_epochs(impl, size, batch_size, device, repeats, budget):
    """Time epochs until `repeats` or `budget`; track the peak memory."""
    one_epoch(impl, min(size, 1000), min(batch_size, 10), device)  # warm-up
    times, peak_added = [], 0.0
    while len(times) < repeats and sum(times) < budget:
        if device == 'cuda':  # the accelerator's own memory
            torch.cuda.reset_peak_memory_stats()
            before = torch.cuda.memory_allocated() / 2 ** 20
        else:
            reset_peak()
            before = rss_mb('VmRSS')
        times.append(one_epoch(impl, size, batch_size, device))
        if device == 'cuda':
            peak = torch.cuda.max_memory_allocated() / 2 ** 20
        else:
            peak = rss_mb('VmHWM')
        peak_added = max(peak_added, peak - before)
    return statistics.median(times), len(times), peak_added


def table_batch(args, size):
    """The batch size for `size` examples: --batch-size, or size / 100."""
    return args.batch_size or max(size // 100, 1)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('--sizes', default='1000,10000,100000,1000000',
                        help='comma-separated numbers of examples')
    parser.add_argument('--batch-size', type=scratch.positive_int,
                        help='fixed batch size (default: size / 100)')
    parser.add_argument('--device', choices=['cpu', 'cuda', 'mps', 'auto'],
                        default='cpu')
    parser.add_argument('--impls', default=','.join(IMPLS),
                        help='comma-separated, from: ' + ', '.join(IMPLS))
    parser.add_argument('--repeats', type=scratch.positive_int, default=3,
                        help='timed epochs per cell, fewer once a cell has '
                             'taken --budget seconds')
    parser.add_argument('--budget', type=scratch.positive_float, default=5.0)
    parser.add_argument('--plot', type=compare.png_path, metavar='FILE.png')
    args = parser.parse_args(argv)
    try:
        sizes = [scratch.positive_int(s) for s in args.sizes.split(',')]
    except argparse.ArgumentTypeError as error:
        parser.error(f'argument --sizes: {error}')
    impls = args.impls.split(',')
    for impl in impls:
        if impl not in IMPLS:
            parser.error(f'argument --impls: unknown {impl!r}')
    device = scratch.resolve_device(args.device, parser)
    name = (torch.cuda.get_device_name() if device == 'cuda'
            else 'cpu, %d threads' % torch.get_num_threads())
    print(f'# device: {device} ({name}); torch {torch.__version__}; '
          f'peak +MB: the {"GPU memory" if device == "cuda" else "RSS"} '
          'that drawing the data and one epoch added')
    print(f'{"examples":>9} {"batch":>6} {"data MB":>8}  {"impl":<16}'
          f'{"s/epoch":>10} {"runs":>5} {"peak +MB":>9}')
    table = {}
    for size in sizes:
        batch_size = table_batch(args, size)
        data_mb = size * 3 * 4 / 2 ** 20  # features (2) and labels (1)
        for impl in impls:
            seconds, runs, added = measure(impl, size, batch_size, device,
                                           args.repeats, args.budget)
            table[impl, size] = seconds
            print(f'{size:>9} {batch_size:>6} {data_mb:>8.1f}  {impl:<16}'
                  f'{seconds:>10.4f} {runs:>5} {added:>9.1f}', flush=True)
    top = sizes[-1]
    targets = top == 1000000 and table_batch(args, top) == 10000
    if {'concise book', 'concise batched'} <= set(impls):
        ratio = table['concise book', top] / table['concise batched', top]
        print(f'at {top}: book / batched = {ratio:.1f}x'
              + (' (target >= 10)' if targets else ''))
    if {'concise batched', 'bare randperm'} <= set(impls):
        ratio = table['concise batched', top] / table['bare randperm', top]
        print(f'at {top}: batched / bare = {ratio:.2f}x'
              + (' (target <= 3)' if targets else ''))
    if args.plot:
        fig, ax = compare.figure(figsize=(6, 4))
        for impl in impls:
            ax.plot(sizes, [table[impl, s] for s in sizes], '-o', label=impl)
        ax.set_xscale('log')
        ax.set_yscale('log')
        ax.set_xlabel('examples (batch = examples / 100)')
        ax.set_ylabel('seconds per epoch')
        ax.set_title(f'one epoch on {device}')
        ax.legend(fontsize=8)
        compare.write_png(fig, args.plot)
        print(f'wrote {args.plot}')


if __name__ == '__main__':
    main()
