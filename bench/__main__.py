"""Run one script, watched, as compare.sh and sweep.py run it:

    python -m bench linreg_concise.py --loss huber --json

Its edits, what it prints, a line of what ran, the JSON if asked; a run
that diverged says where (exit 1)."""
import math
import os
import sys

from bench import contract, edits, faults, flags

PROG = 'python -m bench'


def parse_args(argv):
    parser = flags.Parser(
        prog=PROG, description='Run one script (linreg_scratch.py, '
        'linreg_concise.py, a copy, or your own), watched: what ran, the '
        'JSON, the edits that the flags below make.',
        epilog='Every other flag goes to the script (`python '
               'linreg_concise.py --help` lists them).')
    parser.add_argument('script', help='the script file to run')
    parser.add_argument('--json', action='store_true',
                        help='end with one line of JSON holding the results')
    flags.add_edits(parser)
    options, rest = parser.parse_known_args(argv)
    if not os.path.isfile(options.script):
        parser.error(f'argument script: no file {options.script!r}')
    return options, rest


def divergence(run):
    """The line for a run that diverged: where, and what to try."""
    cause = 'learning rate'  # where the start overflows float32: the init
    if not math.isfinite(run.initial_mse):
        cause = '--init-std'
    return (f'diverged: the loss grew past where it started at epoch '
            f'{run.diverged_at_epoch} (MSE {run.initial_mse:.3g} -> '
            f'{run.mse:.3g}); try a smaller {cause}')


def ran(run):
    """The line of what ran, each figure read from the run."""
    parts = [run.what_ran(), 'loss: ' + contract.LOSSES.get(run.loss,
                                                            'not seen'),
             f'Timer: {run.timed}']
    if run.flags:
        parts.append(f'flags: {flags.as_typed(run.flags)}')
    return f'# {os.path.basename(run.script)} ran: ' + '; '.join(parts)


def watched(argv):
    """Run the script, shown as it runs, then what the watch saw."""
    options, rest = parse_args(argv)
    from bench import runner
    script, = runner.load_all([options.script], rest, options)
    edits.print_edits(script.edit_lines())
    run = runner.execute(script, echo=True)
    print(ran(run))
    if options.json:
        faults.write_json(run.results())
    if run.diverged_at_epoch:
        faults.say(PROG, divergence(run))
        return 1
    return 0


def main(argv=None):
    return faults.main(PROG, watched, argv)


if __name__ == '__main__':
    sys.exit(main())
