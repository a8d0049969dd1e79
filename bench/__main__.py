"""Run one script watched, as compare.sh runs each: `python -m bench SCRIPT
[flags]`, or from any folder `python path/to/bench SCRIPT`. What it prints,
then what ran; exit 1 if it diverged."""
import math
import sys
from pathlib import Path

if not __package__:  # run as `python path/to/bench`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench import faults, report, runner  # noqa: E402
from bench.results import LOSSES, REDUCTIONS  # noqa: E402
from bench.text import _  # noqa: E402

PROG = 'python -m bench'


def divergence(run):
    """The line for a run that diverged: where, and what to try."""
    cause = _('learning rate')  # where the start overflows: the init
    if not math.isfinite(run.initial_mse):
        cause = '--init-std'
    epoch = run.diverged_at_epoch
    return _('diverged: the loss grew past where it started at epoch {0} '
             '(MSE {1:.3g} -> {2:.3g}); try a smaller {3}', epoch,
             run.initial_mse, run.mse_per_epoch[epoch - 1], cause)


def ran(run):
    """The line of what ran, each figure read from the run."""
    loss = _('none the runners know')
    if run.loss:
        loss = _('{0}, its {1} over each batch', LOSSES[run.loss],
                 REDUCTIONS[run.reduction])
    flags = ' '.join(run.flags) or _('none')
    file = Path(run.script).name
    return _('# {0} ran: {1}; loss: {2}; Timer: {3}; flags: '
             '{4}', file, report.what_ran(run), loss, run.timer, flags)


def watched(argv):
    """Run the script, then print what it printed and what ran."""
    parser = faults.Parser(
        prog=PROG, description=_('Run one script, watched: what it prints, '
                                 'then what ran.'),
        epilog=_('Every other flag goes to the script.'))
    parser.add_argument('script', help=_('the script file to run'))
    options, rest = parser.parse_known_args(argv)
    script = runner.load(options.script, rest)
    faults.set_up()
    try:
        run, = runner.analyse([script])[1]
    except faults.Bug as bug:  # what it printed, then its traceback
        print(bug.out, end='')
        raise
    for edit in run.edits:
        print(f'# edit: {edit}')
    print(run.out, end='')
    print(run.err, end='', file=sys.stderr)
    print(ran(run))
    if run.diverged_at_epoch:
        faults.say(PROG, divergence(run))
        return 1
    return 0


def main(argv=None):
    return faults.main(PROG, watched, argv)


if __name__ == '__main__':
    sys.exit(main())
