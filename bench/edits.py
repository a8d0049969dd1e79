"""The exercises' variants as edits of a script's source, in memory: each
flag changes the line a learner would change, one for one (a traceback
keeps its line numbers), shown as `# edit: FILE:LINE  new  (flag)`."""
import re
from dataclasses import dataclass

from bench.faults import Failed

# The book's lines that the flags change, as they stand in each script
LOSS = {'scratch': 'loss = squared_loss', 'concise': 'loss = nn.MSELoss()'}
DATA = re.compile(r'^features, labels = .*$', re.M)  # at module level
SEEDED = 'seeded by the runner: the script sets no seed'
LOSS_MODULES = {'squared': 'MSELoss', 'huber': 'SmoothL1Loss',
                'abs': 'L1Loss'}


@dataclass
class Edit:
    """A line changed, and the flag that asked for it."""
    lineno: int
    old: str
    new: str
    flag: str

    def text(self, file):
        """`FILE:LINE  the line as edited  (the flag)`."""
        new = self.new.strip() or f'(removed) {self.old.strip()}'
        return f'{file}:{self.lineno}  {new}  ({self.flag})'


def print_edits(lines, indent=''):
    """Print each edit as every runner shows it, before the run."""
    for line in lines:
        print(f'{indent}# edit: {line}')


def impl(source):
    """Which script's lines `source` has: 'concise' or 'scratch'."""
    return 'concise' if 'from torch import nn' in source else 'scratch'


def loss_line(name, kind, reduction):
    """The loss line for --loss and --reduction."""
    if name == 'concise':
        settings = ["reduction='sum'"] if reduction == 'sum' else []
        if kind == 'huber':
            settings.append('beta=1.0')
        return f'loss = nn.{LOSS_MODULES[kind]}({", ".join(settings)})'
    if kind == 'huber':
        return ('loss = lambda y_hat, y: torch.nn.functional.smooth_l1_loss('
                "y_hat, y.reshape(y_hat.shape), reduction='none', beta=1.0)")
    return 'loss = lambda y_hat, y: (y_hat - y.reshape(y_hat.shape)).abs()'


def loss_edit(name, options):
    """([the loss line's change], its loss); --reduction: concise only."""
    reduction = options.reduction if name == 'concise' else 'mean'
    if options.loss == 'squared' and reduction == 'mean':
        return [], None
    flags = []
    if options.loss != 'squared':
        flags.append(f'--loss {options.loss}')
    if reduction != 'mean':
        flags.append(f'--reduction {reduction}')
    line = loss_line(name, options.loss, reduction)
    change = (LOSS[name], lambda old: line, ' '.join(flags))
    if reduction == 'mean':
        return [change], options.loss
    return [change], 'sum' if options.loss == 'squared' else None


def requested(source, options):
    """([(book line, new line's function, flag)], their loss)."""
    changes, loss = loss_edit(impl(source), options)
    data = DATA.search(source)
    data = data[0].strip() if data else 'features, labels = ...'
    if 'manual_seed(' not in source and DATA.search(source):
        seed = 'torch.manual_seed(0); '
        if re.search(r'^import random$', source, re.M):
            seed += 'random.seed(0); '
        changes.append((data, lambda old: seed + old, SEEDED))
    return changes, loss


def apply(source, changes):
    """(`source` with each change made, [Edit]); `Failed` without the line."""
    lines = source.split('\n')
    stripped = [line.strip() for line in lines]
    done = {}
    for book, change, flag in changes:
        if book not in stripped:
            raise Failed(f'{flag} changes the line `{book}`, which this '
                         'script does not have')
        index = stripped.index(book)
        line = lines[index]
        indent = line[:len(line) - len(line.lstrip())]
        before = done.get(index)
        new = change(before.new.strip() if before else book)
        flags = f'{before.flag} {flag}' if before else flag
        done[index] = Edit(index + 1, book, indent + new if new else '',
                           flags)
    for index, edit in done.items():
        lines[index] = edit.new
    return '\n'.join(lines), sorted(done.values(), key=lambda e: e.lineno)
