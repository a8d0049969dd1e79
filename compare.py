"""Run two scripts on the same data, watched, and compare them honestly:
`./compare.sh [A.py B.py] --help` (`python compare.py` without bash)."""
import math
import os
import statistics
import sys
import time
from dataclasses import dataclass

from bench import edits, faults, flags, report, runner

PROG = 'compare.sh'
BUDGET = 15.0  # seconds of timing after which no more pairs are started
# `squared_loss`, its 1/2 kept, averaged over the batch as `nn.MSELoss` is
HALF = ('loss = lambda y_hat, y: ((y_hat - y.reshape(y_hat.shape)) ** 2 '
        '/ 2).mean()')


@dataclass
class Comparison:
    """What compare.sh found: its tables, its plot and --json read it."""
    names: list  # the two columns' names
    runs: list  # each script's `watch.Run`
    lstsq: dict  # `runner.least_squares` on their data
    timing: list = None  # per script: what its Timer timed, in seconds
    time_ratio: float = None  # second/first: the median of the pairs'
    pairs: int = 0
    equivalence: dict = None  # the gaps; None without --equivalence

    def results(self):
        """What --json prints."""
        found = dict(zip(self.names, [run.results() for run in self.runs]))
        timing = self.timing and dict(zip(self.names, self.timing))
        found.update(lstsq=self.lstsq, time_ratio=self.time_ratio,
                     timing=timing, equivalence=self.equivalence)
        return found


def parse_args(argv=None):
    """(compare.sh's flags and the edits', the scripts' argv)."""
    parser = flags.Parser(
        prog=PROG, usage=f'{PROG} [A.py B.py] [options]',
        description='Run two scripts on the same data, watched: their '
        'losses, MSE, errors, lstsq fit and times side by side. Without '
        'A.py B.py: linreg_scratch.py and linreg_concise.py.',
        epilog='Every other flag (`python linreg_concise.py --help` lists '
               'them) goes to both scripts. A trainer that diverges is a '
               'result: exit status 0.')
    add = parser.add_argument
    add('--json', action='store_true',
        help='end with one JSON line of all the results')
    add('--plot', type=flags.png_path, metavar='FILE.png',
        help="also draw the chapter's scatter with the lines learned, and "
             'both losses per epoch')
    add('--equivalence', action='store_true',
        help='also run the script whose loss is the MSE with the 1/2 of '
             '`squared_loss` in it, at 2 lr and at lr')
    add('--repeats', type=flags.number(int, 1), default=30,
        help='timed runs of each script, in alternating pairs after a '
             f'warm-up pair; fewer once timing has taken {BUDGET:g} s')
    flags.add_edits(parser)
    argv = list(sys.argv[1:] if argv is None else argv)
    paths = [arg for arg in argv if arg.endswith('.py')]
    args, rest = parser.parse_known_args([a for a in argv if a not in paths])
    if len(paths) not in (0, 2):
        parser.error('name two scripts, or none: linreg_scratch.py and '
                     'linreg_concise.py')
    if args.equivalence and (args.loss, args.reduction) != ('squared',
                                                            'mean'):
        parser.error("argument --equivalence: compares the book's losses; "
                     'drop --loss and --reduction')
    args.paths = paths or [runner.script_file(n) for n in runner.SCRIPTS]
    return args, rest


def time_both(scripts, args):
    """The Timers' times of runs in alternating pairs, and their ratio."""
    times, ratios, order = ([], []), [], [0, 1]
    started = time.perf_counter()
    for pair in range(1 + args.repeats):
        if pair > 3 and time.perf_counter() - started > BUDGET:
            break
        medians = [0, 0]
        for k in order:
            run = runner.execute(scripts[k])
            seconds = run.epoch_seconds or [sum(run.timer_seconds)]
            medians[k] = statistics.median(seconds)
            if pair:  # the first pair is the warm-up
                times[k].extend(seconds)
        if pair:
            ratios.append(medians[1] / medians[0])  # a load cancels out
        order.reverse()  # neither script always goes first
    timing = [{'median': statistics.median(seconds), 'min': min(seconds),
               'max': max(seconds), 'seconds': seconds} for seconds in times]
    return timing, statistics.median(ratios), len(ratios)


def equivalence(args, rest, scripts, comparison):
    """The MSE's script again with `HALF`, at 2 lr and lr: its gaps."""
    losses = [run.loss for run in comparison.runs]
    k = losses.index('mse') if 'mse' in losses else 1
    run, path = comparison.runs[k], scripts[k].path
    half = [(edits.LOSS['concise'], lambda old: HALF, '--equivalence')]
    gaps = {}
    if not run.watch.parsed:
        print(f'equivalence: cannot run it: {os.path.basename(path)} takes no '
              '--lr (it has no parse_args())')
        return None
    try:
        for factor in (2, 1):
            lr = repr(factor * (run.lr or math.nan))
            script = runner.load(path, [*rest, '--lr', lr], args,
                                 changes=half, loss='half')
            again = runner.execute(script)
            gaps[factor] = runner.path_gap(again.watch.snapshots,
                                           run.watch.snapshots)
    except faults.Failed as error:
        print(f'equivalence: cannot run it: {error}')
        return None
    print(f'equivalence: {os.path.basename(path)} again with the 1/2, from '
          'one init over one batch order\n  (gap: |difference| / max(1, '
          "|parameter|), at each epoch's end):")
    edits.print_edits([e for e in again.edits if HALF in e], '  ')
    for factor, gap in gaps.items():
        print(f'  with the 1/2 at lr {factor * run.lr:g} vs as written at '
              f'lr {run.lr:g}: max parameter gap {gap:.1e}')
    return {'double_lr_gap': gaps[2], 'same_lr_gap': gaps[1]}


def compare(argv):
    args, rest = parse_args(argv)
    scripts = runner.load_all(args.paths, rest, args)
    # The first run refuses a bad flag of the scripts', before they import
    # torch; after it, the imports are done, and Ctrl-C may raise
    runs = [runner.execute(scripts[0])]
    faults.interruptible(PROG)
    runs.append(runner.execute(scripts[1]))
    names = [os.path.basename(p)[:-3].replace('linreg_', '', 1)
             for p in args.paths]  # linreg_scratch.py: scratch
    found = Comparison(names, runs, runner.least_squares(runs[0]))
    status = 0
    if args.plot:  # before any output, which a closed pipe could stop
        from bench import plots
        status = plots.save(PROG, plots.compare(found), args.plot)
    for part in (report.header, report.loss_table, report.artefacts,
                 report.errors_table):
        part(found)
    print(end='', flush=True)  # the report before the timing
    if all(run.timer_seconds for run in runs):
        found.timing, found.time_ratio, found.pairs = time_both(scripts,
                                                                args)
    report.timing(found)
    if args.equivalence:
        found.equivalence = equivalence(args, rest, scripts, found)
    if args.plot and not status:
        print(f'wrote {args.plot}')
    if args.json:
        faults.write_json(found.results())
    return status


def main(argv=None):
    return faults.main(PROG, compare, argv)


if __name__ == '__main__':
    sys.exit(main())
