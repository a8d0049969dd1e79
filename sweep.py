"""Sweep the learning rate or the data size (the chapters' exercises).

    python sweep.py lr                        # both scripts, lr 0.001 ... 3
    python sweep.py num-examples --plot n.png # 5, 10, 20, 50, ... 10,000
    python sweep.py lr --impl concise --values 0.01,0.1 --num-epochs 5

Each point is a fresh run of the script, with its own seeding, data and
initialisation: no point starts from the parameters the last one learned.
"""
import argparse
import json
import sys
import time

import compare
import linreg_scratch as scratch

PROG = 'sweep.py'
GRIDS = {
    'lr': [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0],
    'num-examples': [5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000,
                     10000],
}


def parse_args(argv=None):
    """The sweep's own flags; all others go to the scripts unchanged."""
    parser = argparse.ArgumentParser(
        prog=PROG, description=__doc__.splitlines()[0],
        epilog='Every other flag goes to the scripts unchanged (--loader and '
               '--reduction to linreg_concise.py alone).',
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('setting', choices=list(GRIDS),
                        help='what to sweep; lr grid: '
                             f'{GRIDS["lr"]}; num-examples grid: '
                             f'{GRIDS["num-examples"]}')
    parser.add_argument('--impl', choices=['both', 'scratch', 'concise'],
                        default='both', help='which script to sweep')
    parser.add_argument('--values', type=values_list,
                        help='comma-separated values instead of the grid')
    parser.add_argument('--plot', type=compare.png_path, metavar='FILE.png',
                        help='also draw the table to FILE.png')
    parser.add_argument('--json', action='store_true',
                        help='end with one JSON line: the rows')
    args, rest = parser.parse_known_args(argv)
    values = args.values or GRIDS[args.setting]
    typ = scratch.positive_float if args.setting == 'lr' else \
        scratch.positive_int
    try:
        args.values = [typ(v) for v in values]
    except argparse.ArgumentTypeError as error:
        parser.error(f'argument --values: {error}')
    # Check the script flags once, before the first point
    argvs = compare.split_flags(rest)
    for name in impls(args):
        with_value = argvs[name] + [f'--{args.setting}', str(args.values[0])]
        compare.SCRIPTS[name].parse_args(with_value)
    return args, argvs


def values_list(text):
    """An argparse type: comma-separated values, checked per setting."""
    values = [v.strip() for v in text.split(',') if v.strip()]
    if not values:
        raise argparse.ArgumentTypeError(f'{text!r} holds no values')
    return values


def impls(args):
    return ['scratch', 'concise'] if args.impl == 'both' else [args.impl]


def sweep(args, argvs, progress=None):
    """Run every point afresh; return one row per point and script."""
    progress = progress or sys.stderr
    rows = []
    points = [(v, name) for v in args.values for name in impls(args)]
    for i, (value, name) in enumerate(points):
        module = compare.SCRIPTS[name]
        point = module.parse_args(
            argvs[name] + [f'--{args.setting}', str(value)])
        start = time.perf_counter()
        row = {'impl': name, args.setting: value}
        try:
            result = module.run(point, log=compare.silent)
        except FloatingPointError as error:
            row.update(mse=None, w_error=None, b_error=None,
                       diverged=str(error).split(';')[0])
        else:
            row.update(mse=result['mse'],
                       w_error=max(abs(e) for e in result['w_error']),
                       b_error=max(abs(e) for e in result['b_error']),
                       loss=result['loss_per_epoch'][-1])
        rows.append(row)
        print(f'{PROG}: [{i + 1}/{len(points)}] {name} {args.setting}='
              f'{value}: {time.perf_counter() - start:.1f} s', file=progress)
    return rows


def report(rows, setting):
    """Print the rows as a table."""
    print(f'{setting:>12}  {"impl":<8}  {"final MSE":>12}  '
          f'{"max |w err|":>12}  {"|b err|":>12}')
    for row in rows:
        if 'diverged' in row:
            cells = row['diverged']
        else:
            cells = (f'{row["mse"]:>12.6f}  {row["w_error"]:>12.6f}  '
                     f'{row["b_error"]:>12.6f}')
        print(f'{row[setting]:>12g}  {row["impl"]:<8}  {cells}')


def save_plot(rows, setting, path):
    """Final MSE and parameter errors against the swept setting, log-log."""
    fig, axes = compare.figure(ncols=2, figsize=(9, 3.6))
    for name, color in (('scratch', 'tab:blue'), ('concise', 'tab:orange')):
        mine = [r for r in rows if r['impl'] == name and 'diverged' not in r]
        if not mine:
            continue
        x = [r[setting] for r in mine]
        axes[0].plot(x, [r['mse'] for r in mine], '-o', color=color,
                     label=name)
        axes[1].plot(x, [r['w_error'] for r in mine], '-o', color=color,
                     label=f'{name}: max |w error|')
        axes[1].plot(x, [r['b_error'] for r in mine], '--x', color=color,
                     label=f'{name}: |b error|')
    axes[0].axhline(1e-4, color='gray', linestyle=':', linewidth=1)
    axes[0].set_ylabel('final MSE (no 1/2); dotted: sigma^2')
    axes[1].set_ylabel('error in estimating w and b')
    for ax in axes:
        ax.set_xscale('log')
        ax.set_yscale('log')
        ax.set_xlabel(setting)
        if ax.get_legend_handles_labels()[0]:  # every point may diverge
            ax.legend(fontsize=7)
    diverged = [f'{r["impl"]} at {setting} {r[setting]:g}'
                for r in rows if 'diverged' in r]
    if diverged:
        fig.suptitle('diverged, not drawn: ' + ', '.join(diverged),
                     fontsize=9)
    compare.write_png(fig, path)


def main(argv=None):
    args, argvs = parse_args(argv)
    rows = sweep(args, argvs)
    report(rows, args.setting)
    if args.plot:
        save_plot(rows, args.setting, args.plot)
        print(f'wrote {args.plot}')
    if args.json:
        print(json.dumps(rows))
    return 0


if __name__ == '__main__':
    sys.exit(main())
