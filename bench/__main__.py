"""Run one chapter script, watched, as compare.sh and sweep.py run it:

    python -m bench linreg_concise.py --loss huber --json

The edits the flags make, what the script prints, a line of what ran, the
JSON if asked; a run that diverged says where (exit 1).
"""
import math
import os
import sys

from bench import faults, flags

PROG = 'python -m bench'


def parse_args(argv):
    parser = flags.Parser(
        prog=PROG, description='Run one chapter script (or a copy of it), '
        'watched: what ran, the JSON, the edits that the flags below make.',
        epilog='Every other flag goes to the script (`python '
               'linreg_concise.py --help` lists them).')
    parser.add_argument('script', help='linreg_scratch.py, '
                        'linreg_concise.py, or a copy of either')
    parser.add_argument('--json', action='store_true',
                        help='end with one line of JSON holding the results')
    flags.add_edits(parser)
    options, rest = parser.parse_known_args(argv)
    if not os.path.isfile(options.script):
        parser.error(f'argument script: no file {options.script!r}')
    flags.check(os.path.basename(options.script), options, options.script,
                rest)
    return options, rest


def divergence(run, options):
    """The line for a run that diverged: where, and what caused it."""
    initial = run.seen.initial_mse
    line = (f'diverged: the loss grew past where it started at epoch '
            f'{run.diverged_at_epoch} (MSE {initial:.3g} -> {run.mse:.3g})')
    if math.isfinite(initial):
        return line + '; try a smaller learning rate'
    if options.outlier is not None:
        return (line + f'; the labels (--outlier {options.outlier:g}) '
                'overflow float32 from the start: try a smaller --outlier')
    return (line + '; the initial weights overflow float32 from the start: '
            'try a smaller --init-std')


def watched(argv):
    """Run the script, shown as it runs, then what the watch saw."""
    options, rest = parse_args(argv)
    from bench import runner
    path = options.script
    prog = os.path.basename(path)
    run = runner.execute(path, rest, options, echo=True)
    typed = flags.shown(run.flags)
    print(f'# {prog} ran: {run.what_ran()}, data sha256 '
          f'{run.data_sha256[:12]}' + (f'; flags: {typed}' if typed else ''))
    if options.json:
        faults.write_json(run.results())
    if run.diverged_at_epoch:
        faults.say(prog, divergence(run, options))
        return 1
    return 0


def main(argv=None):
    faults.exit_at_once(PROG)
    return faults.guarded(PROG, lambda: watched(argv))


if __name__ == '__main__':
    sys.exit(main())
