"""Paste into README.md and BENCHMARKS.md what the commands print.

    python docs/generate.py                  # rerun the commands, rewrite
    python docs/generate.py --check          # rerun, exit 1 on a difference
    python docs/generate.py --benchmarks     # also rerun the benchmarks
                                             # (minutes) and record them

A generated region is the text between `<!-- gen:NAME -->` and `<!--
/gen -->`, in a line or across lines; NAME is one of `GENERATORS` (a run of
the scripts, compare.sh or sweep.py, made here in one process) or of
`BENCHMARKS` (a benchmark's output, recorded in docs/figures/NAME.txt with
the machine and date, since it takes minutes and its times are one
machine's). `--check` reruns every generator and compares: each line
exactly, but the lines of timings, whose numbers it masks; and it compares
each benchmark region with its record.
"""
import argparse
import contextlib
import datetime
import io
import os
import platform
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
from bench import faults  # noqa: E402
DOCS = [os.path.join(ROOT, name) for name in
        ('README.md', 'BENCHMARKS.md', os.path.join('docs', 'en-1.0.md'),
         os.path.join('docs', 'exercises.md'))]
FIGURES = os.path.join(ROOT, 'docs', 'figures')
REGION = re.compile(r'(<!-- gen:([\w-]+) -->)(.*?)(<!-- /gen -->)', re.S)
# The lines of compare.sh's output that hold times, not results
TIMING = re.compile(r'^(first run|per epoch|  of which data loading'
                    r'|concise/scratch time)')
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


def results(name, *argv):
    from bench import runner
    return runner.run(name, argv=argv).results()


def fence(text):
    return '\n```\n' + text.rstrip('\n') + '\n```\n'


class Runs:
    """The runs the generators share, each made once."""

    def __init__(self, repeats):
        import torch
        torch.set_num_threads(1)  # as the suite: the same last digits
        self.repeats = repeats  # of compare.sh's timing; None: its default
        self.cache = {}

    def get(self, key, make):
        if key not in self.cache:
            self.cache[key] = make()
        return self.cache[key]

    def compare(self):
        import compare
        argv = ['--equivalence'] + (
            ['--repeats', str(self.repeats)] if self.repeats else [])
        return self.get('compare', lambda: quiet(compare.main, argv))

    def both(self, *argv):
        return self.get(('both',) + argv, lambda: {
            name: results(name, *argv) for name in ('scratch', 'concise')})

    def sweep(self, *argv):
        import sweep
        return self.get(('sweep',) + argv,
                        lambda: quiet(sweep.main, list(argv)))


def table(header, rows):
    lines = ['| ' + ' | '.join(header) + ' |',
             '| ' + ' | '.join('---' for _ in header) + ' |']
    lines += ['| ' + ' | '.join(str(c) for c in row) + ' |' for row in rows]
    return '\n' + '\n'.join(lines) + '\n'


def worst(result, keys=('w_error',)):
    """The largest error in w (or in w and b) of a run, or 'diverged'."""
    if result.get('diverged_at_epoch'):
        return 'diverged'
    return max(abs(e) for key in keys for e in result[key])


def g(value, digits=2):
    return f'{value:.{digits}g}' if isinstance(value, float) else value


def fixed(value):
    return f'{value:.6f}' if isinstance(value, float) else value


# -- the generators: NAME -> function(runs) -> text ---------------------------

def gen_compare(runs):
    return fence(runs.compare())


def compare_line(runs, start):
    return next(line for line in runs.compare().splitlines()
                if line.startswith(start))


def gen_first_losses(runs):
    cells = compare_line(runs, '    1 ').split()
    return f'{cells[1]} (scratch) and {cells[2]} (concise)'


def gen_final_mse(runs):
    return compare_line(runs, 'final MSE').split()[-1]


def gen_double_gap(runs):
    return compare_line(runs, '  scratch at lr 0.06').split()[-1]


def gen_lr_sweep(runs):
    """`sweep.py lr`, less the rows of 0.003 and 0.1 and of lstsq. Each
    point is a fresh run, so the grid less those two prints the same rows
    (tests/test_sweep.py), in less time."""
    import sweep
    shown = [f'{lr:g}' for lr in sweep.GRIDS['lr'] if lr not in (0.003, 0.1)]
    lines = runs.sweep('lr', '--values', ','.join(shown)).splitlines()
    kept = [lines[0]] + [line for line in lines[1:]
                         if line.split()[1] != 'lstsq']
    return fence('\n'.join(kept))


def gen_inits(runs):
    rows = []
    for text, argv in (('the book: N(0, 0.01)', ()),
                       ('zeros (zh 3.2 ex. 1)', ('--init', 'zeros')),
                       ('variance 1000 (en 3.2): std 31.6',
                        ('--init-std', '31.6'))):
        both = runs.both(*argv)
        rows.append([text, '`' + ' '.join(argv) + '`' if argv else '',
                     *(f'{g(r["loss_per_epoch"][0], 3)} / '
                       f'{g(worst(r), 2)}' for r in both.values())])
    return table(['init', 'flags', 'scratch: epoch-1 loss / largest w error',
                  'concise: the same'], rows)


def gen_losses(runs):
    rows = []
    for text, argv in (('squared (the book\'s)', ()),
                       ('Huber, sigma 1', ('--loss', 'huber')),
                       ('Huber, sigma 1, 5 epochs',
                        ('--loss', 'huber', '--num-epochs', '5')),
                       ('absolute', ('--loss', 'abs'))):
        both = runs.both(*argv)
        rows.append([text, '`' + ' '.join(argv) + '`' if argv else '',
                     *(', '.join(g(v, 3) for v in r['loss_per_epoch'])
                       for r in both.values()),
                     *(fixed(r['mse']) for r in both.values())])
    return table(['loss', 'flags', 'scratch: loss per epoch',
                  'concise: loss per epoch', 'scratch: final MSE',
                  'concise: final MSE'], rows)


def gen_outlier(runs):
    rows = []
    for loss in ('squared', 'abs', 'huber'):
        for text, extra in (('clean', ()),
                            ('`y[5] = 10000`', ('--outlier', '10000'))):
            both = runs.both('--loss', loss, *extra)
            rows.append([loss, text, *(g(worst(r, ('w_error', 'b_error')),
                                         2) for r in both.values())])
    lstsq = runs.get('lstsq-outlier', lambda: lstsq_error(
        '--outlier', '10000'))
    return (table(['loss', 'data', 'scratch: max error in w or b',
                   'concise: the same'], rows)
            + f'\n(The lstsq fit itself, on the data with the outlier: max '
              f'error {g(lstsq, 2)}.)\n')


def lstsq_error(*argv):
    from bench import runner
    fit = runner.least_squares(runner.run('scratch', argv=[
        *argv, '--num-epochs', '1']))
    return max(abs(e) for e in fit['w_error'] + fit['b_error'])


def gen_epochs(runs):
    """`sweep.py num-epochs --values 1,3,10`, scratch and concise."""
    lines = runs.sweep('num-epochs', '--values', '1,3,10').splitlines()
    return fence('\n'.join(lines))


def gen_more(runs):
    rows = []
    for text, argv in (
            ('batch 1000: one full batch a step', ('--batch-size', '1000')),
            ('batch 5000: one short batch, divided by 5000',
             ('--batch-size', '5000')),
            ('500 examples: 150 steps', ('--num-examples', '500')),
            ('sum, lr / batch size (zh 3.3 ex. 1)',
             ('--reduction', 'sum', '--lr', '0.003'))):
        if '--reduction' in argv:
            mean = runs.both()['concise']
            total = results('concise', *argv)
            cells = ['-', f'{fixed(total["mse"])} (the mean run: '
                          f'{fixed(mean["mse"])})']
        else:
            both = runs.both(*argv)
            cells = [f'{fixed(r["mse"])} / {g(worst(r), 2)}'
                     for r in both.values()]
        rows.append([text, '`' + ' '.join(argv) + '`', *cells])
    return table(['run', 'flags', 'scratch: final MSE / largest w error',
                  'concise: the same'], rows)


GENERATORS = {
    'compare': gen_compare, 'first-losses': gen_first_losses,
    'final-mse': gen_final_mse, 'double-gap': gen_double_gap,
    'lr-sweep': gen_lr_sweep, 'inits': gen_inits, 'losses': gen_losses,
    'outlier': gen_outlier, 'more': gen_more, 'epochs-sweep': gen_epochs,
}

# Benchmarks: minutes each, and their times are one machine's figures
PY = sys.executable
BENCHMARKS = {
    'startup': [PY, 'benchmarks/startup.py', '--suite',
                '--suite-repeats', '2'],
    'scale': [PY, 'benchmarks/scale.py'],
    'compare-timing': ['bash', 'compare.sh'],
}


def record_benchmark(name):
    """Run one benchmark here; record its output with machine and date."""
    done = subprocess.run(BENCHMARKS[name], cwd=ROOT, capture_output=True,
                          text=True, env=dict(os.environ, PYTHON=PY))
    if done.returncode:
        raise SystemExit(f'generate.py: {name} failed:\n{done.stderr}')
    import torch
    machine = (f'{os.cpu_count()}-core {platform.system()} '
               f'{platform.machine()}, Python {platform.python_version()}, '
               f'torch {torch.__version__}, {datetime.date.today()}')
    command = ' '.join(BENCHMARKS[name][1:] if BENCHMARKS[name][0] == PY
                       else BENCHMARKS[name]).replace('bash compare.sh',
                                                      './compare.sh')
    text = (f'$ {"python " if BENCHMARKS[name][0] == PY else ""}'
            f'{command}   # {machine}\n{done.stdout}')
    os.makedirs(FIGURES, exist_ok=True)
    with open(os.path.join(FIGURES, f'{name}.txt'), 'w',
              encoding='utf-8') as f:
        f.write(text)


def benchmark_text(name):
    """The record of a benchmark, as pasted: compare.sh's, its command
    line and timing rows alone (the results are in the README's block)."""
    with open(os.path.join(FIGURES, f'{name}.txt'), encoding='utf-8') as f:
        text = f.read()
    if name.startswith('compare'):
        lines = text.splitlines()
        text = '\n'.join([lines[0]] + [
            line for line in lines[1:] if TIMING.match(line)
            or line.startswith('  imports and data generation')])
    return fence(text)


def masked(text):
    """`text` with the numbers of its timing lines replaced by '#' (and
    their spaces, which align numbers of any width, by one)."""
    return '\n'.join(' '.join(NUMBER.sub('#', line).split())
                     if TIMING.match(line) else line
                     for line in text.splitlines())


def differences(doc_text, fresh):
    """The regions of `doc_text` that differ from `fresh` (NAME -> text),
    timings masked: [(name, what the doc says, what a run says)]."""
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


def write_whole(path, text):
    """Write `path` whole or not at all: a temporary sibling, renamed."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix='.gen-')
    try:
        with os.fdopen(fd, 'w', encoding='utf-8') as f:
            f.write(text)
        os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='generate.py', description=(__doc__ or '-').splitlines()[0])
    parser.add_argument('--check', action='store_true',
                        help='compare instead of writing; exit 1 on a '
                             'difference')
    parser.add_argument('--benchmarks', action='store_true',
                        help='rerun the benchmarks and record them first')
    parser.add_argument('--docs', nargs='*', default=DOCS,
                        help='the documents to fill or check')
    args = parser.parse_args(argv)
    if args.benchmarks:
        for name in BENCHMARKS:
            print(f'generate.py: running {name}', file=sys.stderr)
            record_benchmark(name)
    runs = Runs(repeats=1 if args.check else None)  # times are masked
    texts = {path: open(path, encoding='utf-8').read() for path in args.docs}
    names = {m.group(2) for text in texts.values()
             for m in REGION.finditer(text)}
    unknown = names - set(GENERATORS) - set(BENCHMARKS)
    if unknown:
        raise SystemExit(f'generate.py: unknown regions {sorted(unknown)}')
    fresh = {name: GENERATORS[name](runs) for name in names
             if name in GENERATORS}
    fresh.update({name: benchmark_text(name) for name in names
                  if name in BENCHMARKS})
    failed = False
    for path, text in texts.items():
        if args.check:
            for name, said, runs_say in differences(text, fresh):
                failed = True
                print(f'{os.path.relpath(path, ROOT)}: gen:{name} differs '
                      f'from what the run prints:\n--- the document\n'
                      f'{said.strip()}\n--- the run\n{runs_say.strip()}\n')
        else:
            new = fill(text, fresh)
            if new != text:
                write_whole(path, new)
                print(f'generate.py: wrote {os.path.relpath(path, ROOT)}')
    return 1 if failed else 0


if __name__ == '__main__':
    faults.exit_at_once('generate.py')  # nothing to clean up while reading
    sys.exit(faults.guarded('generate.py', main))
