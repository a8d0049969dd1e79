"""The exercises' variants as edits of a script's source, made in memory:
each flag changes the very line a learner would change, one line for one,
so that a traceback keeps the file's line numbers; each is shown before
the run as `# edit: FILE:LINE  the line as edited  (the flag)`."""
import re
from dataclasses import dataclass, field

from bench.faults import Failed

# The book's lines that the flags change, as they stand in each script
LOSS = {'scratch': 'loss = squared_loss', 'concise': 'loss = nn.MSELoss()'}
DATA = re.compile(r'^features, labels = .*$', re.M)  # at module level
INIT = 'w = torch.normal(0, args.init_std, size=(2, 1), requires_grad=True)'
BIAS = 'b = torch.zeros(1, requires_grad=True)'
SCATTER = ('d2l.plt.scatter(features[:, 1].detach().numpy(), '
           'labels.detach().numpy(), 1);')
TIMER = 'timer = Timer()'
LOSS_MODULES = {'squared': 'MSELoss', 'huber': 'SmoothL1Loss',
                'abs': 'L1Loss'}


@dataclass
class Edit:
    """A line changed: its number, the book's text, the new (blank:
    removed), and the flag that asked for it."""
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


def loss_line(name, kind, sigma, reduction):
    """The loss line for --loss, --huber-sigma and --reduction."""
    if name == 'concise':
        settings = ["reduction='sum'"] if reduction == 'sum' else []
        if kind == 'huber':  # zh 3.3 ex. 2's Huber loss is SmoothL1Loss
            settings.append(f'beta={sigma!r}')
        return f'loss = nn.{LOSS_MODULES[kind]}({", ".join(settings)})'
    if kind == 'huber':
        return ('loss = lambda y_hat, y: torch.nn.functional.smooth_l1_loss('
                "y_hat, y.reshape(y_hat.shape), reduction='none', "
                f'beta={sigma!r})')
    return 'loss = lambda y_hat, y: (y_hat - y.reshape(y_hat.shape)).abs()'


@dataclass
class Requested:
    """What the runner's flags ask of one script: the changes, the loss
    they make (a key of contract.LOSSES) and the flags they apply."""
    changes: list = field(default_factory=list)  # (book line, new, flag)
    loss: str = None
    flags: dict = field(default_factory=dict)

    def add(self, book, change, flag, **given):
        self.changes.append((book, change, flag))
        self.flags.update(given)


def loss_edit(name, options, asked):
    """The loss line's change for --loss and --reduction: --reduction is
    the concise loss's alone."""
    reduction = options.reduction if name == 'concise' else 'mean'
    if options.loss == 'squared' and reduction == 'mean':
        return
    given = {f'--{key}': value for key, value, book in (
        ('loss', options.loss, 'squared'), ('reduction', reduction, 'mean'),
        ('huber-sigma', options.huber_sigma, 1.0)) if value != book}
    line = loss_line(name, options.loss, options.huber_sigma, reduction)
    flag = ' '.join(f'{k} {v}' for k, v in given.items()
                    if k != '--huber-sigma')
    asked.add(LOSS[name], lambda old: line, flag, **given)
    if reduction == 'sum':
        asked.loss = 'sum' if options.loss == 'squared' else None
    else:
        asked.loss = options.loss


def requested(source, options):
    """The `Requested` of the edits that `options` ask of `source`."""
    name, asked = impl(source), Requested()
    loss_edit(name, options, asked)
    data = DATA.search(source)
    data = data[0].strip() if data else 'features, labels = ...'
    if options.outlier is not None:
        flag = f'--outlier {options.outlier:g}'
        asked.add(data, lambda old: f'{old}; labels[5] = '
                  f'{options.outlier!r}', flag, **{'--outlier':
                                                   options.outlier})
    if 'manual_seed(' not in source and DATA.search(source):
        seed = 'torch.manual_seed(0); '
        if re.search(r'^import random$', source, re.M):
            seed += 'random.seed(0); '
        asked.add(data, lambda old: seed + old,
                  'seeded by the runner: the script sets no seed')
    if options.device != 'cpu':
        for change in device(name, repr(options.device)):
            asked.add(*change, **{'--device': options.device})
    return asked


def device(name, where):
    """The lines that put the data, the parameters and the Timer on the
    device `where`, quoted: the data after the scatter plot, which needs
    them on the CPU, the parameters after they are drawn on the CPU, so
    that one seed draws the same numbers on every device."""
    flag = f'--device {where[1:-1]}'
    move = (f'; true_w, features, labels = true_w.to({where}), '
            f'features.to({where}), labels.to({where})')
    data = SCATTER if name == 'scratch' else (
        'features, labels = d2l.synthetic_data(true_w, true_b, '
        'args.num_examples)')
    changes = [(data, lambda old: old.rstrip(';') + move, flag),
               (TIMER, lambda old: f'timer = Timer({where})', flag)]
    if name == 'concise':
        return changes + [('net[0].bias.data.fill_(0)',
                           lambda old: f'{old}; net.to({where})', flag)]
    return changes + [
        (INIT, lambda old: old.replace(
            ', requires_grad=True)', f').to({where}).requires_grad_()'),
         flag),
        (BIAS, lambda old: f'b = torch.zeros(1, device={where}, '
                           'requires_grad=True)', flag)]


def apply(source, changes):
    """(`source` with each change made to the first line that reads its
    book line, [Edit]); `Failed` where the learner changed that line."""
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
