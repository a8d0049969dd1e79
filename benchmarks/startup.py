"""Benchmark: how long the tests take, against one `from d2l import torch`.

    python benchmarks/startup.py             # one round
    python benchmarks/startup.py --repeats 2

Each command runs as a new process, in alternating rounds (the order flips
each round), so that a load that comes and goes slows all alike. It prints
the median and range of each, and each one's median over the baseline's.
Target: `make test`'s suite within 5x one `from d2l import torch`.
"""
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import faults, flags  # noqa: E402

PY = sys.executable
SUITE = {
    'python -c "from d2l import torch"': [PY, '-c', 'from d2l import torch'],
    'python -m pytest -q': [PY, '-m', 'pytest', '-q', '-p',
                            'no:cacheprovider'],
}
TARGET = 5


def rounds(commands, repeats):
    """Wall seconds of each command, in alternating rounds; a command that
    fails gives no figure, since a ratio to a failure says nothing."""
    walls = {name: [] for name in commands}
    order = list(commands)
    for _ in range(repeats):
        for name in order:
            start = time.perf_counter()
            done = subprocess.run(commands[name], cwd=ROOT, env=dict(
                os.environ, PYTHON=PY), capture_output=True, text=True)
            walls[name].append(time.perf_counter() - start)
            if done.returncode:
                lines = (done.stdout + done.stderr).strip().splitlines()
                failed = [line for line in lines if line.startswith(
                    'FAILED')] or lines[-1:]
                raise faults.Failed(f'{name} failed (exit {done.returncode}'
                                    f': {"; ".join(failed)}), so no figure '
                                    'is reported')
        order.reverse()
    return walls


def main(argv=None):
    parser = flags.Parser(description=(__doc__ or '-').splitlines()[0])
    parser.add_argument('--repeats', type=flags.positive_int, default=1,
                        help='rounds')
    args = parser.parse_args(argv)
    walls = rounds(SUITE, args.repeats)
    base = next(iter(walls))
    print(f'median (range) of {args.repeats} round(s):')
    for name, times in walls.items():
        ratio = statistics.median(times) / statistics.median(walls[base])
        print(f'  {name:<36}{statistics.median(times):7.2f} s '
              f'({min(times):.2f}-{max(times):.2f})'
              + (f'  {ratio:.2f}x (target <= {TARGET})' if name != base
                 else '  (baseline)'))
    return 0


if __name__ == '__main__':
    sys.exit(faults.guarded('startup.py', main))
