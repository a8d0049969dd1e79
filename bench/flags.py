"""The runners' own flags: argparse with the defaults in --help, the
number types, and the exercises' edits. No torch here: a typo or `--help`
is answered before `import torch` takes seconds. A script's own flags are
its own: the runners read what its `parse_args()` parsed."""
import argparse
import math
import os


class Parser(argparse.ArgumentParser):
    """argparse with its defaults in --help, no abbreviated flags, and
    errors in one line: `prog: error: message`, exit status 2."""

    def __init__(self, **kwargs):
        kwargs.setdefault('formatter_class',
                          argparse.ArgumentDefaultsHelpFormatter)
        super().__init__(allow_abbrev=False, **kwargs)

    def error(self, message):
        self.exit(2, f'{self.prog}: error: {message}\n')


def number(kind, low=None, above=None):
    """An argparse type: a finite `kind`, at least `low` or above `above`."""
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f'{text!r} is not a number')
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f'{text} is not finite')
        if low is not None and value < low:
            raise argparse.ArgumentTypeError(f'{text} is not at least {low}')
        if above is not None and value <= above:
            raise argparse.ArgumentTypeError(f'{text} is not above {above}')
        return value
    parse.__name__ = 'number'
    return parse


positive_int = number(int, low=1)
positive_float = number(float, above=0)


def png_path(text):
    """An argparse type: a .png file in a folder that can be written, as
    an absolute path (a script that changes folder cannot move it)."""
    folder = os.path.dirname(os.path.abspath(text))
    if not text.lower().endswith('.png'):
        raise argparse.ArgumentTypeError(f'{text!r} does not end in .png')
    if os.path.isdir(text):
        raise argparse.ArgumentTypeError(f'{text!r} is a folder')
    if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
        raise argparse.ArgumentTypeError(
            f'cannot write {text!r}: no folder there that can be written')
    return os.path.abspath(text)


def add_edits(parser):
    """The exercises' variants, each an edit of a line (bench/edits.py)."""
    add = parser.add_argument_group(
        'edits of the scripts (each the line a learner would change, '
        'shown before the run)').add_argument
    add('--loss', choices=['squared', 'huber', 'abs'], default='squared',
        help='squared: the book\'s; huber: zh 3.3 ex. 2 (`nn.SmoothL1Loss('
             'beta=sigma)` in the concise script); abs: |y_hat - y|')
    add('--huber-sigma', type=positive_float, default=1.0,
        help='sigma of the Huber loss: (y_hat - y)^2 / (2 sigma) up to '
             'sigma, then |y_hat - y| - sigma / 2')
    add('--outlier', type=number(float), metavar='Y',
        help='set labels[5] to Y after drawing the data (en 1.0 3.4 ex. 8)')
    add('--reduction', choices=['mean', 'sum'], default='mean',
        help='linreg_concise.py: how `nn.MSELoss` folds a minibatch (zh '
             '3.3 ex. 1): sum needs the lr divided by the batch size to '
             'take the same steps')
    add('--device', choices=['cpu', 'cuda', 'mps', 'auto'], default='cpu',
        help='where to train; auto: an available accelerator, else cpu')


def check_edits(parser, options):
    """Refuse in one line what no edit can apply."""
    if options.huber_sigma != 1.0 and options.loss != 'huber':
        parser.error('argument --huber-sigma: applies to --loss huber only')


def edits_and_rest(argv):
    """(the edits' options, the script's argv) of a command line."""
    parser = Parser(add_help=False)
    add_edits(parser)
    options, rest = parser.parse_known_args(list(argv))
    check_edits(parser, options)
    return options, rest


def book_edits():
    """The edits' options that change no line: the book's."""
    return edits_and_rest([])[0]


def as_typed(given):
    """The flags as typed: `--lr 0.1 --seed 1`."""
    return ' '.join(f'{k} {v:g}' if isinstance(v, float) else f'{k} {v}'
                    for k, v in given.items())
