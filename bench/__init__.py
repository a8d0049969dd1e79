"""The lab bench around the two chapter scripts: all that is not the chapter.

    flags     the flags, checked before torch is imported
    faults    one line and an exit status for each fault a user meets
    hints     a hint after the traceback of a classic mistake
    record    `Record`: what a run did, observed, and its report
    variants  what the exercises' flags and --device change
    runner    a script file run in this process; replays; least squares
    plots     the pictures of compare.sh and sweep.py

Nothing here imports torch at the top, so that a typo or `--help` is
answered before the seconds that `import torch` takes.
"""
from bench import variants
from bench.record import start

__all__ = ['start', 'variants']
