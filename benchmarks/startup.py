"""Benchmark: `make test`'s suite against one `from d2l import torch`
(target: within 5x), new processes in alternating rounds:
`python benchmarks/startup.py --repeats 3`."""
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import faults, flags  # noqa: E402

SUITE = {
    'python -c "from d2l import torch"': ['-c', 'from d2l import torch'],
    'python -m pytest -q': ['-m', 'pytest', '-q', '-p', 'no:cacheprovider'],
}
TARGET = 5


def rounds(repeats):
    """Wall seconds of each command; a command that fails gives none."""
    walls, order = {name: [] for name in SUITE}, list(SUITE)
    for _ in range(repeats):
        for name in order:
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, *SUITE[name]], cwd=ROOT, capture_output=True,
                text=True, env=dict(os.environ, PYTHON=sys.executable))
            walls[name].append(time.perf_counter() - start)
            if done.returncode:
                last = (done.stdout + done.stderr).strip().splitlines()[-1:]
                raise faults.Failed(f'{name} failed (exit {done.returncode}'
                                    f': {"".join(last)}): no figure')
        order.reverse()
    return walls


def main(argv=None):
    parser = flags.Parser(description=(__doc__ or '-').splitlines()[0])
    parser.add_argument('--repeats', type=flags.positive_int, default=1)
    args = parser.parse_args(argv)
    walls = rounds(args.repeats)
    first = next(iter(SUITE))
    base = statistics.median(walls[first])
    print(f'median (range) of {args.repeats} round(s):')
    for name, times in walls.items():
        ratio = statistics.median(times) / base
        print(f'  {name:<36}{statistics.median(times):7.2f} s '
              f'({min(times):.2f}-{max(times):.2f})'
              + (f'  {ratio:.2f}x (target <= {TARGET})' if name != first
                 else '  (baseline)'))
    return 0


if __name__ == '__main__':
    sys.exit(faults.guarded('startup.py', main))
