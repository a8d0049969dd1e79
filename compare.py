"""Run both trainers on the same data and compare them honestly:
`./compare.sh --help` (`python compare.py` where there is no bash). Both
script files run in this process with the same flags; their loops, timed
by each script's own Timer, then run again in alternating pairs.
"""
import math
import statistics
import sys
import time
from dataclasses import dataclass

from bench import edits, faults, flags, runner

PROG = 'compare.sh'
BUDGET = 15.0  # seconds of timing after which no more pairs are started
NAMES = ('scratch', 'concise')
# `squared_loss`, its 1/2 kept, averaged over the batch as `nn.MSELoss` is
HALF = ('loss = lambda y_hat, y: ((y_hat - y.reshape(y_hat.shape)) ** 2 '
        '/ 2).mean()')


@dataclass
class Comparison:
    """What compare.sh found: its tables, its plot and --json read it."""
    runs: dict  # 'scratch' and 'concise': each script's `watch.Run`
    lstsq: dict  # `runner.least_squares` on their data
    timing: dict = None  # per name: the epochs' median, range and times
    time_ratio: float = None  # concise/scratch: the median of the pairs'
    pairs: int = 0
    equivalence: dict = None  # the gaps; None without --equivalence

    def results(self):
        """What --json prints."""
        return dict({name: run.results() for name, run in self.runs.items()},
                    lstsq=self.lstsq, time_ratio=self.time_ratio,
                    timing=self.timing, equivalence=self.equivalence)


def parse_args(argv=None):
    """(compare.sh's and the edits' flags, the scripts' argv, checked)."""
    parser = flags.Parser(
        prog=PROG, description='Run both chapter scripts on the same data; '
        'print their losses, MSE, errors, lstsq fit and times side by side.',
        epilog='Every other flag (`python linreg_concise.py --help` lists '
               'them) goes to both scripts. A trainer that diverges is a '
               'result: exit status 0.')
    add = parser.add_argument
    add('--json', action='store_true',
        help='end with one JSON line of all the results')
    add('--plot', type=flags.png_path, metavar='FILE.png',
        help="also draw the chapter's scatter with the lines learned")
    add('--equivalence', action='store_true',
        help="also run linreg_concise.py with the 1/2 of `squared_loss` in "
             'its loss, at 2 lr and at lr, beside the run as written')
    add('--repeats', type=flags.positive_int, default=30,
        help='timed one-epoch runs of each trainer, in alternating pairs '
             f'after a warm-up pair; fewer once timing has taken {BUDGET:g} s')
    flags.add_edits(parser)
    args, rest = parser.parse_known_args(argv)
    if args.equivalence and (args.loss, args.reduction) != ('squared',
                                                            'mean'):
        parser.error("argument --equivalence: compares the book's losses; "
                     'drop --loss and --reduction')
    for name in NAMES:
        flags.check(PROG, flags.edits_for(args, name),
                    runner.script_file(name), rest)
    return args, rest


def time_both(args, rest, repeats, budget=BUDGET):
    """Each trainer's epochs by its own Timer, in alternating one-epoch runs
    after a warm-up pair, none started after `budget` s; the median of the
    per-pair ratios cancels a load that comes and goes."""
    one = [*rest, '--num-epochs', '1']
    epochs = {name: [] for name in NAMES}
    ratios, order, started = [], list(NAMES), time.perf_counter()
    for i in range(1 + repeats):
        if i > 3 and time.perf_counter() - started > budget:
            break
        pair = {}
        for name in order:
            run = runner.run(name, one, flags.edits_for(args, name))
            pair[name] = statistics.median(run.epoch_seconds)
            if i:  # the first pair is the warm-up
                epochs[name] += run.epoch_seconds
        if i:
            ratios.append(pair['concise'] / pair['scratch'])
        order.reverse()  # neither trainer always goes first
    timing = {name: {
        'epoch_median': statistics.median(epochs[name]),
        'epoch_min': min(epochs[name]), 'epoch_max': max(epochs[name]),
        'epoch_runs': epochs[name]} for name in NAMES}
    return timing, statistics.median(ratios), len(ratios)


def cell(value, width=0):
    """A table cell: the number, or 'diverged' for inf and NaN."""
    if value is None or not math.isfinite(value):
        text = 'diverged'
    else:
        text = f'{value:.6f}' if abs(value) < 1e4 else f'{value:.3e}'
    return f'{text:>{width}}'


def columns(label, *texts):
    """A row of the side-by-side tables, a space between any two cells."""
    return f'{label:<26}' + ''.join(f' {text:>21}' for text in texts)


def errors(run):
    if run.diverged_at_epoch:
        return (f'diverged at epoch {run.diverged_at_epoch}',) * 2
    return tuple(', '.join(f'{v:+.5f}' for v in errors)
                 for errors in (run.w_error, run.b_error))


def halves(run):
    """The printed loss over the MSE at the first finite epoch, and k (1/2
    or 1) where each finite epoch's loss is k times its MSE as printed."""
    pairs = [(l, m) for l, m in zip(run.loss_per_epoch, run.mse_per_epoch)
             if math.isfinite(l) and math.isfinite(m) and m > 0]
    same = [k for k in (0.5, 1) if pairs and all(  # `{:f}`: 6 decimals
        abs(l - k * m) <= 1e-6 for l, m in pairs)]
    return (pairs[0][0] / pairs[0][1] if pairs else math.nan,
            same[0] if same else None)


def report(found):
    """Print the edits, the loss table and the errors, before any timing."""
    s, c = found.runs['scratch'], found.runs['concise']
    for line in s.edits + c.edits:
        print(f'# edit: {line}')
    ran = {name: run.what_ran() for name, run in found.runs.items()}
    typed = flags.shown(c.flags) or "none, the book's numbers"
    same = s.data_sha256 == c.data_sha256
    print('# ' + (f'{ran["scratch"]} in both' if len(set(ran.values())) == 1
                  else f'scratch: {ran["scratch"]}; concise: '
                       f'{ran["concise"]}')
          + f'; flags: {typed}; same data in both: '
          f'{"yes" if same else "NO"} (sha256 {s.data_sha256[:12]})')
    print(f'{"epoch":>5}  {"scratch loss":>13}  {"concise loss":>13}  '
          f'{"scratch MSE":>12}  {"concise MSE":>12}')
    for epoch in range(max(len(s.mse_per_epoch), len(c.mse_per_epoch))):
        row = [cell(values[epoch], width) if epoch < len(values) else
               ' ' * width for values, width in (
                   (s.loss_per_epoch, 13), (c.loss_per_epoch, 13),
                   (s.mse_per_epoch, 12), (c.mse_per_epoch, 12))]
        print(f'{epoch + 1:>5}  ' + '  '.join(row))
    if len(s.mse_per_epoch) != len(c.mse_per_epoch):
        print('  the two ran different epochs: a blank is an epoch that '
              'one did not run.')
    (rs, ks), (rc, kc) = halves(s), halves(c)
    print(f'  printed loss / MSE: scratch {rs:.2f}, concise {rc:.2f}; the '
          'MSE columns use one definition for both.')
    if (ks, kc) == (0.5, 1):
        print('  `squared_loss` keeps a 1/2 that `nn.MSELoss` does not, so '
              'at convergence they settle\n  near sigma^2/2 = 5e-05 and '
              'sigma^2 = 1e-04 (sigma = 0.01).')
    diverged = [r for r in (s, c) if r.diverged_at_epoch]
    for r in diverged:
        print(f'  linreg_{r.impl}.py diverged at epoch '
              f'{r.diverged_at_epoch}' + ('; the other column is still a '
                                          'result' if len(diverged) == 1
                                          else ''))
    print(columns('', 'scratch', 'concise', 'lstsq'))
    fit = (', '.join(f'{v:+.5f}' for v in found.lstsq[key])
           for key in ('w_error', 'b_error'))
    for label, cells in zip(('w error', 'b error'),
                            zip(errors(s), errors(c), fit)):
        print(columns(label, *cells))
    print(columns('final MSE', *(cell(None if r.diverged_at_epoch else
                                      r.mse) for r in (s, c)),
                  cell(found.lstsq['mse'])))
    print('  lstsq: the closed-form least-squares fit on the same data '
          '(`torch.linalg.lstsq`),\n  the lowest MSE any line reaches '
          'there. What the scripts print is not shown here:\n  `python -m '
          'bench linreg_scratch.py` (with the same flags) shows it.')


def report_timing(found):
    """Print the timing rows, every one read from the scripts' Timers."""
    print(columns('per epoch, median (range)', *(
        f'{1000 * t["epoch_median"]:.1f} ms ({1000 * t["epoch_min"]:.1f}-'
        f'{1000 * t["epoch_max"]:.1f})' for t in found.timing.values())))
    print(f'concise/scratch time per epoch: {found.time_ratio:.2f}x (median '
          f'of {found.pairs} alternating pair{"s" * (found.pairs != 1)} of '
          'one-epoch runs, after a warm-up pair;\n  imports and data '
          'generation excluded)')


def equivalence(args, rest, concise):
    """Run the concise script again, its loss `HALF`, at twice its lr and
    at its lr: print and return each one's largest parameter gap to the
    run at the epochs' ends, or say why there is none."""
    lr, gaps = concise.seen.ns['args'].lr, {}
    half = [(edits.LOSS['concise'], lambda old: HALF, '--equivalence')]
    try:
        for key, factor in (('double_lr_gap', 2), ('same_lr_gap', 1)):
            run = runner.run('concise', [*rest, '--lr', repr(factor * lr)],
                             flags.edits_for(args, 'concise'), changes=half)
            gaps[key] = runner.path_gap(run.seen.snapshots,
                                        concise.seen.snapshots)
    except faults.Failed as error:
        print(f'equivalence: cannot run it: {error}')
        return None
    print('equivalence: linreg_concise.py again with the 1/2, from one init '
          'over one batch order\n  (gap: |difference| / max(1, |parameter|)'
          ", at each epoch's end):")
    print(f'  # edit: {next(e for e in run.edits if HALF in e)}')
    for key, factor in (('double_lr_gap', 2), ('same_lr_gap', 1)):
        print(f'  with the 1/2 at lr {factor * lr:g} vs as written at lr '
              f'{lr:g}: max parameter gap {gaps[key]:.1e}')
    return gaps


def main(argv=None):
    faults.exit_at_once(PROG)  # from the first moment: one line
    return faults.guarded(PROG, lambda: compare(argv))


def compare(argv):
    args, rest = parse_args(argv)
    from d2l import torch as d2l  # noqa: F401
    if args.plot:
        from bench import plots
    # After the imports, a signal is raised, so that a plot's temporary
    # file is removed
    faults.raise_on_signals(PROG)
    runs = {name: runner.run(name, rest, flags.edits_for(args, name))
            for name in NAMES}
    found = Comparison(runs, runner.least_squares(runs['scratch']))
    status = 0
    if args.plot:  # before any output, which a closed pipe could stop
        status = plots.save(PROG, plots.compare(runs), args.plot)
    report(found)
    sys.stdout.flush()
    found.timing, found.time_ratio, found.pairs = time_both(args, rest,
                                                            args.repeats)
    report_timing(found)
    if args.equivalence:
        found.equivalence = equivalence(args, rest, runs['concise'])
    if args.plot and not status:
        print(f'wrote {args.plot}')
    if args.json:
        faults.write_json(found.results())
    return status


if __name__ == '__main__':
    sys.exit(main())
