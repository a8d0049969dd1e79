"""Benchmark: what the runners' watching costs the timed loops.

    python benchmarks/watch_cost.py          # 20 alternating pairs each

Each script runs in this process, plain (as `python linreg_NAME.py` runs
it) and watched (as compare.sh runs it), in alternating pairs of one-epoch
runs after a warm-up pair. It prints each one's median epoch time, read
from the script's own Timer, and the median of the per-pair ratios. The
watch reads what it needs before `Timer.start` and after `Timer.stop`
reads the clock: the target is 1.00x, within 1%.
"""
import contextlib
import io
import runpy
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import faults, flags, runner  # noqa: E402


def plain(name):
    """One epoch of the script run as `python` runs it: its time."""
    path = runner.script_file(name)
    saved, sys.argv = sys.argv, [path, '--num-epochs', '1']
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            return runpy.run_path(path, run_name='__main__')['timer'].times[0]
    finally:
        sys.argv = saved


def watched(name):
    return runner.run(name, ['--num-epochs', '1']).epoch_seconds[0]


def main(argv=None):
    parser = flags.Parser(description=(__doc__ or '-').splitlines()[0])
    parser.add_argument('--pairs', type=flags.positive_int, default=20)
    args = parser.parse_args(argv)
    print(f'one epoch, median (range) of {args.pairs} alternating pairs:')
    for name in ('scratch', 'concise'):
        times = {plain: [], watched: []}
        for i in range(1 + args.pairs):
            for run in (plain, watched) if i % 2 else (watched, plain):
                seconds = run(name)
                if i:  # the first pair is the warm-up
                    times[run].append(seconds)
        ratio = statistics.median(w / p for w, p in zip(times[watched],
                                                         times[plain]))
        for run, values in times.items():
            print(f'  linreg_{name}.py, {run.__name__:<8}'
                  f'{1000 * statistics.median(values):7.1f} ms '
                  f'({1000 * min(values):.1f}-{1000 * max(values):.1f})')
        print(f'  linreg_{name}.py, watched/plain: {ratio:.3f}x')
    return 0


if __name__ == '__main__':
    sys.exit(faults.guarded('watch_cost.py', main))
