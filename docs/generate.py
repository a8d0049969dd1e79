"""Paste what the commands print into `<!-- gen:WHAT -->` (the command WHAT,
the contract, or docs/figures/WHAT.txt), or `--check` it: times masked, and
a last digit one unit off taken for the same, as other CPUs round it."""
import argparse
import functools
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[1])
DOCS = ['README.md', 'README.zh-CN.md', 'BENCHMARKS.md', 'docs/en-1.0.md',
        'docs/exercises.md', 'docs/exercises.zh-CN.md', 'docs/reference.md']
REGION = re.compile(r'(<!-- gen:(.+?) -->)(.*?)(<!-- /gen -->)', re.S)
TIMES = re.compile(r"^ *(per epoch|每个迭代周期)")  # the lines of times
NUMBER = re.compile(r'[-+]?\d+(\.(\d+))?(e([-+]?\d+))?')


@functools.lru_cache(maxsize=None)
def output(command):
    """What `command` prints to stdout, run as typed from this folder."""
    words = command.replace('./compare.sh', 'python compare.py').split()
    env = dict(os.environ, OMP_NUM_THREADS='1')
    while '=' in words[0]:  # a variable set before the command
        name, value = words.pop(0).split('=', 1)
        env[name] = value
    argv = [sys.executable, *words[1:]]  # after `python`
    done = subprocess.run(argv, cwd=ROOT, env=env, text=True,
                          capture_output=True)
    return done.stdout


def fresh(what):
    """What the region `what` should hold now."""
    record = os.path.join(ROOT, 'docs', 'figures', f'{what}.txt')
    if what == 'contract':
        sys.path.insert(0, ROOT)
        from bench import contract
        return f'\n{contract.CONTRACT}\n'
    if 'python exercises/' in what:  # a Markdown table
        return '\n' + output(what)
    if os.path.exists(record):
        text = Path(record).read_text(encoding='utf-8')
    else:
        text = f'$ {what}\n' + output(what)
    return '\n```\n' + text.rstrip('\n') + '\n```\n'


def same(said, now):
    """Whether `said` says `now`, but for times and a last digit."""
    old = said.strip().splitlines()
    new = now.strip().splitlines()
    if len(old) != len(new):
        return False
    for a, b in zip(old, new):
        if TIMES.match(a) and TIMES.match(b):
            continue
        if NUMBER.sub('#', a) != NUMBER.sub('#', b):
            return False
        for x, y in zip(NUMBER.finditer(a), NUMBER.finditer(b)):
            unit = 10.0 ** (int(x[4] or 0) - len(x[2] or ''))
            if abs(float(x[0]) - float(y[0])) > 1.5 * unit:
                return False
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(prog='generate.py')
    parser.add_argument('--check', action='store_true',
                        help='compare instead of writing; exit 1 on a '
                             'difference')
    check = parser.parse_args(argv).check
    failed = False
    for name in DOCS:
        path = Path(ROOT, name)
        text = path.read_text(encoding='utf-8')
        for match in REGION.finditer(text):
            said = match[3]
            now = fresh(match[2])
            if check and not same(said, now):
                failed = True
                print(f'{name}: gen:{match[2]} differs from what the run '
                      f'prints:\n--- the document\n{said.strip()}\n'
                      f'--- the run\n{now.strip()}\n')
        new = REGION.sub(lambda m: m[1] + fresh(m[2]) + m[4], text)
        if not check and new != text:
            path.write_text(new, encoding='utf-8')
            print(f'generate.py: wrote {name}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
