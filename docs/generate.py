"""Paste into the documents what the commands print.

    python docs/generate.py                  # rerun the commands, rewrite
    python docs/generate.py --check          # rerun, exit 1 on a difference

A region, `<!-- gen:NAME -->...<!-- /gen -->`, is filled by `GENERATORS`
(here and docs/answers.py) or with docs/figures/NAME.txt, a benchmark's
record (`benchmarks/record.sh NAME`). `--check` masks the times' digits.
"""
import argparse
import contextlib
import functools
import io
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from bench import faults  # noqa: E402
import answers  # noqa: E402, the tables beside this file
DOCS = [os.path.join(ROOT, name) for name in
        ('README.md', 'README.zh-CN.md', 'BENCHMARKS.md',
         os.path.join('docs', 'en-1.0.md'),
         os.path.join('docs', 'exercises.md'))]
FIGURES = os.path.join(ROOT, 'docs', 'figures')
REGION = re.compile(r'(<!-- gen:([\w-]+) -->)(.*?)(<!-- /gen -->)', re.S)
# The lines of compare.sh's output that hold times, not results
TIMING = re.compile(r'^(per epoch|concise/scratch time'
                    r'|  imports and data generation)')
NUMBER = re.compile(r'\d+(\.\d+)?(e[-+]?\d+)?')


def quiet(function, *args):
    """What `function(*args)` prints to stdout; stderr is dropped."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(io.StringIO()):
        status = function(*args)
    if status:
        raise SystemExit(f'generate.py: {function.__module__} {args} '
                         f'exited {status}')
    return out.getvalue()


class Runs:
    """The runs the generators share, each made once."""

    def __init__(self, repeats):
        import torch
        torch.set_num_threads(1)  # as the suite: the same last digits
        self.repeats = repeats  # of compare.sh's timing; None: its default

    @functools.cache
    def compare(self):
        import compare
        return quiet(compare.main, ['--equivalence'] + (
            ['--repeats', str(self.repeats)] if self.repeats else []))

    @functools.cache
    def both(self, *argv):
        """Each script's `Run` with `argv`."""
        from bench import runner
        return {name: runner.run(name, argv=argv) for name in ('scratch',
                                                                'concise')}

    @functools.cache
    def sweep(self, *argv):
        import sweep
        return quiet(sweep.main, list(argv))


def compare_line(runs, start):
    return next(line for line in runs.compare().splitlines()
                if line.startswith(start))


def gen_setup_time(runs):
    """The first setup's time and size, and the pip path's, as recorded."""
    with open(os.path.join(FIGURES, 'setup.txt'), encoding='utf-8') as f:
        lines = f.read().splitlines()
    uv, pip = (line.split()[-3:] for line in lines[2:4])
    return (f'{uv[0]} s and {uv[2]}B with uv, against {pip[0]} s with pip '
            f'alone ({lines[0].split(", ")[-1]}, empty caches)')


GENERATORS = {
    'setup-time': gen_setup_time,
    'compare': lambda runs: answers.fence(runs.compare()),
    'first-losses': lambda runs: '{1} (scratch) and {2} (concise)'.format(
        *compare_line(runs, '    1 ').split()),
    'final-mse': lambda runs: compare_line(runs, 'final MSE').split()[-1],
    'double-gap': lambda runs: compare_line(
        runs, '  with the 1/2 at lr 0.06').split()[-1],
    **answers.GENERATORS,
}


def benchmark_text(name):
    """A benchmark's record, as `benchmarks/record.sh NAME` wrote it."""
    with open(os.path.join(FIGURES, f'{name}.txt'), encoding='utf-8') as f:
        return answers.fence(f.read())


def masked(text):
    """`text` with its timing lines' numbers as '#', their spaces as one."""
    return '\n'.join(' '.join(NUMBER.sub('#', line).split())
                     if TIMING.match(line) else line
                     for line in text.splitlines())


def differences(doc_text, fresh):
    """[(name, what the doc says, what a run says)] where they differ."""
    found = []
    for match in REGION.finditer(doc_text):
        name, said = match.group(2), match.group(3)
        if name in fresh and masked(said) != masked(fresh[name]):
            found.append((name, said, fresh[name]))
    return found


def fill(doc_text, fresh):
    return REGION.sub(lambda m: m.group(1) + fresh.get(m.group(2),
                                                       m.group(3))
                      + m.group(4), doc_text)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='generate.py', description=(__doc__ or '-').splitlines()[0])
    parser.add_argument('--check', action='store_true',
                        help='compare instead of writing; exit 1 on a '
                             'difference')
    args = parser.parse_args(argv)
    runs = Runs(repeats=2 if args.check else None)  # times are masked
    texts = {path: open(path, encoding='utf-8').read() for path in DOCS}
    names = {m.group(2) for text in texts.values()
             for m in REGION.finditer(text)}
    # A name that is neither fails in one line: no record by that name
    fresh = {name: GENERATORS[name](runs) if name in GENERATORS
             else benchmark_text(name) for name in names}
    failed = False
    for path, text in texts.items():
        if args.check:
            for name, said, runs_say in differences(text, fresh):
                failed = True
                print(f'{os.path.relpath(path, ROOT)}: gen:{name} differs '
                      f'from what the run prints:\n--- the document\n'
                      f'{said.strip()}\n--- the run\n{runs_say.strip()}\n')
        elif fill(text, fresh) != text:
            new = fill(text, fresh).encode('utf-8')
            faults.replace_whole(path, lambda f: f.write(new))
            print(f'generate.py: wrote {os.path.relpath(path, ROOT)}')
    return 1 if failed else 0


if __name__ == '__main__':
    faults.exit_at_once('generate.py')  # nothing to clean up while reading
    sys.exit(faults.guarded('generate.py', main))
