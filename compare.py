"""Run two scripts on the same data, each watched in its own process, and
compare them: `./compare.sh [A.py B.py]` (`python compare.py` alike)."""
import os
import statistics
import sys
import types
from pathlib import Path

from bench import contract, faults, report, runner
from bench.text import _

PROG = 'compare.sh'


def parse_args(argv):
    """(compare.sh's flags, the scripts' argv)."""
    parser = faults.Parser(
        prog=PROG, usage=_('{0} [A.py B.py] [options]', PROG),
        description=_('Run two scripts (by default linreg_scratch.py and '
                      'linreg_concise.py) on the same data, and compare.'),
        epilog=_('Every other flag goes to both scripts.'))
    add = parser.add_argument
    add('--equivalence', action='store_true',
        help=_('run the MSE script again with half its loss, at 2 lr, lr'))
    add('--repeats', type=int, default=10,
        help=_('timed runs of each after a warm-up run, 10 unless given; 0: '
               'no timing'))
    paths = [arg for arg in argv if arg.endswith('.py')]
    args, rest = parser.parse_known_args([a for a in argv if a not in paths])
    if len(paths) not in (0, 2):
        parser.error(_('name two scripts, or none: linreg_scratch.py and '
                       'linreg_concise.py'))
    args.paths = paths or list(contract.SCRIPTS.values())
    return args, rest


def names(paths):
    """The columns' names: the files', less a prefix they share."""
    stems = [Path(path).stem for path in paths]
    if stems[0] == stems[1]:  # as typed
        return [path[:-3] for path in paths]
    shared = os.path.commonprefix(stems)
    cut = max(shared.rfind('_'), shared.rfind('-')) + 1
    return [stem[cut:] for stem in stems]


def time_both(workers, runs, repeats):
    """Each timed run's epoch by the runner's clock (ms), pair's ratio."""
    timing = ([], [])
    ratios = []
    order = [0, 1]
    for pair in range(repeats):
        for k in order:  # an epoch: its steps x the median step's time
            clock = workers[k].ask('time')
            step = statistics.median(b - a for a, b in zip(clock, clock[1:]))
            steps = statistics.median(runs[k].steps_per_epoch)
            timing[k].append(1000 * step * steps)
        ratios.append(timing[1][-1] / timing[0][-1])  # a load cancels out
        order.reverse()  # neither script always goes first
    return timing, ratios


def equivalence(workers, comparison):
    """Print the MSE's script again with half its loss at 2 lr and lr."""
    for k, run in enumerate(comparison.runs):
        if run.lr and run.loss == 'squared' and run.reduction == 'mean':
            break
    else:
        print(_('equivalence: cannot run it: neither script ran the mean '
                'squared error at one lr'))
        return
    name = comparison.names[k]
    try:
        double, same = workers[k].ask('equivalence')
    except faults.Failed as error:
        print(_('equivalence: cannot run it: {0}', error))
        return
    report.say(_("equivalence: {0} again, each backward() on half its loss, "
                 'from one init over one batch order; gap: the largest '
                 "|difference| / max(1, |parameter|) at an epoch's end:",
                 name))
    for factor, gap in ((2, double), (1, same)):
        print(_('    with the 1/2 at lr {0:g} vs as written at lr {1:g}: '
                'max parameter gap {2:.1e}', factor * run.lr, run.lr, gap))


def compare(argv):
    args, rest = parse_args(argv)
    scripts = [runner.load(path, rest) for path in args.paths]
    faults.set_up()
    workers, runs = runner.analyse(scripts)
    found = types.SimpleNamespace(names=names(args.paths), runs=runs)
    found.timing = None  # until timed
    report.header(found)
    report.loss_table(found)
    report.losses(found)
    report.steps(found)
    report.errors_table(found)
    print(end='', flush=True)  # the report before the timing
    if args.repeats:
        found.timing, found.ratios = time_both(workers, runs, args.repeats)
    report.timing(found)
    if args.equivalence:
        equivalence(workers, found)
    return 0


def main(argv=None):
    return faults.main(PROG, compare, argv)


if __name__ == '__main__':
    sys.exit(main())
