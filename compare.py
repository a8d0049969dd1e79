"""Run both trainers on the same data and compare them honestly.

compare.sh calls this; see `./compare.sh --help`. Both scripts' `main` run
in this one process, with the same flags, exactly as on the command line;
then their training loops are timed alternately here, so that a busy machine
slows both alike and the concise/scratch ratio stays put.
"""
import argparse
import contextlib
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time

import torch
from torch import nn

import linreg_concise as concise
import linreg_scratch as scratch
from timer import Timer, synchronizer

PROG = 'compare.sh'
SCRIPTS = {'scratch': scratch, 'concise': concise}
CONCISE_ONLY = ('--loader', '--reduction')  # flags the scratch script lacks
BOOK_MSE = "MSELoss(reduction='mean')"
BUDGET = 15.0  # seconds of timing after which no more pairs are started


def split_flags(argv):
    """Split compare.sh's script flags into scratch's and concise's."""
    argvs = {'scratch': [], 'concise': []}
    argv = iter(argv)
    for arg in argv:
        if arg.split('=')[0] in CONCISE_ONLY:
            argvs['concise'].append(arg)
            if '=' not in arg:
                argvs['concise'].append(next(argv, ''))
        else:
            for name in argvs:
                argvs[name].append(arg)
    return argvs


def png_path(text):
    """An argparse type: a .png file in a writable folder that exists."""
    folder = os.path.dirname(os.path.abspath(text))
    if not text.lower().endswith('.png'):
        raise argparse.ArgumentTypeError(f'{text!r} does not end in .png')
    if not os.path.isdir(folder):
        raise argparse.ArgumentTypeError(f'folder {folder!r} does not exist')
    if not os.access(folder, os.W_OK) or os.path.isdir(text):
        raise argparse.ArgumentTypeError(f'cannot write {text!r}')
    return text


def parse_args(argv=None):
    """compare.sh's own flags; all others go to both scripts unchanged."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description='Run linreg_scratch.py and linreg_concise.py with the '
                    'same flags on the same data, and print their losses, '
                    'a common MSE, the errors in w and b, and their '
                    'training times side by side.',
        epilog='Every other flag (--num-examples, --batch-size, --lr, '
               '--num-epochs, --seed, --device, ...) goes to both scripts '
               'unchanged, but --loader and --reduction, which go to '
               'linreg_concise.py alone; see `python linreg_concise.py '
               '--help`.',
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('--json', action='store_true',
                        help='end with one JSON line: {"scratch": ..., '
                             '"concise": ..., "time_ratio": ..., ...}')
    parser.add_argument('--plot', type=png_path, metavar='FILE.png',
                        help='also write both loss curves to FILE.png')
    parser.add_argument('--equivalence', action='store_true',
                        help='also show that scratch at 2*lr and concise at '
                             'lr take the same steps on the same batches '
                             '(with the book\'s two losses, on the CPU)')
    parser.add_argument('--repeats', type=scratch.positive_int, default=30,
                        help='timed one-epoch runs of each trainer, in '
                             'alternating pairs after a warm-up pair; fewer '
                             f'once timing has taken {BUDGET:g} s')
    return parser.parse_known_args(argv)


class Failed(Exception):
    """A script exited non-zero; the message says which and why."""

    def __init__(self, message, code):
        super().__init__(message)
        self.code = code


def run_main(name, argv):
    """Run one script's `main(argv)` here, as if from the shell."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = SCRIPTS[name].main(argv)
        except SystemExit as stop:  # argparse's errors
            code = stop.code
    if code:
        lines = err.getvalue().strip().splitlines() or ['(no message)']
        raise Failed(f'linreg_{name}.py failed (exit {code}): {lines[-1]}',
                     code)
    return json.loads(out.getvalue().splitlines()[-1])


def silent(*args):
    """A `log` that prints nothing."""


def data_pass(name, args):
    """Time a pass over the script's own data iterator, with no training."""
    features, labels = scratch.synthetic_data(
        torch.tensor([2, -3.4]), 4.2, args.num_examples)
    features, labels = features.to(args.device), labels.to(args.device)
    timer = Timer(sync=synchronizer(args.device))
    for _ in range(args.num_epochs):
        timer.start()
        if name == 'scratch':
            batches = scratch.data_iter(args.batch_size, features, labels)
        else:
            batches = concise.load_array((features, labels), args.batch_size,
                                         loader=args.loader)
        for X, y in batches:
            pass
        timer.stop()
    return timer.sum()


def time_both(argvs, repeats, budget=BUDGET):
    """Time one epoch of each trainer in alternating pairs, after a warm-up.

    Short units alternated often share whatever load the machine has, and
    give many pairs in little time; pairs stop early once `budget` seconds
    have gone, so that a large configuration still ends.
    """
    parsed = {name: SCRIPTS[name].parse_args(argvs[name] + ['--num-epochs',
                                                            '1'])
              for name in SCRIPTS}
    epoch = {name: Timer() for name in SCRIPTS}
    data = {name: Timer() for name in SCRIPTS}
    order = list(SCRIPTS)
    started = time.perf_counter()
    for i in range(1 + repeats):
        if i > 3 and time.perf_counter() - started > budget:
            break
        for name in order:
            seconds = SCRIPTS[name].run(parsed[name], log=silent)
            loading = data_pass(name, parsed[name])
            if i:  # The first pair is the warm-up
                epoch[name].times.append(seconds['train_seconds'])
                data[name].times.append(loading)
        order.reverse()  # Neither trainer always goes first
    timing = {}
    for name in SCRIPTS:
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


class Replay:
    """Hand out the same recorded batches, one epoch per `iter()`."""

    def __init__(self, epochs):
        self._epochs = iter(epochs)

    def __iter__(self):
        return iter(next(self._epochs))


def equivalence(args, scratch_lr, concise_lr):
    """Train both from one init on one batch order; return the max gap."""
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    features, labels = scratch.synthetic_data(
        torch.tensor([2, -3.4]), 4.2, args.num_examples)
    epochs = [list(scratch.data_iter(args.batch_size, features, labels))
              for _ in range(args.num_epochs)]
    w0, b0 = torch.normal(0, 0.01, size=(2, 1)), torch.zeros(1)

    w = w0.clone().requires_grad_()
    b = b0.clone().requires_grad_()
    replay = Replay(epochs)
    scratch.train(scratch.linreg, scratch.squared_loss, w, b, scratch_lr,
                  args.batch_size, features, labels, args.num_epochs, Timer(),
                  data_iter=lambda *_: iter(replay), log=silent)

    net = nn.Sequential(nn.Linear(2, 1))
    net[0].weight.data.copy_(w0.T)
    net[0].bias.data.copy_(b0)
    trainer = torch.optim.SGD(net.parameters(), lr=concise_lr)
    concise.train(net, nn.MSELoss(), trainer, features, labels,
                  args.num_epochs, Timer(), Replay(epochs), log=silent)
    with torch.no_grad():
        return max(float((w.T - net[0].weight).abs().max()),
                   float((b - net[0].bias).abs().max()))


def save_plot(results, path):
    """Write both loss curves, and the common MSE, to `path`."""
    fig, ax = figure(figsize=(6, 4))
    styles = {'scratch': 'tab:blue', 'concise': 'tab:orange'}
    for name, result in results.items():
        epochs = range(1, len(result['loss_per_epoch']) + 1)
        ax.plot(epochs, result['loss_per_epoch'], '-o', color=styles[name],
                label=f'{name}: own loss, {result["loss_name"]}')
        same = result['mse_per_epoch'] == result['loss_per_epoch']
        ax.plot(epochs, result['mse_per_epoch'], '--x', color=styles[name],
                label=f'{name}: MSE, no 1/2' + (' (its own loss)' * same))
    for level, text in ((1e-4, 'sigma^2'), (5e-5, 'sigma^2 / 2')):
        ax.axhline(level, color='gray', linestyle=':', linewidth=1)
        ax.annotate(text, (1, level), xytext=(2, 2),
                    textcoords='offset points', fontsize=7, color='gray')
    ax.set_yscale('log')
    ax.set_xlabel('epoch')
    ax.set_ylabel('full-data loss')
    ax.set_xticks(list(epochs))
    ax.legend(fontsize=7)
    ax.set_title('Same data, same seed: scratch vs concise')
    write_png(fig, path)


def figure(**kwargs):
    """A new matplotlib figure that needs no display."""
    import matplotlib
    matplotlib.use('Agg')
    from matplotlib import pyplot as plt
    return plt.subplots(**kwargs)


def write_png(fig, path):
    """Save `fig` to `path` whole or not at all: a temporary file, renamed."""
    from matplotlib import pyplot as plt
    fig.tight_layout()
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(suffix='.png', dir=folder)
    try:
        with os.fdopen(fd, 'wb') as f:
            fig.savefig(f, format='png', dpi=120)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    finally:
        plt.close(fig)


def ms(seconds):
    return f'{1000 * seconds:.1f} ms'


def report(results, timing, ratio):
    """Print the side-by-side table."""
    s, c = results['scratch'], results['concise']
    cfg = s['config']
    same = s['data_sha256'] == c['data_sha256']
    print(f'# {cfg["num_examples"]} examples, batch {cfg["batch_size"]}, '
          f'lr {cfg["lr"]}, {cfg["num_epochs"]} epochs, seed {cfg["seed"]}; '
          f'same data in both: {"yes" if same else "NO"} '
          f'(sha256 {s["data_sha256"][:12]})')
    print(f'{"epoch":>5}  {"scratch loss":>13}  {"concise loss":>13}  '
          f'{"scratch MSE":>12}  {"concise MSE":>12}')
    for i, row in enumerate(zip(s['loss_per_epoch'], c['loss_per_epoch'],
                                s['mse_per_epoch'], c['mse_per_epoch'])):
        print(f'{i + 1:>5}  {row[0]:>13.6f}  {row[1]:>13.6f}  '
              f'{row[2]:>12.6f}  {row[3]:>12.6f}')
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
    print(f'{"":<26}{"scratch":>22}{"concise":>22}')
    for key in ('w_error', 'b_error'):
        cells = [', '.join(f'{v:+.5f}' for v in r[key]) for r in (s, c)]
        print(f'{key.replace("_", " "):<26}{cells[0]:>22}{cells[1]:>22}')
    print(f'{"final MSE":<26}{s["mse"]:>22.6f}{c["mse"]:>22.6f}')
    ts, tc = timing['scratch'], timing['concise']
    epochs = cfg['num_epochs']
    print(f'{f"train time, {epochs} epochs":<26}'
          f'{ms(s["train_seconds"]):>22}{ms(c["train_seconds"]):>22}')
    spread = [f'{ms(t["epoch_median"])} ({1000 * t["epoch_min"]:.1f}-'
              f'{1000 * t["epoch_max"]:.1f})' for t in (ts, tc)]
    print(f'{"per epoch, median (range)":<26}{spread[0]:>22}{spread[1]:>22}')
    print(f'{"  data loading":<26}{ms(ts["data_median"]):>22}'
          f'{ms(tc["data_median"]):>22}')
    print(f'{"  forward+backward+update":<26}{ms(ts["compute_median"]):>22}'
          f'{ms(tc["compute_median"]):>22}')
    print(f'concise/scratch time per epoch: {ratio:.2f}x (median of '
          f'{len(ts["epoch_runs"])} alternating pairs of one-epoch runs, '
          'after a warm-up pair;\n  imports and data generation excluded)')


def main(argv=None):
    args, rest = parse_args(argv)
    argvs = split_flags(rest)
    try:
        results = {name: run_main(name, argvs[name] + ['--json'])
                   for name in SCRIPTS}
    except Failed as error:
        print(f'{PROG}: {error}', file=sys.stderr)
        return error.code
    timing, ratio = time_both(argvs, args.repeats)
    report(results, timing, ratio)
    summary = dict(results, time_ratio=ratio, timing=timing)
    if args.equivalence:
        parsed = scratch.parse_args(argvs['scratch'])
        lr = parsed.lr
        same = equivalence(parsed, 2 * lr, lr)
        equal = equivalence(parsed, lr, lr)
        print(f'equivalence, one init and one batch order for both:\n'
              f'  scratch at lr {2 * lr:g} vs concise at lr {lr:g}: '
              f'max |parameter gap| {same:.1e}\n'
              f'  scratch at lr {lr:g} vs concise at lr {lr:g}: '
              f'max |parameter gap| {equal:.1e}\n'
              '  `nn.MSELoss` has no 1/2, so its gradient is twice that of '
              'the mean of `squared_loss`.')
        if parsed.num_examples % parsed.batch_size:
            print('  (the last batch is short: the book\'s `sgd` still '
                  'divides it by `batch_size`, `MSELoss` by its length)')
        summary['equivalence'] = {'double_lr_gap': same, 'same_lr_gap': equal}
    if args.plot:
        save_plot(results, args.plot)
        print(f'wrote {args.plot}')
    if args.json:
        print(json.dumps(summary))
    return 0


if __name__ == '__main__':
    sys.exit(main())
