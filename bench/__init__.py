"""The lab bench around the two chapter scripts: all that is not the chapter.

    cli    the flags, checked before torch is imported; one-line faults
    lab    `Lab`, which each script hands its data, parameters and epochs
           to, and which reads what ran from the script's own names
    plots  the pictures of compare.sh and sweep.py

Nothing here imports torch at the top, so that a typo or `--help` is
answered before the seconds that `import torch` takes.
"""
from bench.lab import Lab

__all__ = ['Lab']
