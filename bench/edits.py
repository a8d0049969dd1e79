"""The exercises' variants as edits of a script's source, made in memory:
each flag changes the very line a learner would change, one line for one,
so that a traceback keeps the file's line numbers.
"""
from dataclasses import dataclass

from bench.faults import Failed, Refused

# The book's lines that the flags change, as they stand in each script
LOSS = {'scratch': 'loss = squared_loss', 'concise': 'loss = nn.MSELoss()'}
INIT = 'w = torch.normal(0, args.init_std, size=(2, 1), requires_grad=True)'
DATA = {'scratch': 'features, labels = synthetic_data(true_w, true_b, '
                   'args.num_examples)',
        'concise': 'features, labels = d2l.synthetic_data(true_w, true_b, '
                   'args.num_examples)'}
# Where the data move to a device: after the scatter plot, which needs them
# on the CPU; the parameters move after they are drawn, on the CPU, so that
# one seed gives the same data and init on every device
MOVE_DATA = {'scratch': "d2l.plt.scatter(features[:, 1].detach().numpy(), "
                        "labels.detach().numpy(), 1);",
             'concise': DATA['concise']}
TIMER = 'timer = Timer()'


@dataclass
class Edit:
    """A line changed: its number, the book's text, the new (blank:
    removed), and the flag that asked for it."""
    lineno: int
    old: str
    new: str
    flag: str

    def shown(self, file):
        new = self.new.strip() or f'(removed) {self.old.strip()}'
        return f'{file}:{self.lineno}  {new}  ({self.flag})'


def loss_line(name, kind, sigma, reduction):
    """The loss line for --loss, --huber-sigma and --reduction."""
    if name == 'concise':
        settings = ["reduction='sum'"] if reduction == 'sum' else []
        if kind == 'huber':  # zh 3.3 ex. 2's Huber loss is SmoothL1Loss
            settings.append(f'beta={sigma!r}')
        module = {'squared': 'MSELoss', 'huber': 'SmoothL1Loss',
                  'abs': 'L1Loss'}[kind]
        return f'loss = nn.{module}({", ".join(settings)})'
    if kind == 'huber':
        return ('loss = lambda y_hat, y: torch.nn.functional.smooth_l1_loss('
                "y_hat, y.reshape(y_hat.shape), reduction='none', "
                f'beta={sigma!r})')
    return 'loss = lambda y_hat, y: (y_hat - y.reshape(y_hat.shape)).abs()'


def wanted(name, options):
    """(book line, function of the line, flag) of each variant asked for."""
    changes = []
    reduction = options.reduction
    if name == 'scratch' and reduction != 'mean':
        raise Refused('argument --reduction: applies to linreg_concise.py '
                      "(the scratch loop sums `squared_loss` itself)")
    if options.loss != 'squared' or reduction != 'mean':
        line = loss_line(name, options.loss, options.huber_sigma, reduction)
        flag = ' '.join(f for f in (
            f'--loss {options.loss}' if options.loss != 'squared' else '',
            f'--reduction {reduction}' if reduction != 'mean' else '') if f)
        changes.append((LOSS[name], lambda old, line=line: line, flag))
    if options.outlier is not None:
        flag = f'--outlier {options.outlier:g}'
        changes.append((DATA[name], lambda old: f'{old}; labels[5] = '
                        f'{options.outlier!r}', flag))
    if options.device != 'cpu':
        changes += device(name, repr(options.device))
    return changes


def device(name, where):
    """The lines that put the data, the parameters and the Timer on the
    device `where`, quoted."""
    flag = f'--device {where[1:-1]}'
    move = (f'; true_w, features, labels = true_w.to({where}), '
            f'features.to({where}), labels.to({where})')
    changes = [(MOVE_DATA[name], lambda old: old.rstrip(';') + move, flag),
               (TIMER, lambda old: f'timer = Timer({where})', flag)]
    if name == 'scratch':
        return changes + [
            (INIT, lambda old: old.replace(
                ', requires_grad=True)', f').to({where}).requires_grad_()'),
             flag),
            ('b = torch.zeros(1, requires_grad=True)', lambda old: (
                f'b = torch.zeros(1, device={where}, requires_grad=True)'),
             flag)]
    return changes + [('net[0].bias.data.fill_(0)',
                       lambda old: f'{old}; net.to({where})', flag)]


def apply(source, changes):
    """(`source` with each change made to the first line that reads its
    book line, [Edit]); `Failed` where the learner changed that line."""
    lines = source.split('\n')
    stripped = [line.strip() for line in lines]
    done = {}
    for book, change, flag in changes:
        if book not in stripped:
            raise Failed(f'{flag} changes the line `{book}`, which this '
                         'script no longer has')
        index = stripped.index(book)
        indent = lines[index][:len(lines[index]) - len(lines[index].lstrip())]
        old = done[index].new.strip() if index in done else book
        new = change(old)
        done[index] = Edit(index + 1, book, indent + new if new else '',
                           (done[index].flag + ' ' if index in done else '')
                           + flag)
    for index, edit in done.items():
        lines[index] = edit.new
    return '\n'.join(lines), sorted(done.values(), key=lambda e: e.lineno)
