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
import os
import sys

from bench import faults

# A program of ours (not a runner's script, not IPython's %run): from this
# first moment a Ctrl-C or SIGTERM ends it at once, in one line (issue 25)
if os.path.basename(sys.argv[0]) in faults.PROGRAMS \
        and 'IPython' not in sys.modules:
    faults.exit_at_once(faults.PROGRAMS[os.path.basename(sys.argv[0])])

from bench import variants  # noqa: E402
from bench.record import start  # noqa: E402

__all__ = ['start', 'variants']
