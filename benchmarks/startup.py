"""Benchmark: compare.sh (our pair, a learner's) and the test suite against
one `from d2l import torch`: `python benchmarks/startup.py --repeats 3`."""
import argparse
import os
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUITE = [  # (the command, the target: at most that many times the first)
    ('python -c "from d2l import torch"', 1),
    ('./compare.sh', 1.7),
    ('./compare.sh tests/typed_along/scratch.py tests/typed_along/concise.py',
     2),
    ('python -m pytest -q -p no:cacheprovider', 5),
]


def wall(command):
    """The seconds that `command` takes; it must succeed."""
    command = command.replace('./compare.sh', 'python compare.py')
    argv = [sys.executable, *shlex.split(command)[1:]]  # after `python`
    start = time.perf_counter()
    env = dict(os.environ, PYTHON=sys.executable)
    subprocess.run(argv, cwd=ROOT, capture_output=True, env=env, check=True)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeats', type=int, default=1)
    repeats = parser.parse_args().repeats
    walls = [[] for _ in SUITE]
    order = list(range(len(SUITE)))
    for _ in range(repeats):
        for k in order:
            walls[k].append(wall(SUITE[k][0]))
        order.reverse()  # none always first
    base = statistics.median(walls[0])
    print(f'median (range) of {repeats} round(s), each against the first:')
    for (name, target), times in zip(SUITE, walls):
        median = statistics.median(times)
        print(f'  {name:<36}{median:7.2f} s ({min(times):.2f}-'
              f'{max(times):.2f})  {median / base:.2f}x (target <= '
              f'{target:g})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
