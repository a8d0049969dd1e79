"""The bench around the two chapter scripts: all that is not the chapter.
It watches a script from outside; the script never imports it.

    flags     the runners' flags, and each script's own, parsed by it
    edits     the exercises' variants, as edits of a script's lines
    runner    a script file run in a namespace of ours; replays; lstsq
    watch     what a run did, as the Timer the runner hands it saw it
    faults    one line and an exit status for each fault a user meets
    hints     a hint after the traceback of a classic mistake
    plots     the pictures of compare.sh and sweep.py
    zh        their lines in Chinese, for the reader of d2l-zh

`python -m bench linreg_concise.py --loss huber` runs one script, watched
(bench/__main__.py). Nothing here imports torch at the top, so that a
typo or `--help` is answered before the seconds that `import torch` takes.
"""
