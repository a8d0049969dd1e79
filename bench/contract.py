"""What the runners read of a script, and what they say where they cannot
see it, in one place: no other module knows a script's names, lines, flags
or printed formats. CONTRACT is docs/reference.md's table."""
import ast
import itertools
import math
import re
import sys
import types
from pathlib import Path

from bench.faults import Refused
from bench.text import _

CONTRACT = re.sub(r'\n +', ' ', _('''\
| the runners report | read from | without it |
| --- | --- | --- |
| the steps | each `backward()`: its loss, the tensors it reaches (autograd's
  leaves) before and after it | stop |
| the parameters | those leaves: a weight a feature, and a bias | stop |
| the data | the tensors the first batch's rows came from: `features` and
  `labels` first, then a `DataLoader`'s dataset, an object's `X` and `y`,
  any tensor of those rows beside one of as many labels | stop |
| the epochs | passes: an epoch ends before a batch repeats an example | stop |
| the loss | each `backward()`'s value against each loss the runners know,
  on the batch | "none the runners know" |
| the learning rate | each full batch's step against the gradient of its
  mean loss | "not seen" |
| the true line | `true_w` and `true_b`, else the `w` and `b` of what holds
  the data | "not seen" |
| the printed loss | each epoch's first line with a fraction | "no loss" |
| the times | the runner's clock at each `backward()`; each `start()` and
  `stop()` of a class `Timer` the script imports or defines | "0 start()" |
| the flags | the script's own `parse_args()`; those typed of `--num-examples`,
  `--num-epochs`, `--batch-size`, `--lr`, `--seed`, checked | none taken |
| the seed | `torch.manual_seed` before the first step | the runner seeds
  the statement that drew the data, and every generator at the start |'''))
SEED = 0  # the runner's, for every generator of a run
LR = '--lr'  # the flag that --equivalence sets
BATCH = '--batch-size'
CHECKED = ['num_examples', 'num_epochs', 'batch_size', 'lr', 'seed']  # typed
GRIDS = {  # the chapter scripts' flags that sweep.py sets, and their grids
    'lr': '0.001,0.003,0.01,0.03,0.1,0.3,1,3',
    'num-examples': '5,10,20,50,100,200,500,1000,2000,5000,10000',
    'num-epochs': '1,2,3,5,10,20',
    'batch-size': '1,10,32,100,300,1000',
    'init-std': '0,0.01,1,31.6',
}
ROOT = Path(__file__).resolve().parents[1]  # this checkout
SCRIPTS = {name: str(ROOT / f'linreg_{name}.py') for name in ('scratch',
                                                             'concise')}
ESCAPE = re.compile(r'\x1b\[[0-9;?]*[A-Za-z]')  # a terminal's
NUMBER = re.compile(r'[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?')


def check_args(args):
    """`Refused` for a value of the script's flags that no run can use."""
    for name in ('num_examples', 'batch_size', 'lr', 'num_epochs'):
        value = getattr(args, name, None)
        if isinstance(value, (int, float)) and not 0 < value < math.inf:
            flag = name.replace('_', '-')
            raise Refused(_('argument --{0}: must be above 0, and finite',
                            flag))
    std = getattr(args, 'init_std', 0)
    if isinstance(std, float) and not 0 <= std < math.inf:
        raise Refused(_('argument --init-std: must be at least 0, and '
                        'finite'))


def takes_flags(source):
    """Whether a script parses flags at all."""
    return 'parse_args(' in source


def hiding(path):
    """A module beside the script that hides torch or d2l, or None."""
    for module in ('torch.py', 'd2l.py'):
        beside = Path(path).with_name(module)
        if beside.exists():
            return str(beside)
    return None


def tensor_like(value):
    """Whether `value` holds numbers in rows: a tensor, array or frame."""
    rows = type(value).__name__ in ('Tensor', 'ndarray', 'DataFrame')
    return rows and getattr(value, 'ndim', 0) > 0


def objects(spaces):
    """What the script's frames bind, each name once, innermost first."""
    found = []
    seen = set()
    for space in spaces:
        for name, value in list(space.items()):
            if name not in seen and not callable(value):
                found.append(value)
            seen.add(name)
    return found


def data(spaces):
    """Candidates for (features, labels), the book's names first."""
    from torch.utils.data import DataLoader
    found = [(space.get('features'), space.get('labels'))
             for space in spaces]
    items = [item for value in objects(spaces)
             for item in [value, *inside(value)]]  # and what objects hold
    for item in items:
        if isinstance(item, DataLoader):
            found.append(getattr(item.dataset, 'tensors', ()))
    tables = [item for item in items if tensor_like(item)]
    found += itertools.permutations(tables, 2)  # rows and labels?
    return [pair for pair in found if len(pair) == 2]  # and tensors?


def inside(value):
    """What an object holds as its attributes: nothing for a module."""
    found = getattr(value, '__dict__', None)
    plain = isinstance(found, dict) and not isinstance(value, types.ModuleType)
    return list(found.values()) if plain else []


def holds(value, base):
    """Whether `value` is the tensor `base`, or an object that holds it."""
    return value is base or any(item is base for item in inside(value))


def true_line(spaces, holders):
    """(true w, true b): `true_w` and `true_b`, else those of a holder."""
    for space in spaces:
        if 'true_w' in space and 'true_b' in space:
            return space['true_w'], space['true_b']
    for value in holders:
        if hasattr(value, 'w') and hasattr(value, 'b'):
            return value.w, value.b
    return None


def timers(value):
    """The Timer classes `value` (a class or module) is or holds; d2l's."""
    d2l = sys.modules.get('d2l.torch')
    found = [value, getattr(value, 'Timer', None), getattr(d2l, 'Timer', None)]
    return [cls for cls in found if getattr(cls, '__name__', '') == 'Timer'
            and hasattr(cls, 'start') and hasattr(cls, 'stop')]


def printed(lines):
    """(the first line with a fraction, and its numbers as printed)."""
    for line in lines:
        line = ESCAPE.sub('', line).strip()
        numbers = NUMBER.findall(line)
        if any('.' in number or 'e' in number.lower() for number in numbers):
            return line, numbers
    return None, []


def seed_edit(source, line):
    """(number, line): the runner's seed before the statement at `line`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.stmt) and node.lineno <= line:
            found.append(node)
    inner = max(found, key=lambda node: node.lineno)
    if inner.end_lineno < line or hasattr(inner, 'body'):
        return None  # no statement there, or a compound one: no `;` first
    text = source.split('\n')[inner.lineno - 1]
    at = inner.col_offset
    return inner.lineno, f'{text[:at]}runner_seed({SEED}); {text[at:]}'
