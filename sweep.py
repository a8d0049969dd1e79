"""Sweep the learning rate or the data size (the chapters' exercises).

    python sweep.py lr                        # both scripts, lr 0.001 ... 3
    python sweep.py num-examples --plot n.png # 5, 10, 20, 50, ... 10,000
    python sweep.py lr --impl concise --values 0.01,0.1 --num-epochs 5

Each point is a fresh run of the script, with its own seeding, data and
initialisation: no point starts from the parameters the last one learned.
Beside the trainers, each point shows the closed-form least-squares fit on
the same data (`lstsq`): the error that no optimiser can beat there. Every
flag is checked before torch is imported; Ctrl-C keeps the finished points.
"""
import argparse
import contextlib
import io
import os
import sys

# This folder, also under `python -P` or `-I`, which leave it off the path
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import cli  # noqa: E402

PROG = 'sweep.py'
DESCRIPTION = ('Sweep the learning rate or the data size (the chapters\' '
               'exercises).')  # not `__doc__`, which `python -OO` drops
GRIDS = {
    'lr': [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0],
    'num-examples': [5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000,
                     10000],
}


def parse_args(argv=None):
    """The sweep's own flags; all others go to the scripts unchanged."""
    parser = cli.Parser(
        prog=PROG, description=DESCRIPTION,
        epilog='Every other flag goes to the scripts unchanged (--loader and '
               '--reduction to linreg_concise.py alone).')
    parser.add_argument('setting', choices=list(GRIDS),
                        help='what to sweep; lr grid: '
                             f'{GRIDS["lr"]}; num-examples grid: '
                             f'{GRIDS["num-examples"]} (log-spaced: each '
                             'step multiplies the data, so equal steps on a '
                             'log axis show a 1/sqrt(n) error as a line)')
    parser.add_argument('--impl', choices=['both', 'scratch', 'concise'],
                        default='both', help='which script to sweep')
    parser.add_argument('--values', type=values_list,
                        help='comma-separated values instead of the grid')
    parser.add_argument('--plot', type=cli.png_path, metavar='FILE.png',
                        help='also draw the table to FILE.png')
    parser.add_argument('--json', action='store_true',
                        help='end with one JSON line: the rows')
    args, rest = parser.parse_known_args(argv)
    values = args.values or GRIDS[args.setting]
    typ = cli.positive_float if args.setting == 'lr' else cli.positive_int
    try:
        args.values = [typ(v) for v in values]
    except argparse.ArgumentTypeError as error:
        parser.error(f'argument --values: {error}')
    # Check the script flags at every point, before any run
    argvs = cli.split_flags(rest)
    flag = f'--{args.setting}'
    if any(arg.split('=')[0] == flag for arg in rest):
        parser.error(f'argument {flag}: the sweep sets it at each point; '
                     'give the values with --values')
    for value in args.values:
        parsed = cli.check_script_flags(
            PROG, {name: argvs[name] + [flag, str(value)]
                   for name in argvs}, names=impls(args),
            unshown=('--print-grad', '--lang'))
    args.config = parsed[impls(args)[0]]  # for the plot's title
    try:  # once, before the first point
        from bench import lab
        args.device = lab.resolve_device(args.config.device)
    except ValueError as error:
        parser.error(str(error))
    return args, argvs


def values_list(text):
    """An argparse type: comma-separated values, checked per setting."""
    values = [v.strip() for v in text.split(',') if v.strip()]
    if not values:
        raise argparse.ArgumentTypeError(f'{text!r} holds no values')
    return values


def impls(args):
    return ['scratch', 'concise'] if args.impl == 'both' else [args.impl]


def sweep(args, argvs, rows):
    """Run every point afresh, appending one row per point and script (and
    one for the lstsq fit) to `rows`, so that Ctrl-C keeps what is done; a
    point that fails is a row that says why. On a terminal, one progress
    line (stderr) follows the points; elsewhere, nothing but the table."""
    from bench import lab
    points = [(v, name) for v in args.values for name in impls(args)]
    bar = progress_bar(len(points))
    for value, name in points:
        point = cli.parse_args(name, argvs[name] +
                               [f'--{args.setting}', str(value)])
        point.device = args.device
        if bar is not None:
            bar.set_postfix_str(f'{name} {args.setting}={value}')
        try:  # the script's own lines are not the sweep's output
            with contextlib.redirect_stdout(io.StringIO()):
                run = lab.run(name, point, allow_divergence=True)
        except lab.Failed as error:
            rows.append({'impl': name, args.setting: value, 'mse': None,
                         'w_error': None, 'b_error': None,
                         'failed': str(error)})
            continue
        if run.diverged:
            rows.append({'impl': name, args.setting: value, 'mse': None,
                         'w_error': None, 'b_error': None,
                         'diverged': run.diverged})
        else:
            result = run.results()
            rows.append(row(name, args.setting, value, result,
                            loss=result['loss_per_epoch'][-1]))
        if name == impls(args)[-1]:  # the same data for every impl
            rows.append(row('lstsq', args.setting, value, lab.least_squares(
                run.features, run.labels, run.true_w, run.true_b)))
        if bar is not None:
            bar.update()
    if bar is not None:
        bar.close()
    return rows


def progress_bar(total):
    """One tqdm line for the sweep on stderr, if stderr is a terminal."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm
    return tqdm(total=total, desc=PROG, unit='point', leave=False,
                file=sys.stderr)


def row(name, setting, value, result, **more):
    return {'impl': name, setting: value, 'mse': result['mse'],
            'w_error': max(abs(e) for e in result['w_error']),
            'b_error': max(abs(e) for e in result['b_error']), **more}


def report(rows, setting):
    """Print the rows as a table."""
    print(f'{setting:>12}  {"impl":<8}  {"final MSE":>12}  '
          f'{"max |w err|":>12}  {"|b err|":>12}')
    for r in rows:
        if 'diverged' in r or 'failed' in r:
            cells = r.get('diverged') or f'failed: {r["failed"]}'
        else:
            cells = (f'{r["mse"]:>12.6f}  {r["w_error"]:>12.6f}  '
                     f'{r["b_error"]:>12.6f}')
        print(f'{r[setting]:>12g}  {r["impl"]:<8}  {cells}')


def save_plot(rows, setting, args, path):
    """The table on log axes; for data sizes, the SGD steps on top."""
    from bench import plots
    config = args.config
    title = (f'sweep of {setting}, {args.impl}: each point a fresh run; '
             + ', '.join(f'{k} {getattr(config, k.replace("-", "_"))}'
                         for k in ('num-examples', 'batch-size', 'lr',
                                   'num-epochs', 'seed') if k != setting))
    if setting == 'num-examples':
        title += ('\nlog grid: each point multiplies the data, so an error '
                  'falling as 1/sqrt(n) is a straight line; fewer examples '
                  'also means fewer SGD steps (top axis);\nlstsq shows the '
                  'statistical error alone, near sigma / sqrt(n)')
    fig, axes = plots.sweep([r for r in rows if r['impl'] != 'lstsq'],
                            setting, [r for r in rows if r['impl'] == 'lstsq'],
                            path, title)
    if setting == 'num-examples':
        n = sorted({r[setting] for r in rows})
        axes[1].plot(n, [plots.SIGMA2 ** 0.5 / v ** 0.5 for v in n], '-',
                     color='lightgray', lw=3, zorder=0,
                     label='sigma / sqrt(n)')
        axes[1].legend(fontsize=7)
        steps = config.num_epochs / config.batch_size
        for ax in axes:
            top = ax.secondary_xaxis('top', functions=(
                lambda n: n * steps, lambda s: s / steps))
            top.set_xlabel(f'SGD steps in {config.num_epochs} epochs of '
                           f'batch {config.batch_size} (about)', fontsize=8)
    plots.write_png(fig, path)


def main(argv=None):
    return cli.guarded(PROG, lambda: run_sweep(argv))


def run_sweep(argv):
    args, argvs = parse_args(argv)
    cli.check_mplbackend()
    rows = []
    try:
        sweep(args, argvs, rows)
    except KeyboardInterrupt:
        done = sum(1 for r in rows if r['impl'] != 'lstsq')
        if done:
            cli.note(f'{PROG}: interrupted; the {done} finished points '
                     'follow')
            finish(rows, args)
        else:
            cli.note(f'{PROG}: interrupted before the first point finished')
        raise
    return finish(rows, args)


def finish(rows, args):
    """Print the table, the plot and the JSON of the finished rows."""
    report(rows, args.setting)
    code = 0
    if args.plot and rows:
        from bench import plots
        code = plots.save(PROG, lambda: save_plot(
            rows, args.setting, args, args.plot), args.plot)
    if args.json:
        cli.write_whole(cli.dumps(rows))
    return code


if __name__ == '__main__':
    sys.exit(main())
