"""Run two scripts on the same data and compare them honestly:
`./compare.sh --help` (`python compare.py` where there is no bash). The
book's pair by default, or two of your own: `./compare.sh scratch.py
concise.py`. Both run in this process with the same flags, watched from
outside; then again in alternating pairs, timed by each script's own
Timer. Every figure is read from the runs.
"""
import math
import os
import statistics
import sys
import time
from dataclasses import dataclass

from bench import contract, edits, faults, flags, runner

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
        runs = {name: run.results() for name, run in zip(self.names,
                                                          self.runs)}
        timing = self.timing and dict(zip(self.names, self.timing))
        return dict(runs, lstsq=self.lstsq, time_ratio=self.time_ratio,
                    timing=timing, equivalence=self.equivalence)


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
        help='also run the script whose loss is `nn.MSELoss()` with the 1/2 '
             'of `squared_loss` in it, at 2 lr and at lr')
    add('--repeats', type=flags.positive_int, default=30,
        help='timed runs of each script, in alternating pairs after a '
             f'warm-up pair; fewer once timing has taken {BUDGET:g} s')
    flags.add_edits(parser)
    argv = list(sys.argv[1:] if argv is None else argv)
    paths = [arg for arg in argv if arg.endswith('.py')]
    args, rest = parser.parse_known_args([a for a in argv
                                          if a not in paths])
    flags.check_edits(parser, args)
    if len(paths) not in (0, 2):
        parser.error('name two scripts to compare, or none for '
                     'linreg_scratch.py and linreg_concise.py')
    for path in paths:
        if not os.path.isfile(path):
            parser.error(f'no file {path!r}')
    if args.equivalence and (args.loss, args.reduction) != ('squared',
                                                            'mean'):
        parser.error("argument --equivalence: compares the book's losses; "
                     'drop --loss and --reduction')
    args.paths = paths or [runner.script_file(n) for n in runner.SCRIPTS]
    return args, rest


def column_names(paths):
    """A column's name: the file's, less `.py` and `linreg_`."""
    names = [os.path.basename(p)[:-3].replace('linreg_', '', 1)
             for p in paths]
    return names if names[0] != names[1] else list(paths)


def time_both(scripts, args, budget=BUDGET):
    """The runs again, in alternating pairs after a warm-up pair, none
    started after `budget` s: what each script's Timer timed (its epochs,
    where it timed each alone; else its runs), and the median of the
    pairs' ratios, which cancels a load that comes and goes."""
    times, ratios, order = ([], []), [], [0, 1]
    started = time.perf_counter()
    for pair in range(1 + args.repeats):
        if pair > 3 and time.perf_counter() - started > budget:
            break
        medians = [0, 0]
        for k in order:
            run = runner.execute(scripts[k], args)
            seconds = run.epoch_seconds or [sum(run.timer_seconds)]
            medians[k] = statistics.median(seconds)
            if pair:  # the first pair is the warm-up
                times[k].extend(seconds)
        if pair:
            ratios.append(medians[1] / medians[0])
        order.reverse()  # neither script always goes first
    timing = [{'median': statistics.median(t), 'min': min(t), 'max': max(t),
               'seconds': t} for t in times]
    return timing, statistics.median(ratios), len(ratios)


def cell(value, width=0):
    """A table cell: the number, or 'diverged' for inf and NaN, or blank."""
    if value is None:
        return ' ' * width
    if not math.isfinite(value):
        return f'{"diverged":>{width}}'
    text = f'{value:.6f}' if abs(value) < 1e4 else f'{value:.3e}'
    return f'{text:>{width}}'


def columns(label, *texts):
    """A row of the side-by-side tables, a space between any two cells."""
    return f'{label:<26}' + ''.join(f' {text:>21}' for text in texts)


def header(comparison):
    """Print the edits and the line of what ran, with the data's check."""
    first, second = comparison.runs
    edits.print_edits(first.edits + second.edits)
    names = comparison.names
    ran = [run.what_ran() for run in comparison.runs]
    if first.flags:
        given = flags.as_typed(first.flags)
    else:  # a script without a parser takes none
        given = "none, the book's numbers" if first.watch.parsed else 'none'
    same = first.data_sha256 == second.data_sha256
    print('# ' + (f'{ran[0]} in both' if ran[0] == ran[1] else
                  f'{names[0]}: {ran[0]}; {names[1]}: {ran[1]}')
          + f'; flags: {given}; same data in both: '
          + ('yes (their sha256 are equal)' if same else 'NO'))


def loss_table(comparison):
    """Print each epoch's printed losses and MSE, side by side."""
    names, (first, second) = comparison.names, comparison.runs
    print(f'{"epoch":>5}  ' + '  '.join(
        [f'{name + " loss":>13}' for name in names]
        + [f'{name + " MSE":>12}' for name in names]))
    for epoch in range(max(len(first.mse_per_epoch),
                           len(second.mse_per_epoch))):
        row = []
        for values, width in ((first.loss_per_epoch, 13),
                              (second.loss_per_epoch, 13),
                              (first.mse_per_epoch, 12),
                              (second.mse_per_epoch, 12)):
            row.append(cell(values[epoch] if epoch < len(values) else None,
                            width))
        print(f'{epoch + 1:>5}  ' + '  '.join(row))
    if len(first.mse_per_epoch) != len(second.mse_per_epoch):
        print('  the two ran different epochs: a blank is an epoch that '
              'one did not run.')


def ratio(run):
    """The printed loss over the MSE, at the first epoch where both are
    finite and the MSE is not 0."""
    for loss, mse in zip(run.loss_per_epoch, run.mse_per_epoch):
        if math.isfinite(loss) and math.isfinite(mse) and mse > 0:
            return loss / mse
    return math.nan


def artefacts(comparison):
    """Print what makes the two differ, each read from the runs: the 1/2,
    the step, the data, a divergence."""
    names, runs = comparison.names, comparison.runs
    print(f'  printed loss / MSE: {names[0]} {ratio(runs[0]):.2f}, '
          f'{names[1]} {ratio(runs[1]):.2f}; the MSE columns use one '
          'definition for both.')
    losses = {run.loss: name for name, run in zip(names, runs)}
    if {'half', 'mse'} <= set(losses):
        print(f'  {losses["half"]} prints {contract.LOSSES["half"]}, '
              f'{losses["mse"]} {contract.LOSSES["mse"]}:\n  at '
              'convergence they settle near sigma^2/2 = 5e-05 and sigma^2 = '
              '1e-04 (sigma = 0.01).')
        if runs[0].lr is not None and runs[0].lr == runs[1].lr:
            print(f'  At the same lr, {runs[0].lr:g}, the gradient of the '
                  'mean squared error is twice that of the 1/2 loss:\n  '
                  f'{losses["mse"]} steps twice as far (--equivalence runs '
                  'it again to show it).')
    if any('seeded by the runner' in line for run in runs
           for line in run.edits):
        print('  A script that sets no seed draws other data at every run: '
              'the runner seeded it (its # edit:\n  line), so that both '
              'fit the same data.')
    diverged = [(name, run) for name, run in zip(names, runs)
                if run.diverged_at_epoch]
    for name, run in diverged:
        print(f'  {os.path.basename(run.script)} diverged at epoch '
              f'{run.diverged_at_epoch}' + ('; the other column is still a '
                                            'result' if len(diverged) == 1
                                            else ''))


def errors_table(comparison):
    """Print the errors in w and b and the final MSE, beside lstsq's."""
    print(columns('', *comparison.names, 'lstsq'))
    fits = [*comparison.runs, comparison.lstsq]
    for label, key in (('w error', 'w_error'), ('b error', 'b_error')):
        cells = []
        for fit in fits:
            diverged = getattr(fit, 'diverged_at_epoch', None)
            values = fit[key] if isinstance(fit, dict) else getattr(fit, key)
            cells.append(f'diverged at epoch {diverged}' if diverged else
                         ', '.join(f'{v:+.5f}' for v in values))
        print(columns(label, *cells))
    print(columns('final MSE', *(cell(math.nan if run.diverged_at_epoch
                                      else run.mse)
                                 for run in comparison.runs),
                  cell(comparison.lstsq['mse'])))
    print('  lstsq: the closed-form least-squares fit on the same data '
          '(`torch.linalg.lstsq`),\n  the lowest MSE any line reaches '
          'there. What the scripts print is not shown here:\n  `python -m '
          'bench SCRIPT` (with the same flags) shows it.')


def report_timing(comparison):
    """Print what each Timer timed, and the times, every one read from
    the scripts' Timers."""
    names, runs = comparison.names, comparison.runs
    for k, (name, run) in enumerate(zip(names, runs)):
        print(f'{"Timers:" if k == 0 else "":<8}{name}: {run.timed}')
    if comparison.timing is None:
        print('  no times to compare: a script that starts no Timer times '
              'nothing')
        return
    each = all(run.epoch_seconds for run in runs)
    what = 'per epoch' if each else 'per run'
    print(columns(f'{what}, median (range)', *(
        f'{1000 * t["median"]:.1f} ms ({1000 * t["min"]:.1f}-'
        f'{1000 * t["max"]:.1f})' for t in comparison.timing)))
    pairs = comparison.pairs
    print(f'{names[1]}/{names[0]} time {what}: {comparison.time_ratio:.2f}x '
          f'(median of {pairs} alternating pair{"s" * (pairs != 1)} of runs, '
          'after a warm-up pair;')
    if each:
        print('  imports and data generation excluded)')
    else:
        print('  not the training alone: what each Timer timed. Run by '
              "hand, it was one cold run; time each\n  epoch's minibatches "
              'alone, as linreg_*.py do, with timer.start() and '
              'timer.stop() around them)')


def equivalence(args, rest, scripts, comparison):
    """Run the script whose loss is the MSE again, its loss `HALF`, at
    twice its lr and at its lr: print and return each one's largest
    parameter gap to the run at the epochs' ends, or say why there is
    none."""
    k = next((k for k, run in enumerate(comparison.runs)
              if run.loss == 'mse'), 1)
    run, script = comparison.runs[k], scripts[k]
    half = [(edits.LOSS['concise'], lambda old: HALF, '--equivalence')]
    gaps, name = {}, os.path.basename(script.path)
    try:
        for key, factor in (('double_lr_gap', 2), ('same_lr_gap', 1)):
            again = runner.execute(runner.load(
                script.path, [*rest, '--lr', repr(factor * (run.lr or 0))],
                args, changes=half, loss='half'), args)
            gaps[key] = runner.path_gap(again.watch.snapshots,
                                        run.watch.snapshots)
    except faults.Failed as error:
        print(f'equivalence: cannot run it: {error}')
        return None
    print(f'equivalence: {name} again with the 1/2, from one init over one '
          'batch order\n  (gap: |difference| / max(1, |parameter|), at '
          "each epoch's end):")
    edits.print_edits([line for line in again.edits if HALF in line], '  ')
    for key, factor in (('double_lr_gap', 2), ('same_lr_gap', 1)):
        print(f'  with the 1/2 at lr {factor * run.lr:g} vs as written at '
              f'lr {run.lr:g}: max parameter gap {gaps[key]:.1e}')
    return gaps


def compare(argv):
    args, rest = parse_args(argv)
    args.device = runner.resolve_device(args.device)
    scripts = runner.load_all(args.paths, rest, args)
    # The first run refuses a bad flag of the scripts', before they import
    # torch; after it, the imports are done, and Ctrl-C may raise
    runs = [runner.execute(scripts[0], args)]
    faults.interruptible(PROG)
    runs.append(runner.execute(scripts[1], args))
    comparison = Comparison(column_names(args.paths), runs,
                            runner.least_squares(runs[0]))
    status = 0
    if args.plot:  # before any output, which a closed pipe could stop
        from bench import plots
        status = plots.save(PROG, plots.compare(comparison), args.plot)
    header(comparison)
    loss_table(comparison)
    artefacts(comparison)
    errors_table(comparison)
    sys.stdout.flush()
    if all(run.timer_seconds for run in runs):
        comparison.timing, comparison.time_ratio, comparison.pairs = \
            time_both(scripts, args)
    report_timing(comparison)
    if args.equivalence:
        comparison.equivalence = equivalence(args, rest, scripts, comparison)
    if args.plot and not status:
        print(f'wrote {args.plot}')
    if args.json:
        faults.write_json(comparison.results())
    return status


def main(argv=None):
    return faults.main(PROG, compare, argv)


if __name__ == '__main__':
    sys.exit(main())
