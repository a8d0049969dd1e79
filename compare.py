"""Run both trainers on the same data and compare them honestly.

compare.sh calls this (`python compare.py` works too, where there is no
bash); see `./compare.sh --help`. Every flag is checked before torch is
imported. Then both script files run in this one process, with the same
flags, exactly as on the command line (`bench.lab.run`); the loss table comes
as soon as both are done; then their training loops are timed alternately
here, so that a busy machine slows both alike and the concise/scratch ratio
stays put.
"""
import argparse
import contextlib
import io
import math
import statistics
import os
import sys
import time

# This folder, also under `python -P` or `-I`, which leave it off the path
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import cli  # noqa: E402

PROG = 'compare.sh'
BOOK_MSE = "MSELoss(reduction='mean')"
BUDGET = 15.0  # seconds of timing after which no more pairs are started


def parse_args(argv=None):
    """compare.sh's own flags, and the scripts' flags checked as theirs."""
    parser = cli.Parser(
        prog=PROG,
        description='Run linreg_scratch.py and linreg_concise.py with the '
                    'same flags on the same data, and print their losses, '
                    'a common MSE, the errors in w and b, the closed-form '
                    'least-squares fit, and their training times side by '
                    'side.',
        epilog='Every other flag (--num-examples, --batch-size, --lr, '
               '--num-epochs, --seed, --device, ...) goes to both scripts '
               'unchanged, but --loader and --reduction, which go to '
               'linreg_concise.py alone; see `python linreg_concise.py '
               '--help`. A trainer that diverges is shown as such beside '
               'the other; exit status 0 means the comparison was made.')
    parser.add_argument('--json', action='store_true',
                        help='end with one JSON line: {"scratch": ..., '
                             '"concise": ..., "lstsq": ..., "time_ratio": '
                             '..., "timing": ..., "equivalence": ...}')
    parser.add_argument('--plot', type=cli.png_path, metavar='FILE.png',
                        help='also draw the per-step MSE of both, and their '
                             'paths in (w1, w2), to FILE.png')
    parser.add_argument('--equivalence', action='store_true',
                        help='also show that scratch at 2*lr and concise at '
                             'lr take the same steps on the same batches '
                             '(with the book\'s two losses)')
    parser.add_argument('--repeats', type=cli.positive_int, default=30,
                        help='timed one-epoch runs of each trainer, in '
                             'alternating pairs after a warm-up pair; fewer '
                             f'once timing has taken {BUDGET:g} s')
    args, rest = parser.parse_known_args(argv)
    parsed = cli.check_script_flags(PROG, cli.split_flags(rest),
                                    unshown=('--print-grad', '--lang'))
    return args, parsed


class EpochEcho(io.TextIOBase):
    """A stdout for a script run here: its `epoch ...` lines go on to
    stderr as they come, as progress; the previews are dropped."""

    def __init__(self, prefix):
        self.prefix, self.pending = prefix, ''

    def writable(self):
        return True

    def write(self, text):
        self.pending += text
        *lines, self.pending = self.pending.split('\n')
        for line in lines:
            if line.startswith('epoch '):
                cli.note(f'{self.prefix}: {line}')
        return len(text)


def run_script(name, args, echo=False, **options):
    """Run one script file here, with these flags, as `python` runs it; a
    divergence is a result."""
    from bench import lab
    out = EpochEcho(cli.PROGS[name]) if echo else io.StringIO()
    with contextlib.redirect_stdout(out):
        return lab.run(name, args, allow_divergence=True, **options)


def replace(args, **changes):
    """A copy of parsed flags with some changed."""
    return argparse.Namespace(**dict(vars(args), **changes))


def data_pass(name, bench):
    """Time one pass over the iterator the timed run read (the script's
    own, or the one its flags chose), on its data, with no training."""
    from timer import Timer, synchronizer
    script, batch_size = bench.ns, bench.ran()['batch_size']
    timer = Timer(sync=synchronizer(bench.device))
    timer.start()
    if name == 'scratch':
        batches = script['data_iter'](batch_size, bench.features,
                                      bench.labels)
    else:
        batches = script['load_array']((bench.features, bench.labels),
                                       batch_size)
    for X, y in bench.source(batches):
        pass
    return timer.stop()


def time_both(parsed, repeats, budget=BUDGET):
    """Time one epoch of each trainer in alternating pairs, after a warm-up.

    Short units alternated often share whatever load the machine has, and
    give many pairs in little time; pairs stop early once `budget` seconds
    have gone, so that a large configuration still ends.
    """
    from timer import Timer
    one = {name: replace(args, num_epochs=1) for name, args in parsed.items()}
    epoch = {name: Timer() for name in parsed}
    data = {name: Timer() for name in parsed}
    order = list(parsed)
    started = time.perf_counter()
    for i in range(1 + repeats):
        if i > 3 and time.perf_counter() - started > budget:
            break
        for name in order:
            bench = run_script(name, one[name])
            loading = data_pass(name, bench)
            if i:  # The first pair is the warm-up
                epoch[name].times.append(bench.epoch_timer.times[0])
                data[name].times.append(loading)
        order.reverse()  # Neither trainer always goes first
    timing = {}
    for name in parsed:
        low, high = epoch[name].spread()
        timing[name] = {
            'epoch_median': epoch[name].median(),
            'epoch_min': low, 'epoch_max': high,
            'epoch_runs': epoch[name].times,
            'data_median': data[name].median(),
            'compute_median': max(
                epoch[name].median() - data[name].median(), 0.0),
        }
    # A load that comes and goes slows both runs of a pair alike: the median
    # of the per-pair ratios cancels it
    ratio = statistics.median(
        c / s for c, s in zip(epoch['concise'].times, epoch['scratch'].times))
    return timing, ratio


def replays(parsed, concise):
    """The concise run with the book's loss (`concise`, if it had it), and
    the scratch trainer at 2*lr and at lr fed its batches and its initial
    parameters."""
    book = replace(parsed['concise'], loss='squared', reduction='mean')
    if vars(book) != vars(concise.args):
        concise = run_script('concise', book, trace=True, keep_batches=True)
    start = (concise.initial[:-1], concise.initial[-1:])
    scratch = replace(parsed['scratch'], loss='squared')
    return concise, {
        factor: run_script('scratch', replace(scratch, lr=factor * book.lr),
                           trace=True, replay=concise.batches, start=start)
        for factor in (2, 1)}


def path_gap(one, other):
    """The largest parameter gap over the steps both took with finite
    parameters, relative to the parameters' size once they pass 1 (so
    that rounding in a run that blows up does not read as a gap)."""
    import torch
    steps = min(len(one.path), len(other.path))
    a, b = torch.stack(one.path[:steps]), torch.stack(other.path[:steps])
    finite = torch.isfinite(a).all(1) & torch.isfinite(b).all(1)
    a, b = a[finite].double(), b[finite].double()
    size = torch.maximum(torch.maximum(a.abs(), b.abs()), torch.ones(1))
    return float(((a - b).abs() / size).max())


def equivalence(parsed, concise, scratch):
    """Print and return the parameter gaps of the two replays."""
    lr = concise.args.lr
    gaps = {'double_lr_gap': path_gap(scratch[2], concise),
            'same_lr_gap': path_gap(scratch[1], concise)}
    print('equivalence, one init and one batch order for both (gap: '
          '|difference| / max(1, |parameter|), over every step):')
    for key, factor in (('double_lr_gap', 2), ('same_lr_gap', 1)):
        ended = [f'{who} diverged at epoch {run.diverged_at}'
                 for who, run in (('scratch', scratch[factor]),
                                  ('concise', concise)) if run.diverged]
        print(f'  scratch at lr {factor * lr:g} vs concise at lr {lr:g}: '
              f'max parameter gap {gaps[key]:.1e}'
              + (f' (measured until {", ".join(ended)})' if ended else ''))
    print('  `nn.MSELoss` has no 1/2, so its gradient is twice that of the '
          'mean of `squared_loss`.')
    args = parsed['scratch']
    if args.num_examples % args.batch_size:
        print('  (the last batch is short: the book\'s `sgd` still divides '
              'it by `batch_size`, `MSELoss` by its length)')
    return gaps


def cell(value, width):
    """A table cell: the number, or why there is none."""
    if value is None or not math.isfinite(value):
        text = 'diverged'
    else:
        text = f'{value:.6f}' if abs(value) < 1e4 else f'{value:.3e}'
    return f'{text:>{width}}'


def columns(label, *texts):
    """A row of the side-by-side tables: columns 22 wide, right-aligned,
    and a space between them however wide a slow run's times are."""
    return f'{label:<26}' + ''.join(f' {text:>21}' for text in texts)


def errors(result):
    if result.get('diverged'):
        return (f'diverged at epoch {result["diverged_at_epoch"]}',) * 2
    return tuple(', '.join(f'{v:+.5f}' for v in result[key])
                 for key in ('w_error', 'b_error'))


def report(results, lstsq):
    """Print the loss table and the errors, before any timing."""
    s, c = results['scratch'], results['concise']
    cfg = s['config']
    same = s['data_sha256'] == c['data_sha256']
    print(f'# {cfg["num_examples"]} examples, batch {cfg["batch_size"]}, '
          f'lr {cfg["lr"]}, {cfg["num_epochs"]} epochs, seed {cfg["seed"]}; '
          f'same data in both: {"yes" if same else "NO"} '
          f'(sha256 {s["data_sha256"][:12]})')
    print(f'{"epoch":>5}  {"scratch loss":>13}  {"concise loss":>13}  '
          f'{"scratch MSE":>12}  {"concise MSE":>12}')
    for epoch in range(cfg['num_epochs']):
        row = [r[key][epoch] if epoch < len(r[key]) else None
               for key in ('loss_per_epoch', 'mse_per_epoch')
               for r in (s, c)]
        if all(v is None for v in row):
            break
        print(f'{epoch + 1:>5}  {cell(row[0], 13)}  {cell(row[1], 13)}  '
              f'{cell(row[2], 12)}  {cell(row[3], 12)}')
    if s['loss_name'] == 'squared_loss' and c['loss_name'] == BOOK_MSE:
        print('  own loss: scratch `squared_loss` = (y_hat - y)^2 / 2 keeps '
              'a 1/2 that `nn.MSELoss` does not,\n  so at convergence they '
              'settle near sigma^2/2 = 5e-05 and sigma^2 = 1e-04 '
              '(sigma = 0.01);\n  the MSE columns use one definition for '
              'both.')
    else:
        print(f'  own loss: scratch `{s["loss_name"]}`, concise '
              f'`{c["loss_name"]}`; the MSE columns use one definition '
              'for both.')
    for r in (s, c):
        if r.get('diverged'):
            print(f'  linreg_{r["impl"]}.py: {r["diverged"]}; the other '
                  'column is still a result')
    print(columns('', 'scratch', 'concise', 'lstsq'))
    rows = zip(errors(s), errors(c), errors(lstsq))
    for label, cells in zip(('w error', 'b error'), rows):
        print(columns(label, *cells))
    print(columns('final MSE', *(
        cell(r['mse'] if not r.get('diverged') else None, 0)
        for r in (s, c, lstsq))))
    print('  lstsq: the closed-form least-squares fit on the same data '
          '(`torch.linalg.lstsq`),\n  the lowest MSE any line reaches '
          'there.')


def ms(seconds):
    return f'{1000 * seconds:.1f} ms'


def report_timing(results, timing, ratio):
    """Print the timing rows."""
    s, c = results['scratch'], results['concise']
    ts, tc = timing['scratch'], timing['concise']
    epochs = s['config']['num_epochs']
    print(columns(f'first run, {epochs} epochs', ms(s['train_seconds']),
                  ms(c['train_seconds'])))
    print(columns('per epoch, median (range)', *(
        f'{ms(t["epoch_median"])} ({1000 * t["epoch_min"]:.1f}-'
        f'{1000 * t["epoch_max"]:.1f})' for t in (ts, tc))))
    print(columns('  data loading', ms(ts['data_median']),
                  ms(tc['data_median'])))
    print(columns('  forward+backward+update', ms(ts['compute_median']),
                  ms(tc['compute_median'])))
    print(f'concise/scratch time per epoch: {ratio:.2f}x (median of '
          f'{len(ts["epoch_runs"])} alternating pairs of one-epoch runs, '
          'after a warm-up pair;\n  imports and data generation excluded)')


def main(argv=None):
    return cli.guarded(PROG, lambda: compare(argv))


def compare(argv):
    args, parsed = parse_args(argv)
    cli.check_mplbackend()
    from bench import lab
    for name in parsed:
        try:
            parsed[name].device = lab.resolve_device(parsed[name].device)
        except ValueError as error:
            cli.note(f'{PROG}: error: {error}')
            return 2
    extras = args.plot or args.equivalence
    labs = {}
    for name in parsed:
        keep = bool(extras) and name == 'concise'  # for `replays`
        try:
            labs[name] = run_script(name, parsed[name], echo=True,
                                    trace=bool(args.plot) or keep,
                                    keep_batches=keep)
        except lab.Failed as error:
            cli.note(f'{PROG}: {cli.PROGS[name]} failed: {error}')
            return 1
    results = {name: labs[name].results() for name in labs}
    first = labs['scratch']
    lstsq = lab.least_squares(first.features, first.labels, first.true_w,
                              first.true_b)
    report(results, lstsq)
    sys.stdout.flush()
    timing, ratio = time_both(parsed, args.repeats)
    report_timing(results, timing, ratio)
    summary = dict(results, lstsq=lstsq, time_ratio=ratio, timing=timing)
    code = 0
    if extras:
        concise, scratch = replays(parsed, labs['concise'])
    if args.equivalence:
        summary['equivalence'] = equivalence(parsed, concise, scratch)
    if args.plot:
        from bench import plots
        code = plots.save(PROG, lambda: plots.compare(
            labs, concise, scratch, lstsq, args.plot), args.plot)
    if args.json:
        cli.write_whole(cli.dumps(summary))
    return code


if __name__ == '__main__':
    sys.exit(main())
