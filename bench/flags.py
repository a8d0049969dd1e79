"""The runners' flags: the exercises' edits, and the scripts' own, parsed
by each script's flags block. No torch here: a typo or `--help` is answered
before `import torch` takes seconds. Every default reproduces the book.
"""
import argparse
import contextlib
import io
import math
import os
import sys

PROGS = {'scratch': 'linreg_scratch.py', 'concise': 'linreg_concise.py'}


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
    """An argparse type: a .png file in a folder that can be written."""
    folder = os.path.dirname(os.path.abspath(text))
    if not text.lower().endswith('.png'):
        raise argparse.ArgumentTypeError(f'{text!r} does not end in .png')
    if os.path.isdir(text):
        raise argparse.ArgumentTypeError(f'{text!r} is a folder')
    if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
        raise argparse.ArgumentTypeError(
            f'cannot write {text!r}: no folder there that can be written')
    return text


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


def edits_for(options, name):
    """The edits for linreg_{name}.py: --reduction is the concise's."""
    reduction = options.reduction if name == 'concise' else 'mean'
    return argparse.Namespace(**dict(vars(options), reduction=reduction))


def edits_parser():
    """A parser of the edits' flags alone."""
    parser = Parser(add_help=False)
    add_edits(parser)
    return parser


def script_args(prog, path, argv):
    """(parser, args) of `argv` parsed by the flags block of the script at
    `path` (before its first cell); its error one line under `prog`."""
    with open(path, encoding='utf-8') as f:
        block = f.read().split('\n# %%', 1)[0]
    namespace = {'__name__': '__main__', '__file__': path}
    saved, sys.argv = sys.argv, [path, *argv]
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            exec(compile(block, path, 'exec'), namespace)
    except SystemExit:  # argparse's line, or --help's exit
        message = (err.getvalue().strip().splitlines() or [''])[-1]
        if message:
            print(f'{prog}: {message.split(": ", 1)[-1]}', file=sys.stderr)
        raise
    finally:
        sys.argv = saved
    return namespace['parser'], namespace['args']


def check(prog, options, path, argv):
    """The script's args for `argv`; stop in one line, exit 2, where a
    number is out of range or an edit cannot apply."""
    parser, args = script_args(prog, path, argv)
    for name in ('num_examples', 'batch_size', 'lr', 'num_epochs'):
        if not getattr(args, name, 1) > 0:  # NaN is not either
            stop(prog, f'argument --{name.replace("_", "-")}: must be above '
                       '0')
    if not getattr(args, 'init_std', 0) >= 0:  # 0: the weights all zero
        stop(prog, 'argument --init-std: must be at least 0')
    if options.huber_sigma != 1.0 and options.loss != 'huber':
        stop(prog, 'argument --huber-sigma: applies to --loss huber only')
    if options.outlier is not None and args.num_examples < 6:
        stop(prog, 'argument --outlier: labels[5] needs --num-examples 6 '
                   'or more')
    return args


def typed(parser, args):
    """The flags whose values differ from the defaults, as typed."""
    shown = {}
    for action in parser._actions:
        value = getattr(args, action.dest, action.default)
        if action.option_strings and action.dest not in ('help', 'json') \
                and value != action.default:
            shown[action.option_strings[0]] = value
    return shown


def shown(typed):
    """The flags as typed: `--lr 0.1 --seed 1`."""
    return ' '.join(f'{k} {v:g}' if isinstance(v, float) else f'{k} {v}'
                    for k, v in typed.items())


def stop(prog, message):
    """Stop with `prog: error: message` and exit status 2."""
    print(f'{prog}: error: {message}', file=sys.stderr)
    raise SystemExit(2)
