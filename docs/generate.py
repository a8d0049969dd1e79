"""Paste into the documents what the commands print, and check them:

    python docs/generate.py            # run the commands, write the documents
    python docs/generate.py --check    # run them, exit 1 where one differs

A region `<!-- gen:WHAT -->...<!-- /gen -->` holds what WHAT prints: a
command, after its `$` line (an exercise's table as it is); `contract`; or
the record docs/figures/WHAT.txt of `benchmarks/record.sh WHAT`. The check
masks the times, and takes a number one unit off in its last digit for the
same: another CPU's kernels may round it so (docs/reference.md).
"""
import argparse
import functools
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from bench import contract, faults  # noqa: E402
DOCS = ['README.md', 'README.zh-CN.md', 'BENCHMARKS.md', 'docs/en-1.0.md',
        'docs/exercises.md', 'docs/exercises.zh-CN.md', 'docs/reference.md']
FIGURES = os.path.join(ROOT, 'docs', 'figures')
REGION = re.compile(r'(<!-- gen:(.+?) -->)(.*?)(<!-- /gen -->)', re.S)
# The lines of compare.sh's output that hold times, not results
TIMING = re.compile(r'^(per (epoch|run)|\S+/\S+ time|  imports and data '
                    r'generation|  not the training alone)')
NUMBER = re.compile(r'[-+]?\d+(\.(\d+))?(e([-+]?\d+))?')


@functools.lru_cache(maxsize=None)
def output(command):
    """What `command` prints to stdout, run as typed, from this folder."""
    argv = command.replace('./compare.sh', 'python compare.py', 1).split()
    if argv[0] != 'python':
        raise faults.Failed(f'no command, record or table {command!r}')
    one_thread = dict(os.environ, OMP_NUM_THREADS='1')  # as the suite
    done = subprocess.run([sys.executable, *argv[1:]], cwd=ROOT, text=True,
                          capture_output=True, env=one_thread)
    return done.stdout


def fence(text):
    return '\n```\n' + text.rstrip('\n') + '\n```\n'


def fresh(what):
    """What the region `what` should hold now."""
    record = os.path.join(FIGURES, f'{what}.txt')
    if what == 'contract':
        return '\n' + contract.table() + '\n'
    if what.startswith('python exercises/'):  # a Markdown table
        return '\n' + output(what)
    if os.path.exists(record):
        with open(record, encoding='utf-8') as f:
            return fence(f.read())
    return fence(f'$ {what}\n' + output(what))


def unit(number):
    """One unit of `number`'s last digit, as it is written."""
    decimals = len(number.group(2) or '')
    return 10.0 ** (int(number.group(4) or 0) - decimals)


def same(said, now):
    """Whether `said` says `now`, but for times and a last digit."""
    lines = said.strip().splitlines(), now.strip().splitlines()
    if len(lines[0]) != len(lines[1]):
        return False
    for old, new in zip(*lines):
        if TIMING.match(old) and TIMING.match(new):
            continue
        if NUMBER.sub('#', old) != NUMBER.sub('#', new):
            return False
        for a, b in zip(NUMBER.finditer(old), NUMBER.finditer(new)):
            if abs(float(a.group()) - float(b.group())) > 1.5 * unit(a):
                return False
    return True


def filled(region):
    """`region`, a match of REGION, with what it should hold now."""
    return region.group(1) + fresh(region.group(2)) + region.group(4)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='generate.py', description=(__doc__ or '-').splitlines()[0])
    parser.add_argument('--check', action='store_true',
                        help='compare instead of writing; exit 1 on a '
                             'difference')
    args = parser.parse_args(argv)
    failed = False
    for name in DOCS:
        path = os.path.join(ROOT, name)
        with open(path, encoding='utf-8') as f:
            text = f.read()
        for match in REGION.finditer(text):
            said, now = match.group(3), fresh(match.group(2))
            if args.check and not same(said, now):
                failed = True
                print(f'{name}: gen:{match.group(2)} differs from what the '
                      f'run prints:\n--- the document\n{said.strip()}\n'
                      f'--- the run\n{now.strip()}\n')
        if not args.check:
            new = REGION.sub(filled, text)
            if new != text:
                faults.replace_whole(path, lambda f: f.write(new.encode()))
                print(f'generate.py: wrote {name}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(faults.main('generate.py', main, None))
