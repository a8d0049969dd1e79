"""The runners' own flags: argparse with the defaults in --help and errors
in one line. No torch here: a typo or `--help` is answered before `import
torch` takes seconds. A script's own flags are the script's."""
import argparse

from bench.text import _


class Parser(argparse.ArgumentParser):
    """argparse with the defaults in --help and errors in one line."""

    def __init__(self, **kwargs):
        kwargs.setdefault('formatter_class',
                          argparse.ArgumentDefaultsHelpFormatter)
        super().__init__(allow_abbrev=False, **kwargs)

    def error(self, message):
        self.exit(2, _('{0}: error: {1}\n', self.prog, message))
