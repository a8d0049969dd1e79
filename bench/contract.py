"""What the runners read of a script, in one place: where in the run, and
what they say where they cannot see it. No other module knows a script's
names, lines, flags or printed formats; CONTRACT is docs/reference.md's
table."""
import ast
import itertools
import math
import os
import re
import types

from bench.faults import Refused
from bench.text import _

CONTRACT = re.sub(r'\n +', ' ', _('''\
| the runners report | read from | without it, they |
| --- | --- | --- |
| the steps | each `backward()`: the loss it ran on, and the tensors it
  reaches (autograd's leaves) before and after it | stop |
| the parameters | those leaves: a weight a feature, and a bias | stop |
| the data | the tensors that the first step's batch rows came from:
  `features` and `labels` first, then a `DataLoader`'s dataset, an
  object's `X` and `y`, any tensor of those rows beside one of as many
  labels | stop |
| the epochs | passes over the data: an epoch ends before the first step
  whose batch repeats one of its examples | stop |
| the loss | the value each `backward()` ran on, against each loss the
  runners know, on the batch | say "none the runners know" |
| the learning rate | each step's change against the gradient of the
  batch's mean loss | say "not seen" |
| the true line | `true_w` and `true_b`, else the `w` and `b` of what holds
  the data | say "not seen" |
| the printed loss | the first line with a fraction printed after each
  epoch | say "no loss" |
| the times | the runner's clock at each `backward()`; in words, each
  `start()` and `stop()` of a class `Timer` that the script imports or
  defines | say "no Timer" |
| the flags | what the script's own `parse_args()` parsed; those typed of
  `--num-examples`, `--num-epochs`, `--batch-size`, `--lr` and `--seed`
  are checked against the run | take none |
| the seed | `torch.manual_seed` before the first step | seed the
  statement that drew the data |'''))
SEED = 0  # the runner's, for every generator of a run
CHECKED = ['num_examples', 'num_epochs', 'batch_size', 'lr', 'seed']  # typed
GRIDS = {  # the chapter scripts' flags that sweep.py sets, and their grids
    'lr': '0.001,0.003,0.01,0.03,0.1,0.3,1,3',
    'num-examples': '5,10,20,50,100,200,500,1000,2000,5000,10000',
    'num-epochs': '1,2,3,5,10,20',
    'batch-size': '1,10,32,100,300,1000',
    'init-std': '0,0.01,1,31.6',
}
SCRIPTS = {'scratch': 'linreg_scratch.py', 'concise': 'linreg_concise.py'}
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
        beside = os.path.join(os.path.dirname(path), module)
        if os.path.exists(beside):
            return beside
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
    values = objects(spaces)
    for value in values:
        for item in [value, *inside(value)]:
            if isinstance(item, DataLoader):
                found.append(getattr(item.dataset, 'tensors', ()))
        found.append((getattr(value, 'X', None), getattr(value, 'y', None)))
    tables = [value for value in values if tensor_like(value)]
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


def is_timer(cls):
    """Whether `cls` is a Timer that the runners describe."""
    named = isinstance(cls, type) and cls.__name__ == 'Timer'
    return named and hasattr(cls, 'start') and hasattr(cls, 'stop')


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
