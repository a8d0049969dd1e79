"""The command line of both scripts, compare.sh and sweep.py.

Nothing here imports torch, so that a typo or `--help` is answered before
the seconds that `import torch` takes. `parse_args` reads a script's flags;
`fault` turns each fault into one line and an exit status (2: bad input;
1: a failed run; 130: Ctrl-C; 143: SIGTERM or SIGHUP; 141: a closed pipe),
for the scripts' `sys.excepthook` (bench/lab.py) and for `guarded`, which
runs compare.sh's and sweep.py's work.
"""
import argparse
import contextlib
import io
import json
import math
import os
import signal
import struct
import sys
import tempfile

PROGS = {'scratch': 'linreg_scratch.py', 'concise': 'linreg_concise.py'}
CONCISE_ONLY = ('--loader', '--reduction')  # flags the scratch script lacks
MAX_INDEX = sys.maxsize  # `DataLoader` takes batch sizes up to 2**63 - 1
SEEDS = (-2 ** 63, 2 ** 64 - 1)  # what `torch.manual_seed` accepts
# Bytes one example costs at the peak: the data, a shuffled Python list of
# indices (the book's `data_iter` and `DataLoader` both make one), and the
# full-data loss after each epoch. Measured at 1e7 examples: 39 (scratch)
# and 52 (concise), beyond the 0.7-0.9 GB that the imports take.
BYTES_PER_EXAMPLE = 56
BYTES_OF_IMPORTS = 10 ** 9
# Address space that `import torch` and `from d2l import torch` map: 3.3
# and 3.8 GB peak here (torch 2.14.1, a CUDA build), against 1.0 GB of it
# resident. An address-space limit (`ulimit -v`) below it fails the import
# itself, in C++ (`std::bad_alloc`), with no Python error to catch.
ADDRESS_SPACE_OF_IMPORTS = 4 * 10 ** 9


class Parser(argparse.ArgumentParser):
    """argparse with its defaults in --help and errors in one line:
    `prog: error: message`, exit status 2 (`--help` shows the usage)."""

    def __init__(self, **kwargs):
        kwargs.setdefault('formatter_class',
                          argparse.ArgumentDefaultsHelpFormatter)
        kwargs.setdefault('allow_abbrev', False)  # `--r` is no `--repeats`
        super().__init__(**kwargs)

    def error(self, message):
        self.exit(2, f'{self.prog}: error: {message}\n')

    def parse_known_args(self, args=None, namespace=None):
        """As argparse's, with `--outlier -1e4` read as a value (see
        `join_negative`); `parse_args` comes through here too."""
        args = sys.argv[1:] if args is None else args
        return super().parse_known_args(join_negative(args, NUMBER_FLAGS),
                                         namespace)


def bounded_int(low, high=MAX_INDEX):
    """An argparse type: a whole number from `low` to `high`."""
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f'{text!r} is not a whole number')
        if value < low:
            raise argparse.ArgumentTypeError(f'{text} is not at least {low}')
        if value > high:
            raise argparse.ArgumentTypeError(f'{text} is above {high}')
        return value
    parse.__name__ = 'whole number'
    return parse


positive_int = bounded_int(1)
seed_int = bounded_int(*SEEDS)


def float32(value):
    """`value` as float32, the dtype the scripts train in (inf if it
    overflows)."""
    try:
        return struct.unpack('f', struct.pack('f', value))[0]
    except OverflowError:
        return math.copysign(math.inf, value)


def finite_float(text):
    """An argparse type: a number that float32 holds, finite."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'{text!r} is not a number')
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f'{text} is not finite')
    if not math.isfinite(float32(value)):
        raise argparse.ArgumentTypeError(
            f'{text} overflows float32, the dtype the scripts train in '
            f'(at most {FLOAT32_MAX:.4g})')
    return value


FLOAT32_MAX = struct.unpack('f', bytes.fromhex('ffff7f7f'))[0]


def positive_float(text):
    """An argparse type: a number above 0, finite and non-zero in float32
    (a learning rate that float32 rounds to 0 would train nothing)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f'{text!r} is not a number')
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f'{text} is not a finite number > 0')
    finite_float(text)
    if float32(value) == 0:
        raise argparse.ArgumentTypeError(
            f'{text} is 0 in float32, the dtype the scripts train in '
            '(at least 1.4e-45)')
    return value


def join_negative(argv, flags):
    """`--flag -1e4` as `--flag=-1e4` for the flags in `flags`: argparse
    takes `-1e4` for an option, since it reads only `-1` or `-1.5` as a
    negative number."""
    argv = list(argv)
    for i in range(len(argv) - 2, -1, -1):
        if argv[i] in flags and argv[i + 1].startswith('-'):
            try:
                float(argv[i + 1])
            except ValueError:
                continue
            argv[i:i + 2] = [f'{argv[i]}={argv[i + 1]}']
    return argv


NUMBER_FLAGS = ('--lr', '--init-std', '--huber-sigma', '--outlier',
                '--seed', '--values')


def png_path(text):
    """An argparse type: a .png file that can be written, proven by writing
    its temporary sibling (and removing it) before any training."""
    shown = printable(text)
    if not text.lower().endswith('.png'):
        raise argparse.ArgumentTypeError(f'{shown!r} does not end in .png')
    if os.path.isdir(text):
        raise argparse.ArgumentTypeError(f'{shown!r} is a folder')
    if os.path.exists(text) and not (os.access(text, os.W_OK) and
                                     os.stat(text).st_mode & 0o222):
        raise argparse.ArgumentTypeError(f'{shown!r} is read-only')
    try:
        fd, tmp = temporary_sibling(text)
        os.close(fd)
        os.unlink(tmp)
    except OSError as error:
        raise argparse.ArgumentTypeError(
            f'cannot write {shown!r}: {error.strerror or error}')
    return text


def printable(path):
    """`path` as text any terminal can show: bytes that are not UTF-8 (a
    name `os.fsdecode` kept as surrogates) as backslash escapes."""
    return os.fsencode(path).decode('utf-8', 'backslashreplace')


def temporary_sibling(path):
    """Create a hidden temporary file beside `path` (beside the file that a
    symbolic link names, so that the link stays); return (fd, name)."""
    folder, name = os.path.split(os.path.realpath(path))
    return tempfile.mkstemp(prefix=f'.{name}.', suffix='.tmp', dir=folder)


def free_memory():
    """Bytes of memory that can be used without swapping, on Linux, macOS
    and Windows alike (psutil: MemAvailable on Linux, free + inactive
    pages on macOS, the available physical memory on Windows); None where
    psutil is missing, as in a Python set up without requirements.txt."""
    try:
        import psutil
    except ImportError:
        return None
    return psutil.virtual_memory().available


def address_space_left():
    """Bytes the address-space limit (`ulimit -v`) still allows this
    process, or None where there is no limit (or no way to tell)."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY:
        return None
    used = 0
    try:
        with open('/proc/self/status') as status:
            for line in status:
                if line.startswith('VmSize:'):
                    used = int(line.split()[1]) * 1024
    except OSError:
        pass
    return max(soft - used, 0)


def memory_refusal(num_examples):
    """Why `num_examples` cannot fit, in free memory or in the address
    space that `ulimit -v` allows; None if they can."""
    need = BYTES_OF_IMPORTS + BYTES_PER_EXAMPLE * num_examples
    free = free_memory()
    if free is not None and need > free:
        most = max(free - BYTES_OF_IMPORTS, 0) // BYTES_PER_EXAMPLE
        return (f'{num_examples} examples need about {gigabytes(need)} of '
                f'memory and {gigabytes(free)} are free; try at most '
                f'{round_down(most):,}')
    left = address_space_left()
    imports = 0 if 'torch' in sys.modules else ADDRESS_SPACE_OF_IMPORTS
    need = imports + BYTES_PER_EXAMPLE * num_examples
    if left is not None and need > left:
        most = (left - imports) // BYTES_PER_EXAMPLE
        return (f'{num_examples} examples need about {gigabytes(need)} of '
                f'address space (torch\'s imports map '
                f'{gigabytes(imports)}) and the limit (ulimit -v) leaves '
                f'{gigabytes(left)}; ' +
                (f'try at most {round_down(most):,}' if most >= 1 else
                 'raise the limit'))
    return None


def round_down(number):
    """`number` rounded down to one significant digit."""
    unit = 10 ** (len(str(int(number))) - 1)
    return int(number) // unit * unit


def gigabytes(size):
    return f'{size / 1e9:.1f} GB'


def book_language():
    """zh where the locale is Chinese (LC_ALL, LC_MESSAGES or LANG), else
    en: which edition's labels the scripts print by default."""
    for variable in ('LC_ALL', 'LC_MESSAGES', 'LANG'):
        value = os.environ.get(variable)
        if value:
            return 'zh' if value.lower().startswith('zh') else 'en'
    return 'en'


def script_parser(name, prog=None):
    """The flags of linreg_{name}.py; their defaults reproduce the book."""
    concise = name == 'concise'
    parser = Parser(
        prog=prog or PROGS[name],
        description=('Concise linear regression: d2l zh 2.0 section 3.3 '
                     '(en 0.17 section 3.3; en 1.0 section 3.5).'
                     if concise else
                     'Linear regression from scratch: d2l zh 2.0 section '
                     '3.2 (en 0.17 section 3.2; en 1.0 section 3.4).'),
        epilog='The defaults print what the chapter prints, after '
               '`random.seed(0); torch.manual_seed(0)`.')
    parser.add_argument('--num-examples', type=positive_int, default=1000,
                        help='examples drawn by `synthetic_data`')
    parser.add_argument('--batch-size', type=positive_int, default=10,
                        help='minibatch size')
    parser.add_argument('--lr', type=positive_float, default=0.03,
                        help='learning rate')
    parser.add_argument('--num-epochs', type=positive_int, default=3,
                        help='passes over the data')
    parser.add_argument('--seed', type=seed_int, default=0,
                        help='seeds `random` and `torch` once, before the '
                             'data are drawn')
    parser.add_argument('--init', choices=['normal', 'zeros'],
                        default='normal',
                        help='`w` from N(0, init_std^2), or all zeros (zh '
                             '3.2 ex. 1: fine here, the loss is convex)')
    parser.add_argument('--init-std', type=positive_float, default=0.01,
                        help='std of the normal init (en ex.: variance '
                             '1000 is --init-std 31.6)')
    parser.add_argument('--loss', choices=['squared', 'huber', 'abs'],
                        default='squared',
                        help='squared: `nn.MSELoss`, the book\'s; huber: '
                             '`nn.SmoothL1Loss(beta=sigma)`; abs: '
                             '`nn.L1Loss`' if concise
                        else 'squared: (y_hat - y)^2 / 2, the book\'s; '
                             'huber: `huber_loss` in bench/lab.py; abs: '
                             '|y_hat - y|')
    parser.add_argument('--huber-sigma', type=positive_float, default=1.0,
                        help='sigma of zh 3.3 ex. 2\'s Huber loss: '
                             '(y_hat - y)^2 / (2 sigma) up to sigma, then '
                             '|y_hat - y| - sigma / 2')
    parser.add_argument('--outlier', type=finite_float, metavar='Y',
                        help='set one label, labels[5], to Y after drawing '
                             'the data (en 1.0 3.4 ex. 8: y[5] = 10000)')
    parser.add_argument('--sorted', action='store_true',
                        help='store the examples sorted by label: an order '
                             'that hurts training if it is never shuffled '
                             '(en 1.0 3.4 ex. 9)')
    parser.add_argument('--no-shuffle', action='store_true',
                        help='read the minibatches in the stored order, '
                             'the same every epoch, instead of the '
                             'chapter\'s shuffle')
    if concise:
        parser.add_argument(
            '--reduction', choices=['mean', 'sum'], default='mean',
            help='how the loss folds a minibatch (zh 3.3 ex. 1): sum makes '
                 'the loss and its gradient batch_size times the mean\'s, '
                 'so divide --lr by --batch-size to take the same steps '
                 '(--reduction sum --lr 0.003 at batch 10)')
        parser.add_argument(
            '--loader', choices=['book', 'batched'], default='book',
            help='book: `DataLoader(dataset, batch_size, shuffle=True)`, '
                 'which fetches and collates one example at a time; '
                 'batched: one indexing operation a minibatch')
    parser.add_argument('--device', choices=['cpu', 'cuda', 'mps', 'auto'],
                        default='cpu',
                        help='where to train; auto: an available '
                             'accelerator, else cpu')
    parser.add_argument('--print-grad', action='store_true',
                        help=('print `net[0].weight.grad` and `.bias.grad`'
                              if concise else
                              'print `w.grad` and `b.grad`') +
                        ': the gradient of the full-data loss at the '
                        'learned parameters (zh 3.3 ex. 3)')
    parser.add_argument('--lang', choices=['en', 'zh'],
                        default=book_language(),
                        help='the labels of the last lines: en (en 0.17: '
                             '"error in estimating w:") or zh (zh 2.0: '
                             '"w的估计误差:"); the default follows the '
                             'locale (LANG)')
    parser.add_argument('--json', action='store_true',
                        help='end with one line of JSON holding the results')
    return parser


def parse_args(name, argv=None, prog=None):
    """Parse linreg_{name}.py's flags, and refuse what cannot run."""
    parser = script_parser(name, prog)
    args = parser.parse_args(argv)
    if args.init == 'zeros':
        if args.init_std != parser.get_default('init_std'):
            parser.error('argument --init-std: applies to --init normal only')
        args.init_std = 0.0  # N(0, 0) is all zeros
    if args.huber_sigma != 1.0 and args.loss != 'huber':
        parser.error('argument --huber-sigma: applies to --loss huber only')
    if args.outlier is not None:
        if args.num_examples < 6:
            parser.error('argument --outlier: labels[5] needs '
                         '--num-examples 6 or more')
    refusal = memory_refusal(args.num_examples)
    if refusal:
        parser.error(f'argument --num-examples: {refusal}')
    return args


def split_flags(argv):
    """Split the flags meant for the scripts into scratch's and concise's."""
    argvs = {'scratch': [], 'concise': []}
    argv = iter(argv)
    for arg in argv:
        if arg.split('=')[0] in CONCISE_ONLY:
            argvs['concise'].append(arg)
            if '=' not in arg:
                value = next(argv, None)
                if value is None:  # argparse says one is expected
                    continue
                if value.startswith('-'):  # the next flag, not a value
                    for name in argvs:
                        argvs[name].append(value)
                else:
                    argvs['concise'].append(value)
        else:
            for name in argvs:
                argvs[name].append(arg)
    return argvs


def check_script_flags(prog, argvs, names=PROGS, unshown=()):
    """Parse each script's flags now, as the script would, and stop with
    its one-line message, under `prog`'s name, if one is wrong. Flags in
    `unshown`, which the runner would ignore, and concise-only flags when
    only the scratch script runs, are refused."""
    for flag in unshown:
        if any(arg.split('=')[0] == flag for name in names
               for arg in argvs[name]):
            error(prog, f'argument {flag}: {prog} does not show what it '
                        'changes; give it to linreg_scratch.py or '
                        'linreg_concise.py')
    if 'concise' not in names:
        for arg in argvs['concise']:
            if arg.split('=')[0] in CONCISE_ONLY:
                error(prog, f'argument {arg.split("=")[0]}: applies to '
                            'linreg_concise.py, which this run does not run')
    parsed = {}
    for name in names:
        err = io.StringIO()
        try:
            with contextlib.redirect_stderr(err):
                parsed[name] = parse_args(name, argvs[name])
        except SystemExit as stop:  # argparse's one line, or --help's exit
            message = (err.getvalue().strip().splitlines() or [''])[-1]
            if message:  # under the name the user typed
                note(f'{prog}: {message.split(": ", 1)[-1]}')
            raise SystemExit(stop.code)
    return parsed


def error(prog, message):
    """Stop with `prog: error: message` and exit status 2."""
    note(f'{prog}: error: {message}')
    raise SystemExit(2)


def note(text):
    """Write a note (progress, a warning) to stderr. Notes are not results:
    if stderr is closed or full, they are dropped, and the run goes on."""
    try:
        print(text, file=sys.stderr, flush=True)
    except (OSError, ValueError):
        sys.stderr = open(os.devnull, 'w')


def check_streams():
    """A closed stderr takes notes nowhere; a closed stdout is refused,
    since the results would have nowhere to go."""
    if sys.stderr is None:  # `2>&-`: else `print(file=None)` goes to stdout
        sys.stderr = open(os.devnull, 'w')
    if sys.stdout is None:  # `>&-`
        raise Failed('standard output is closed: the results would have '
                     'nowhere to go')


def check_mplbackend():
    """Refuse an MPLBACKEND that matplotlib would not import with: d2l
    imports matplotlib, and so do the pictures. Free unless it is set."""
    backend = os.environ.get('MPLBACKEND')
    if not backend:
        return
    try:
        import matplotlib  # noqa: F401  it reads MPLBACKEND as it imports
    except ValueError:
        raise Refused(f'MPLBACKEND={backend!r} is not a backend that '
                      'matplotlib knows (d2l imports matplotlib); unset it, '
                      'or set MPLBACKEND=Agg') from None


def write_whole(text):
    """Write `text` and a newline to stdout and flush it, with the signals
    held until it is out, so that a SIGTERM cannot cut the line. (Python
    runs a signal's handler in the main thread whichever thread the signal
    reached, so it is the handler that waits, not the signal.)"""
    signals = Signals.active
    with signals.hold() if signals else contextlib.nullcontext():
        sys.stdout.write(text + '\n')
        sys.stdout.flush()


def strict(value):
    """`value` with every NaN and infinity replaced by None: strict JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict(v) for v in value]
    return value


def dumps(value):
    """One line of strict JSON: no NaN or Infinity tokens."""
    return json.dumps(strict(value), allow_nan=False)


# What requirements.txt and d2l install: a Python that lacks one of them is
# not set up, which is a fault to name, not a bug to trace
INSTALLED = ('torch', 'torchvision', 'd2l', 'numpy', 'pandas', 'matplotlib',
             'matplotlib_inline', 'requests', 'scipy', 'IPython', 'psutil')


class Failed(Exception):
    """A run that could not finish; the message says why and what to do.
    `status`: the exit status, 1 for a run that failed, 2 for a value
    refused once torch could check it."""
    status = 1


class Refused(Failed):
    status = 2


class Terminated(KeyboardInterrupt):
    """SIGTERM (or SIGHUP, a closed terminal), raised like Ctrl-C so that
    clean-up code runs."""


# SIGHUP is POSIX only
SIGNALS = [getattr(signal, name) for name in ('SIGTERM', 'SIGHUP')
           if hasattr(signal, name)]
HANDLED = [signal.SIGINT] + SIGNALS


class Signals:
    """Ctrl-C raises KeyboardInterrupt, SIGTERM and SIGHUP `Terminated`,
    until `restore`; once one is raised (or `busy` is set, as a fault is
    being reported), more signals are let pass: a second one must not
    break into the clean-up that the first started. Inside `hold()`, a
    signal waits until the block is done. `active` is the instance whose
    handlers are installed, if any."""

    active = None

    def __init__(self):
        self.busy, self.held, self.pending = False, False, None
        self.previous = {sig: signal.signal(sig, self.on_signal)
                         for sig in HANDLED}
        Signals.active = self

    def on_signal(self, signum, frame):
        if self.busy:
            return
        if self.held:
            self.pending = signum
            return
        self.busy = True
        raise KeyboardInterrupt() if signum == signal.SIGINT else Terminated()

    @contextlib.contextmanager
    def hold(self):
        """Let a signal in only after the block, so that it is whole."""
        self.held = True
        try:
            yield
        finally:
            self.held = False
            if self.pending is not None:
                signum, self.pending = self.pending, None
                self.on_signal(signum, None)

    def restore(self):
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)
        if Signals.active is self:
            Signals.active = None


def fault(prog, error):
    """Print the one line that `error` ends in and return the exit status;
    None for an error that is no fault but a bug (in an edited line, say),
    whose traceback is what shows where."""
    def say(line):  # if stderr is closed or full, the status still tells
        note(f'{prog}: {line}')
    if isinstance(error, Terminated):
        say('terminated; nothing was left half-written')
        return 143
    if isinstance(error, KeyboardInterrupt):
        say('interrupted (Ctrl-C)')
        return 130
    if isinstance(error, BrokenPipeError):
        # The reader went away (`| head -1`): say nothing, write no more
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    if isinstance(error, MemoryError):
        say('error: out of memory; try a smaller --num-examples')
        return 1
    if isinstance(error, Failed):
        say(f'error: {error}')
        return error.status
    if isinstance(error, ImportError) and (error.name or '').split('.')[
            0] in INSTALLED:
        say(f'error: {error}: this Python ({sys.executable}) is not set up '
            'for the project; run `make setup` and use .venv/bin/python, or '
            'the README\'s pip commands')
        return 1
    if isinstance(error, OSError):
        say(f'error: {error.strerror or error}'
            + (f': {error.filename}' if error.filename else ''))
        return 1
    return None


def guarded(prog, body):
    """Run `body()`; turn each fault into one line and an exit status."""
    signals = Signals()
    try:
        check_streams()
        code = body()
        sys.stdout.flush()  # a full disk shows here, not at exit
        return code
    except (KeyboardInterrupt, Failed, OSError, MemoryError,
            ImportError) as error:
        status = fault(prog, error)
        if status is None:  # a bug: its traceback shows where
            raise
        return status
    finally:
        signals.restore()
