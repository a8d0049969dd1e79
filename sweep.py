"""Sweep a number of the book's over both chapter scripts (the exercises):
`python sweep.py lr`, `python sweep.py num-epochs --values 1,3,10`; each
value a fresh run of each, beside the least-squares line on its data."""
import sys

from bench import contract, faults, runner
from bench.report import pad
from bench.text import _

PROG = 'sweep.py'


def parse_args(argv):
    """The sweep's flags; the others go to both scripts."""
    grids = '; '.join(f'{name} {grid}' for name, grid in
                      contract.GRIDS.items())
    parser = faults.Parser(
        prog=PROG, usage=_('{0} SETTING [--values V,V,...] [flags]', PROG),
        description=_("Run both scripts at each value of a number of the "
                      "book's; every other flag goes to both. {0}.", grids))
    parser.add_argument('--values', help=_(
        "comma-separated values, in place of the setting's"))
    named = [arg for arg in argv if arg in contract.GRIDS]
    args, rest = parser.parse_known_args([a for a in argv if a not in named])
    if len(named) != 1:
        parser.error(_('name one setting to sweep: {0}',
                       ', '.join(contract.GRIDS)))
    args.setting = named[0]
    values = args.values or contract.GRIDS[args.setting]
    args.values = values.split(',')  # each checked by the scripts' parser
    return args, rest


def row(value, script, cells):
    print(f'{value:>12}  {script:<8}  {cells}', flush=True)


def errors(run, w, b, mse):
    """A line's MSE, largest error in w and error in b, as cells."""
    w_error = max(abs(t - v) for t, v in zip(run.true_w, w))
    b_error = abs(run.true_b - b)
    return f'{mse:>12.2e}  {w_error:>12.2e}  {b_error:>12.2e}'


def point(worker, script):
    """(the run, None where it failed; the cells of its row)."""
    try:
        run = worker.ask('analyse', script)
    except (faults.Bug, faults.Refused):
        raise
    except faults.Failed as error:
        return None, _('failed: {0}', error)
    if run.diverged_at_epoch:
        return run, _('diverged at epoch {0}', run.diverged_at_epoch)
    return run, errors(run, run.w, run.b, run.mse)


def sweep(argv):
    args, rest = parse_args(argv)
    scripts = [runner.load(path, rest) for path in contract.SCRIPTS.values()]
    faults.set_up()
    workers = [runner.Worker(script) for script in scripts]
    heads = [_('final MSE'), _('max |w err|'), _('|b err|')]
    cells = [pad(head, 12) for head in heads]
    heads = [pad(args.setting, 12), pad(_('script'), -8), *cells]
    for value in args.values:  # three digits, which hold on any CPU
        argv = [*rest, f'--{args.setting}', value]
        for name, worker in zip(contract.SCRIPTS, workers):
            run, cells = point(worker, worker.script.with_argv(argv))
            if heads:  # once the first run took the flags
                print(*heads, sep='  ')
                heads = None
            row(value, name, cells)
        if run:  # the same data for both scripts
            row(value, 'lstsq', errors(run, **run.lstsq))
    return 0


def main(argv=None):
    return faults.main(PROG, sweep, argv)


if __name__ == '__main__':
    sys.exit(main())
