"""Benchmark: how soon a typo is answered, and how long the tests take.

    python benchmarks/startup.py              # flags against `import torch`
    python benchmarks/startup.py --suite      # ... and the test suite

Each command runs as a new process, in alternating rounds (the order flips
each round), so that a load that comes and goes slows all alike. It prints
the median and range of each, and each one's median over the baseline's.
Targets: `./compare.sh --help` and a bad flag to compare.sh or sweep.py
answered within 0.3x a bare `import torch`; the whole suite (`python -m
pytest -q`) within 5x one `from d2l import torch`.
"""
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import faults, flags  # noqa: E402

PY = sys.executable
FLAGS = {
    'python -c "import torch"': [PY, '-c', 'import torch'],
    './compare.sh --help': ['bash', 'compare.sh', '--help'],
    './compare.sh --lr abc': ['bash', 'compare.sh', '--lr', 'abc'],
    'python sweep.py lr --bogus': [PY, 'sweep.py', 'lr', '--bogus'],
    'python linreg_scratch.py --help': [PY, 'linreg_scratch.py', '--help'],
    'python linreg_concise.py --lr abc': [PY, 'linreg_concise.py', '--lr',
                                          'abc'],
}
SUITE = {
    'python -c "from d2l import torch"': [PY, '-c', 'from d2l import torch'],
    'python -m pytest -q': [PY, '-m', 'pytest', '-q', '-p',
                            'no:cacheprovider'],
}


def rounds(commands, repeats):
    """Wall seconds of each command, in alternating rounds."""
    walls = {name: [] for name in commands}
    order = list(commands)
    for _ in range(repeats):
        for name in order:
            start = time.perf_counter()
            done = subprocess.run(commands[name], cwd=ROOT,
                                  capture_output=True,
                                  env=dict(os.environ, PYTHON=PY))
            walls[name].append(time.perf_counter() - start)
            baseline = name == next(iter(commands))
            if (baseline or name.startswith('python -m pytest')) and \
                    done.returncode:
                # No figure without a baseline that ran, or a suite that
                # passed: a ratio to a failure says nothing
                lines = (done.stderr or done.stdout).decode(
                    errors='replace').strip().splitlines()
                last = [line for line in lines
                        if line.startswith('FAILED')] + lines[-1:]
                raise faults.Failed(f'{name} failed (exit {done.returncode}'
                                 + (f': {"; ".join(last)}' if last else '')
                                 + '), '
                                 'so no figure is reported; run this with '
                                 'the set-up Python (.venv/bin/python '
                                 'benchmarks/startup.py)')
        order.reverse()
    return walls


def show(walls, target):
    base = next(iter(walls))
    for name, times in walls.items():
        ratio = statistics.median(times) / statistics.median(walls[base])
        print(f'  {name:<36}{statistics.median(times):7.2f} s '
              f'({min(times):.2f}-{max(times):.2f})'
              + (f'  {ratio:.2f}x (target <= {target})' if name != base
                 else '  (baseline)'))


def main(argv=None):
    parser = flags.Parser(description=(__doc__ or '-').splitlines()[0])
    parser.add_argument('--repeats', type=flags.positive_int, default=5,
                        help='rounds of the flag commands')
    parser.add_argument('--suite', action='store_true',
                        help='also time the test suite against one '
                             '`from d2l import torch`')
    parser.add_argument('--suite-repeats', type=flags.positive_int,
                        default=1, help='rounds of the suite timing')
    args = parser.parse_args(argv)
    commands = dict(FLAGS)
    if not shutil.which('bash'):
        commands = {k: v for k, v in commands.items() if v[0] != 'bash'}
    print(f'answers to flags, median (range) of {args.repeats} rounds:')
    show(rounds(commands, args.repeats), 0.3)
    if args.suite:
        print(f'the test suite, median (range) of {args.suite_repeats}:')
        show(rounds(SUITE, args.suite_repeats), 5)
    return 0


if __name__ == '__main__':
    sys.exit(faults.guarded('startup.py', main))
