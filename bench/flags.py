"""The flags of both scripts, compare.sh and sweep.py.

Nothing here imports torch, so that a typo or `--help` is answered before
the seconds that `import torch` takes. Every default reproduces the book.
"""
import argparse
import contextlib
import io
import math
import os
import sys

PROGS = {'scratch': 'linreg_scratch.py', 'concise': 'linreg_concise.py'}
CONCISE_ONLY = ('--reduction',)  # the flags the scratch script lacks
# Bytes one example costs at the peak (the data, the shuffled list of
# indices, the full-data loss), measured at 1e7 examples, beside the
# 0.7-0.9 GB that the imports take
BYTES_PER_EXAMPLE = 56
BYTES_OF_IMPORTS = 10 ** 9


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
    """An argparse type: a finite `kind` (int or float), at least `low` or
    above `above`."""
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


def printable(path):
    """`path` as any terminal can show it: bytes that are not UTF-8 as
    backslash escapes."""
    return os.fsencode(path).decode('utf-8', 'backslashreplace')


def png_path(text):
    """An argparse type: a .png file in a folder that can be written."""
    folder = os.path.dirname(os.path.abspath(text))
    shown = printable(text)
    if not text.lower().endswith('.png'):
        raise argparse.ArgumentTypeError(f'{shown!r} does not end in .png')
    if not os.path.isdir(folder) or not os.access(folder, os.W_OK):
        raise argparse.ArgumentTypeError(
            f'cannot write {shown!r}: no folder there that can be written')
    return text


def book_language():
    """zh where the locale is Chinese (LC_ALL, LC_MESSAGES or LANG), else
    en: which edition's labels the scripts print by default."""
    for variable in ('LC_ALL', 'LC_MESSAGES', 'LANG'):
        value = os.environ.get(variable)
        if value:
            return 'zh' if value.lower().startswith('zh') else 'en'
    return 'en'


def script_parser(name):
    """The flags of linreg_{name}.py; their defaults reproduce the book."""
    concise = name == 'concise'
    parser = Parser(
        prog=PROGS[name],
        description=('Concise linear regression: d2l zh 2.0 section 3.3 '
                     '(en 0.17 section 3.3; en 1.0 section 3.5).' if concise
                     else 'Linear regression from scratch: d2l zh 2.0 '
                     'section 3.2 (en 0.17 section 3.2; en 1.0 section 3.4).'),
        epilog='The defaults print what the chapter prints, after '
               '`random.seed(0); torch.manual_seed(0)`.')
    add = parser.add_argument
    add('--num-examples', type=positive_int, default=1000,
        help='examples drawn by `synthetic_data`')
    add('--batch-size', type=positive_int, default=10, help='minibatch size')
    add('--lr', type=positive_float, default=0.03, help='learning rate')
    add('--num-epochs', type=positive_int, default=3,
        help='passes over the data')
    add('--seed', type=number(int), default=0,
        help='seeds `random` and `torch` once, before the data are drawn')
    add('--init', choices=['normal', 'zeros'], default='normal',
        help='`w` from N(0, init_std^2), or all zeros (zh 3.2 ex. 1)')
    add('--init-std', type=positive_float, default=0.01,
        help='std of the normal init (en 1.0 3.4 ex. 1: variance 1000 is '
             '--init-std 31.6)')
    add('--loss', choices=['squared', 'huber', 'abs'], default='squared',
        help='squared: the book\'s; huber: zh 3.3 ex. 2 (`nn.SmoothL1Loss('
             'beta=sigma)` in the concise script); abs: |y_hat - y|')
    add('--huber-sigma', type=positive_float, default=1.0,
        help='sigma of the Huber loss: (y_hat - y)^2 / (2 sigma) up to '
             'sigma, then |y_hat - y| - sigma / 2')
    add('--outlier', type=number(float), metavar='Y',
        help='set labels[5] to Y after drawing the data (en 1.0 3.4 ex. 8)')
    if concise:
        add('--reduction', choices=['mean', 'sum'], default='mean',
            help='how the loss folds a minibatch (zh 3.3 ex. 1): sum needs '
                 'the lr divided by the batch size to take the same steps')
    add('--device', choices=['cpu', 'cuda', 'mps', 'auto'], default='cpu',
        help='where to train; auto: an available accelerator, else cpu')
    add('--lang', choices=['en', 'zh'], default=book_language(),
        help='the labels of the last lines: en 0.17\'s or zh 2.0\'s; the '
             'default follows the locale (LANG)')
    add('--json', action='store_true',
        help='end with one line of JSON holding the results')
    return parser


def parse(name, argv=()):
    """Parse linreg_{name}.py's flags, and refuse what cannot run."""
    parser = script_parser(name)
    args = parser.parse_args(list(argv))
    args.typed = typed(parser, args)
    if args.init == 'zeros':
        if '--init-std' in args.typed:
            parser.error('argument --init-std: applies to --init normal only')
        args.init_std = 0.0  # N(0, 0) is all zeros
    if '--huber-sigma' in args.typed and args.loss != 'huber':
        parser.error('argument --huber-sigma: applies to --loss huber only')
    if args.outlier is not None and args.num_examples < 6:
        parser.error('argument --outlier: labels[5] needs --num-examples 6 '
                     'or more')
    refusal = memory_refusal(args.num_examples)
    if refusal:
        parser.error(f'argument --num-examples: {refusal}')
    return args


def typed(parser, args):
    """The flags whose values differ from the defaults, as typed."""
    shown = {}
    for action in parser._actions:
        value = getattr(args, action.dest, None)
        if action.option_strings and action.dest not in ('help', 'json') \
                and value != action.default:
            shown[action.option_strings[0]] = value
    return shown


def shown(typed):
    """The flags as typed: `--lr 0.1 --seed 1`."""
    return ' '.join(f'{k} {v:g}' if isinstance(v, float) else f'{k} {v}'
                    for k, v in typed.items())


def memory_refusal(num_examples):
    """Why `num_examples` cannot fit in the free memory; None if they can
    (or where psutil, which tells on every platform, is missing)."""
    try:
        import psutil
    except ImportError:
        return None
    free = psutil.virtual_memory().available
    need = BYTES_OF_IMPORTS + BYTES_PER_EXAMPLE * num_examples
    if need <= free:
        return None
    most = max(free - BYTES_OF_IMPORTS, 0) // BYTES_PER_EXAMPLE
    return (f'{num_examples} examples need about {need / 1e9:.1f} GB of '
            f'memory and {free / 1e9:.1f} GB are free; try at most {most:,}')


def split(argv):
    """Split the flags meant for the scripts into scratch's and concise's."""
    argvs = {'scratch': [], 'concise': []}
    argv = list(argv)
    while argv:
        arg = argv.pop(0)
        if arg.split('=')[0] in CONCISE_ONLY:
            argvs['concise'].append(arg)
            if '=' not in arg and argv and not argv[0].startswith('--'):
                argvs['concise'].append(argv.pop(0))
        else:
            for name in argvs:
                argvs[name].append(arg)
    return argvs


def check(prog, argvs, names=tuple(PROGS)):
    """Parse each script's flags now, as the script would, and stop with
    its one-line message under `prog`'s name if one is wrong; a flag that
    only the concise script takes, when it does not run, is refused."""
    if 'concise' not in names:
        for arg in argvs['concise']:
            if arg.split('=')[0] in CONCISE_ONLY:
                stop(prog, f'argument {arg.split("=")[0]}: applies to '
                           'linreg_concise.py, which this run does not run')
    parsed = {}
    for name in names:
        err = io.StringIO()
        try:
            with contextlib.redirect_stderr(err):
                parsed[name] = parse(name, argvs[name])
        except SystemExit as exit:  # argparse's one line, or --help's exit
            message = (err.getvalue().strip().splitlines() or [''])[-1]
            if message:
                print(f'{prog}: {message.split(": ", 1)[-1]}',
                      file=sys.stderr)
            raise
    return parsed


def stop(prog, message):
    """Stop with `prog: error: message` and exit status 2."""
    print(f'{prog}: error: {message}', file=sys.stderr)
    raise SystemExit(2)
