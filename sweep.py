"""Sweep a number of the book's, or the loss (the exercises).

    python sweep.py lr                        # both scripts, lr 0.001 ... 3
    python sweep.py num-examples --plot n.png # 5, 10, 20, 50, ... 10,000
    python sweep.py loss                      # squared, huber, abs
    python sweep.py lr --impl concise --values 0.01,0.1 --seed 1

Each point is a fresh run (its own seeding, data and init), beside the
least-squares fit on its data (`lstsq`), which no optimiser beats there.
"""
import argparse
import sys
from dataclasses import dataclass

from bench import edits, faults, flags, runner

PROG = 'sweep.py'
GRIDS = {
    'lr': [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0],
    'num-examples': [5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000,
                     10000],
    'num-epochs': [1, 2, 3, 5, 10, 20],
    'batch-size': [1, 10, 32, 100, 300, 1000],
    'init-std': [0, 0.01, 1, 31.6],
    'loss': ['squared', 'huber', 'abs'],  # an edit's flag, not the script's
}


KINDS = {'lr': flags.number(float, 0), 'init-std': flags.number(float, 0),
         'loss': str}  # each value of a setting, as argparse takes it


def parse_args(argv=None):
    """The sweep's flags; the others go to the scripts, before or after."""
    grids = ' '.join(f'{name} grid: {grid}.' for name, grid in GRIDS.items())
    parser = flags.Parser(
        prog=PROG, usage=f'{PROG} {{{",".join(GRIDS)}}} [options]',
        description=f"Sweep a number of the book's, or the loss. {grids}",
        epilog='Every other flag (`python linreg_concise.py --help` lists '
               'them) goes to the scripts unchanged.')
    parser.add_argument('--impl', choices=['both', 'scratch', 'concise'],
                        default='both', help='which script to sweep')
    parser.add_argument('--values',
                        help='comma-separated values instead of the grid')
    parser.add_argument('--plot', type=flags.png_path, metavar='FILE.png',
                        help='also draw the errors against the setting')
    parser.add_argument('--json', action='store_true',
                        help='end with one JSON line: the rows')
    flags.add_edits(parser)
    argv = list(sys.argv[1:] if argv is None else argv)
    settings = [arg for arg in argv if arg in GRIDS]
    args, rest = parser.parse_known_args(
        [arg for arg in argv if arg not in GRIDS])
    if len(settings) != 1:
        parser.error(f'name one setting to sweep: {", ".join(GRIDS)}')
    args.setting = settings[0]
    if any(arg.split('=')[0] == f'--{args.setting}' for arg in argv):
        parser.error(f'argument --{args.setting}: the sweep sets it at each '
                     'point; give the values with --values')
    args.values = values(parser, args)
    args.impls = ['scratch', 'concise'] if args.impl == 'both' \
        else [args.impl]
    return args, rest


def values(parser, args):
    """The swept values: --values, else the setting's grid."""
    kind = KINDS.get(args.setting, flags.number(int, 1))
    if args.values is None:
        return list(GRIDS[args.setting])
    try:
        found = [kind(v.strip()) for v in args.values.split(',')
                 if v.strip()]
    except argparse.ArgumentTypeError as error:
        parser.error(f'argument --values: {error}')
    losses = [value for value in found if kind is str]
    if not found or not set(losses) <= set(GRIDS['loss']):
        parser.error(f'argument --values: not values of {args.setting}')
    return found


def points(args, rest):
    """(value, script) of each point, its value a flag or an edit."""
    found = []
    for value in args.values:
        options, argv = args, [*rest, f'--{args.setting}', str(value)]
        if args.setting == 'loss':  # an edit's, not the script's flag
            options = argparse.Namespace(**dict(vars(args), loss=value))
            argv = rest
        paths = [runner.script_file(name) for name in args.impls]
        for script in runner.load_all(paths, argv, options):
            found.append((value, script))
    return found


def sweep(args, rest, rows):
    """Append a row per point and script, and lstsq's: Ctrl-C keeps them."""
    for value, script in points(args, rest):
        impl = script.impl
        try:
            run = runner.execute(script)
        except faults.Failed as error:
            if isinstance(error, faults.Refused) and not rows:
                raise  # at the first point: before anything ran
            rows.append(Point(impl, value, failed=str(error)))
            continue
        faults.interruptible(PROG)  # the imports are done: Ctrl-C may raise
        args.edits += [e for e in run.edits if e not in args.edits]
        if run.diverged_at_epoch:
            rows.append(Point(impl, value, diverged=run.diverged_at_epoch))
        else:
            rows.append(Point.of(impl, value, run.results(),
                                 final_loss=run.loss_per_epoch[-1]))
        if impl == args.impls[-1]:  # the same data for every impl
            rows.append(Point.of('lstsq', value, runner.least_squares(run)))


@dataclass
class Point:
    """A row: one script's run, or the lstsq fit, at one value."""
    impl: str
    value: object
    mse: float = None
    w_error: float = None  # the largest |error| in w
    b_error: float = None
    final_loss: float = None  # as the script printed it
    diverged: int = None  # the epoch
    failed: str = None  # why

    @classmethod
    def of(cls, impl, value, fit, **more):
        """The row of a run's fields (or lstsq's) at `value`."""
        w_error = max(abs(e) for e in fit['w_error'])
        b_error = max(abs(e) for e in fit['b_error'])
        return cls(impl, value, fit['mse'], w_error, b_error, **more)

    def results(self, setting):
        """What --json prints: the value under the setting's name."""
        fields = {k: v for k, v in vars(self).items() if v is not None}
        return dict(fields, **{setting: fields.pop('value')})


def report(rows, setting):
    """Print the rows as a table."""
    print(f'{setting:>12}  {"impl":<8}  {"final MSE":>12}  '
          f'{"max |w err|":>12}  {"|b err|":>12}')
    for p in rows:
        if p.failed:
            cells = f'failed: {p.failed}'
        elif p.diverged:
            cells = f'diverged at epoch {p.diverged}'
        else:
            # three digits, which hold on every CPU (docs/reference.md)
            cells = (f'{p.mse:>12.2e}  {p.w_error:>12.2e}  '
                     f'{p.b_error:>12.2e}')
        value = p.value if setting == 'loss' else f'{p.value:g}'
        print(f'{value:>12}  {p.impl:<8}  {cells}')


def main(argv=None):
    return faults.main(PROG, run_sweep, argv)


def run_sweep(argv):
    args, rest = parse_args(argv)
    rows, args.edits = [], []  # the edits as the runs show them
    try:
        sweep(args, rest, rows)
    except KeyboardInterrupt:  # the finished points, then its one line
        finish(rows, args, interrupted=True)
        raise
    return finish(rows, args)


def finish(rows, args, interrupted=False):
    """Print the edits, the table, the plot (not after Ctrl-C), the JSON."""
    edits.print_edits(args.edits)
    report(rows, args.setting)
    status = 0
    trained = [p for p in rows if p.impl != 'lstsq' and p.mse is not None]
    if args.plot and not interrupted and not trained:
        faults.say(PROG, f'no point trained: {args.plot} not drawn')
        status = 1
    elif args.plot and not interrupted:
        from bench import plots
        status = plots.save(PROG, plots.sweep_figure(rows, args), args.plot)
        if not status:
            print(f'wrote {args.plot}')
    if args.json:
        faults.write_json([p.results(args.setting) for p in rows])
    return status


if __name__ == '__main__':
    sys.exit(main())
