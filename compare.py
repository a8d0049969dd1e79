"""Run both trainers on the same data and compare them honestly.

compare.sh calls this (`python compare.py` does the same where there is no
bash); see `./compare.sh --help`. Every flag is checked before torch is
imported. Both script files then run in this one process with the same
flags, as on the command line; the loss table comes as soon as both are
done; then their training loops, timed by each script's own Timer, run
again in alternating pairs, so that a busy machine slows both alike.
"""
import json
import math
import statistics
import sys
import time

from bench import faults, flags, record

PROG = 'compare.sh'
BUDGET = 15.0  # seconds of timing after which no more pairs are started


def parse_args(argv=None):
    """compare.sh's own flags, and the scripts' flags checked as theirs."""
    parser = flags.Parser(
        prog=PROG,
        description='Run linreg_scratch.py and linreg_concise.py with the '
                    'same flags on the same data, and print their losses, '
                    'a common MSE, the errors in w and b, the closed-form '
                    'least-squares fit and their training times side by '
                    'side.',
        epilog='Every other flag (`linreg_concise.py --help` lists them) '
               'goes to both scripts unchanged, but --reduction, which goes '
               'to linreg_concise.py alone. A trainer that diverges is a '
               'result: exit status 0.')
    parser.add_argument('--json', action='store_true',
                        help='end with one JSON line of all the results')
    parser.add_argument('--plot', type=flags.png_path, metavar='FILE.png',
                        help="also draw the chapter's scatter of the "
                             'data with the lines learned and, from one '
                             'init over one batch order, the per-step MSE '
                             'and the paths in (w1, w2) of scratch at lr '
                             'and 2 lr and of concise at lr')
    parser.add_argument('--equivalence', action='store_true',
                        help='also show that scratch at 2 lr and concise at '
                             'lr take the same steps from one init over one '
                             'batch order')
    parser.add_argument('--repeats', type=flags.positive_int, default=30,
                        help='timed one-epoch runs of each trainer, in '
                             'alternating pairs after a warm-up pair; fewer '
                             f'once timing has taken {BUDGET:g} s')
    args, rest = parser.parse_known_args(argv)
    return args, flags.check(PROG, flags.split(rest))


def data_pass(rec):
    """Time one pass over the script's own iterator, with no training."""
    from timer import Timer
    timer = Timer(rec.args.device)
    batches = rec.ns['data_iter']
    if callable(batches) and not hasattr(batches, 'dataset'):  # scratch
        batches = batches(rec.args.batch_size, rec.features, rec.labels)
    timer.start()
    for X, y in batches:
        pass
    return timer.stop()


def time_both(parsed, repeats, budget=BUDGET):
    """Time one epoch of each trainer, by the script's own Timer, in
    alternating pairs after a warm-up pair; no new pair after `budget` s."""
    from bench import runner
    one = {name: flags.argparse.Namespace(**dict(vars(args), num_epochs=1))
           for name, args in parsed.items()}
    epochs = {name: [] for name in parsed}
    loading = {name: [] for name in parsed}
    order, started = list(parsed), time.perf_counter()
    for i in range(1 + repeats):
        if i > 3 and time.perf_counter() - started > budget:
            break
        for name in order:
            rec = runner.run(name, one[name])
            if i:  # the first pair is the warm-up
                epochs[name].append(rec.timer.times[0])
                loading[name].append(data_pass(rec))
        order.reverse()  # neither trainer always goes first
    timing = {name: {
        'epoch_median': statistics.median(epochs[name]),
        'epoch_min': min(epochs[name]), 'epoch_max': max(epochs[name]),
        'epoch_runs': epochs[name],
        'data_median': statistics.median(loading[name])}
        for name in parsed}
    # A load that comes and goes slows both runs of a pair alike: the median
    # of the per-pair ratios cancels it
    ratio = statistics.median(c / s for c, s in zip(epochs['concise'],
                                                    epochs['scratch']))
    return timing, ratio


def cell(value, width=0):
    """A table cell: the number, or 'diverged' for inf and NaN."""
    if value is None or not math.isfinite(value):
        text = 'diverged'
    else:
        text = f'{value:.6f}' if abs(value) < 1e4 else f'{value:.3e}'
    return f'{text:>{width}}'


def columns(label, *texts):
    """A row of the side-by-side tables: 22 wide, right-aligned, with a
    space between columns however wide a slow run's times are."""
    return f'{label:<26}' + ''.join(f' {text:>21}' for text in texts)


def errors(result):
    if result.get('diverged_at_epoch'):
        return (f'diverged at epoch {result["diverged_at_epoch"]}',) * 2
    return tuple(', '.join(f'{v:+.5f}' for v in result[key])
                 for key in ('w_error', 'b_error'))


def halves(result):
    """The run's own loss over its MSE at the last finite epoch."""
    pairs = [(l, m) for l, m in zip(result['loss_per_epoch'],
                                    result['mse_per_epoch'])
             if math.isfinite(l) and math.isfinite(m) and m > 0]
    return pairs[-1][0] / pairs[-1][1] if pairs else math.nan


def report(results, lstsq, typed):
    """Print the loss table and the errors, before any timing."""
    s, c = results['scratch'], results['concise']
    same = s['data_sha256'] == c['data_sha256']
    steps = sorted(set(s['steps_per_epoch']))
    typed = typed or "none, the book's numbers"
    print(f'# {s["num_examples"]} examples, {len(s["steps_per_epoch"])} '
          f'epochs of {steps[0] if len(steps) == 1 else steps} steps; '
          f'flags: {typed}; same data in both: '
          f'{"yes" if same else "NO"} (sha256 {s["data_sha256"][:12]})')
    print(f'{"epoch":>5}  {"scratch loss":>13}  {"concise loss":>13}  '
          f'{"scratch MSE":>12}  {"concise MSE":>12}')
    for epoch in range(len(s['loss_per_epoch'])):
        row = [r[key][epoch] for key in ('loss_per_epoch', 'mse_per_epoch')
               for r in (s, c)]
        print(f'{epoch + 1:>5}  {cell(row[0], 13)}  {cell(row[1], 13)}  '
              f'{cell(row[2], 12)}  {cell(row[3], 12)}')
    ratios = halves(s), halves(c)
    print(f'  own loss / MSE, measured: scratch {ratios[0]:.2f}, concise '
          f'{ratios[1]:.2f}; the MSE columns use one definition for both.')
    if abs(ratios[0] - 0.5) < 1e-3 and abs(ratios[1] - 1) < 1e-3:
        print('  `squared_loss` keeps a 1/2 that `nn.MSELoss` does not, so '
              'at convergence they settle\n  near sigma^2/2 = 5e-05 and '
              'sigma^2 = 1e-04 (sigma = 0.01).')
    diverged = [r for r in (s, c) if r.get('diverged_at_epoch')]
    for r in diverged:
        print(f'  linreg_{r["impl"]}.py diverged at epoch '
              f'{r["diverged_at_epoch"]}' + ('; the other column is still a '
                                             'result' if len(diverged) == 1
                                             else ''))
    print(columns('', 'scratch', 'concise', 'lstsq'))
    for label, cells in zip(('w error', 'b error'),
                            zip(errors(s), errors(c), errors(lstsq))):
        print(columns(label, *cells))
    print(columns('final MSE', *(cell(None if r.get('diverged_at_epoch')
                                      else r['mse']) for r in (s, c, lstsq))))
    print('  lstsq: the closed-form least-squares fit on the same data '
          '(`torch.linalg.lstsq`),\n  the lowest MSE any line reaches '
          'there.')


def ms(seconds):
    return f'{1000 * seconds:.1f} ms'


def report_timing(results, timing, ratio):
    """Print the timing rows, every one read from the scripts' Timers."""
    s, c = results['scratch'], results['concise']
    ts, tc = timing['scratch'], timing['concise']
    epochs = len(s['epoch_seconds'])
    print(columns(f'first run, {epochs} epoch{"s" * (epochs != 1)}',
                  ms(s['train_seconds']), ms(c['train_seconds'])))
    print(columns('per epoch, median (range)', *(
        f'{ms(t["epoch_median"])} ({1000 * t["epoch_min"]:.1f}-'
        f'{1000 * t["epoch_max"]:.1f})' for t in (ts, tc))))
    print(columns('  of which data loading', ms(ts['data_median']),
                  ms(tc['data_median'])))
    print(f'concise/scratch time per epoch: {ratio:.2f}x (median of '
          f'{len(ts["epoch_runs"])} alternating pairs of one-epoch runs, '
          'after a warm-up pair;\n  imports and data generation excluded)')


def equivalence(replayed):
    """Print and return the parameter gaps of the replays."""
    from bench import runner
    lr = replayed['lr']
    gaps = {'double_lr_gap': runner.path_gap(replayed[2],
                                             replayed['concise']),
            'same_lr_gap': runner.path_gap(replayed[1], replayed['concise'])}
    print('equivalence, one init and one batch order for both (gap: '
          '|difference| / max(1, |parameter|), over every step):')
    for key, factor in (('double_lr_gap', 2), ('same_lr_gap', 1)):
        print(f'  scratch at lr {factor * lr:g} vs concise at lr {lr:g}: '
              f'max parameter gap {gaps[key]:.1e}')
    return gaps


def main(argv=None):
    return faults.guarded(PROG, lambda: compare(argv))


def compare(argv):
    args, parsed = parse_args(argv)
    # The imports end at once on a signal; after them, a signal is raised,
    # so that a plot's temporary file is removed
    faults.exit_at_once(PROG)
    from bench import runner
    from d2l import torch as d2l  # noqa: F401
    if args.plot:
        from bench import plots
    faults.raise_on_signals(PROG)
    recs = {name: runner.run(name, parsed[name]) for name in parsed}
    results = {name: recs[name].results() for name in recs}
    lstsq = runner.least_squares(recs['scratch'])
    replayed = None
    if args.plot or args.equivalence:
        replayed = runner.replays(recs['scratch'], recs['concise'],
                                  parsed['scratch'].seed)
    status = 0
    if args.plot:  # before any output, which a closed pipe could stop
        status = plots.save(PROG, lambda: plots.compare(
            recs, replayed, lstsq, args.plot), args.plot)
    report(results, lstsq, flags.shown(parsed['concise'].typed))
    sys.stdout.flush()
    timing, ratio = time_both(parsed, args.repeats)
    report_timing(results, timing, ratio)
    summary = dict(results, lstsq=lstsq, time_ratio=ratio, timing=timing)
    if args.equivalence:
        summary['equivalence'] = equivalence(replayed)
    if args.plot and not status:
        print(f'wrote {flags.printable(args.plot)}')
    if args.json:
        faults.write_whole(json.dumps(record.strict(summary)))
    return status


if __name__ == '__main__':
    sys.exit(main())
