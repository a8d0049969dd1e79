"""Benchmark: `make test`'s suite against one `from d2l import torch`
(target: within 5x), new processes in alternating rounds:
`python benchmarks/startup.py --repeats 3`."""
import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUITE = {
    'python -c "from d2l import torch"': ['-c', 'from d2l import torch'],
    'python -m pytest -q': ['-m', 'pytest', '-q', '-p', 'no:cacheprovider'],
}
TARGET = 5


def wall(argv):
    """The seconds that `python *argv` takes; it must succeed."""
    start = time.perf_counter()
    subprocess.run([sys.executable, *argv], cwd=ROOT, capture_output=True,
                   env=dict(os.environ, PYTHON=sys.executable), check=True)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeats', type=int, default=1)
    repeats = parser.parse_args().repeats
    walls, order = {name: [] for name in SUITE}, list(SUITE)
    for _ in range(repeats):
        for name in order:
            walls[name].append(wall(SUITE[name]))
        order.reverse()
    baseline = next(iter(SUITE))
    base = statistics.median(walls[baseline])
    print(f'median (range) of {repeats} round(s):')
    for name, times in walls.items():
        ratio = statistics.median(times) / base
        figure = f'{ratio:.2f}x (target <= {TARGET})'
        if name == baseline:
            figure = '(baseline)'
        print(f'  {name:<36}{statistics.median(times):7.2f} s '
              f'({min(times):.2f}-{max(times):.2f})  {figure}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
