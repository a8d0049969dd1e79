"""The runners' own flags: argparse with the defaults in --help, and the
exercises' edits. No torch here: a typo or `--help` is answered before
`import torch` takes seconds. A script's own flags are the script's."""
import argparse
import math
import os


class Parser(argparse.ArgumentParser):
    """argparse with the defaults in --help and errors in one line."""

    def __init__(self, **kwargs):
        kwargs.setdefault('formatter_class',
                          argparse.ArgumentDefaultsHelpFormatter)
        super().__init__(allow_abbrev=False, **kwargs)

    def error(self, message):
        self.exit(2, f'{self.prog}: error: {message}\n')


def number(kind, low):
    """An argparse type: a finite `kind`, at least `low`."""
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f'{text!r} is not a number')
        if not low <= value < math.inf:
            raise argparse.ArgumentTypeError(f'{text} is not a finite '
                                             f'number of at least {low}')
        return value
    parse.__name__ = 'number'
    return parse


def png_path(text):
    """An argparse type: a .png file to write, as an absolute path."""
    path = os.path.abspath(text)
    folder = os.path.dirname(path)
    if not text.lower().endswith('.png'):
        raise argparse.ArgumentTypeError(f'{text!r} does not end in .png')
    if os.path.isdir(text):
        raise argparse.ArgumentTypeError(f'{text!r} is a folder')
    if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
        raise argparse.ArgumentTypeError(
            f'cannot write {text!r}: no folder there that can be written')
    return path


def add_edits(parser):
    """The exercises' variants, each an edit of a line (bench/edits.py)."""
    add = parser.add_argument_group(
        'edits of the scripts (each the line a learner would change, '
        'shown before the run)').add_argument
    add('--loss', choices=['squared', 'huber', 'abs'], default='squared',
        help="squared: the book's; huber: zh 3.3 ex. 2's, sigma 1 (`nn."
             'SmoothL1Loss(beta=1.0)`); abs: |y_hat - y|')
    add('--reduction', choices=['mean', 'sum'], default='mean',
        help='linreg_concise.py: how `nn.MSELoss` folds a minibatch (zh '
             '3.3 ex. 1): sum needs the lr divided by the batch size to '
             'take the same steps')


def edits_and_rest(argv):
    """(the edits' options, the script's argv) of a command line."""
    parser = Parser(add_help=False)
    add_edits(parser)
    return parser.parse_known_args(list(argv))


def as_typed(given):
    """The flags as typed: `--lr 0.1 --seed 1`."""
    words = [f'{k} {v:g}' if isinstance(v, float) else f'{k} {v}'
             for k, v in given.items()]
    return ' '.join(words)
