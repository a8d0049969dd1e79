"""What compare.sh prints of its comparison: each figure and each
sentence read from the two runs."""
import math
import statistics
import re
import unicodedata

from bench.results import LOSSES, REDUCTIONS
from bench.text import _, _n

WORDS = re.compile(r'[\u2e80-\uffff][，。；：、）]?\s*|[^\s\u2e80-\uffff]+\s*')


def cell(value):
    """A number as the tables show it: 'diverged' for inf and NaN."""
    if value is None:
        return ''
    if not math.isfinite(value):
        return _('diverged')
    return f'{value:.6f}' if abs(value) < 1e4 else f'{value:.3e}'


def width(text):
    """The columns `text` takes in a terminal: two for a wide character."""
    return sum(1 + (unicodedata.east_asian_width(c) in 'WF') for c in text)


def pad(text, columns):
    """`text` to the right of `columns` columns; to the left if negative."""
    space = ' ' * (abs(columns) - width(text))
    return text + space if columns < 0 else space + text


def table(rows):
    """Print `rows` as columns as wide as their cells, the first left."""
    widths = [max(map(width, column)) for column in zip(*rows)]
    widths[0] *= -1
    for row in rows:
        print('  '.join(map(pad, row, widths)).rstrip())


def say(*sentences):
    """Print sentences under the tables, in lines of 100 columns broken at
    a space, or between two wide characters, as Chinese is."""
    lines = ['']
    for word in WORDS.findall(' '.join(filter(None, sentences))):
        if lines[-1] and width(lines[-1] + word.rstrip()) > 98:
            lines.append('')
        lines[-1] += word
    for line in lines:
        print('  ' + line.rstrip())


def what_ran(run):
    """`1000 examples, 3 epochs of 100 steps (batch 10), lr 0.03`."""
    steps = set(run.steps_per_epoch)
    each = steps.pop() if len(steps) == 1 else run.steps_per_epoch
    rates = [run.lr] if run.lr else run.lr_per_epoch or []
    lr = ', '.join(f'{rate:.3g}' for rate in rates) or _('not seen')
    epochs = _n('{n} epoch', '{n} epochs', run.epochs)
    return _('{0} examples, {1} of {2} steps (batch {3}), lr {4}',
             run.num_examples, epochs, each, run.batch_size, lr)


def header(comparison):
    """Print the runner's edits, and what ran, with the data's check."""
    ran = []
    for run in comparison.runs:
        for edit in run.edits:
            print(f'# edit: {edit}')
        flags = ' '.join(run.flags) or _('none')
        ran.append(_('{0}; flags: {1}', what_ran(run), flags))
    line = _('# {0} in both', ran[0])
    if ran[0] != ran[1]:
        pairs = zip(comparison.names, ran)
        line = '# ' + '; '.join(f'{name}: {text}' for name, text in pairs)
    a, b = comparison.runs
    same = _('yes (their sha256 are equal)')
    if a.data_sha256 != b.data_sha256:
        same = _('NO')
    print(_('{0}; same data in both: {1}', line, same))


def loss_table(comparison):
    """Print each epoch's loss and MSE of both runs, side by side."""
    runs = comparison.runs
    heads = [_('{0} loss', name) for name in comparison.names]
    heads += [_('{0} MSE', name) for name in comparison.names]
    rows = [[_('epoch'), *heads]]
    columns = [run.loss_per_epoch or [] for run in runs]
    columns += [run.mse_per_epoch for run in runs]
    for epoch in range(max(run.epochs for run in runs)):
        row = [str(epoch + 1)]
        for values in columns:
            row.append(cell(values[epoch] if epoch < len(values) else None))
        rows.append(row)
    table(rows)


def losses(comparison):
    """Say which loss each ran and printed, and where both settle."""
    kinds = []
    said = []
    for name, run in zip(comparison.names, comparison.runs):
        kind = _("{0}'s: none the runners know (a blank column)", name)
        if run.loss:
            kind = _("{0}'s: {1}, its {2} over each batch", name,
                     LOSSES[run.loss], REDUCTIONS[run.reduction])
        kinds.append(kind)
        said.append(printed(name, run))
    said.insert(0, _('loss: what backward() ran on, as a mean on all the '
                     'data; {0}. MSE: one yardstick for both.',
                     '; '.join(kinds)))
    found = sorted(run.loss for run in comparison.runs if run.loss)
    settled = all(run.mse < 1.1 * run.lstsq['mse'] for run in comparison.runs)
    if found == ['half', 'squared'] and settled:
        best = comparison.runs[0].lstsq['mse']
        said.append(_('Both settle near the least-squares line, of MSE '
                      '{0:.2e} here; the 1/2 loss, near half of it, {1:.2e}.',
                      best, best / 2))
    say(*said)


def printed(name, run):
    """What the run printed after its epochs, against its columns."""
    if all(kind == 'loss' for kind in run.printed_loss):
        return _('{0} printed its loss after each epoch.', name)
    if not run.printed[0]:
        return _('{0} printed no loss after its epochs.', name)
    what = _('its MSE column') if run.printed_loss[0] else _(
        'no loss on all the data')
    return _('{0} printed `{1}` after epoch 1: {2}.', name, run.printed[0],
             what)


def steps(comparison):
    """Say how far each run stepped, and what else makes them differ."""
    a, b = comparison.runs
    said = []
    for name, run in zip(comparison.names, comparison.runs):
        if run.lr is None:
            said.append(_("{0}'s steps are no fixed multiple of its "
                          "batch's gradient.", name))
    if a.mse_step and b.mse_step:
        said.append(far(comparison.names, a, b))
    same = a.data_sha256 == b.data_sha256
    if same and 'script' not in (a.seeded, b.seeded):
        said.append(_('Each script that sets no seed was seeded by the '
                      'runner (its # edit: line): both fit the same data.'))
    if not same:
        said.append(_("The two fit different data: their lstsq lines' MSE "
                      'are {0:.2e} and {1:.2e}.', a.lstsq['mse'],
                      b.lstsq['mse']))
    for name, run in zip(comparison.names, comparison.runs):
        if run.diverged_at_epoch:
            said.append(_('{0} diverged at epoch {1}.', name,
                          run.diverged_at_epoch))
    say(*said)


def far(names, a, b):
    """How far the second steps against the first, read from the steps."""
    ratio = b.mse_step / a.mse_step
    times = _('{0:.3g} times', ratio)
    if math.isclose(ratio, 2, rel_tol=1e-3):
        times = _('twice')
    return _('{0} steps {1} as far as {2}: each step is {3:.3g} x the '
             "gradient of the batch's MSE, against {4:.3g} x.", names[1],
             times, names[0], b.mse_step, a.mse_step)


def errors_table(comparison):
    """Print the lines learned against the true one, beside lstsq's."""
    runs = comparison.runs
    fits = [dict(vars(run), mse=run.mse) for run in runs]
    fits.append(runs[0].lstsq)
    rows = [['', *comparison.names, 'lstsq']]
    for key in ('w', 'b'):
        cells = [error(fit, key, runs[0]) for fit in fits]
        rows.append([_('{0} error', key), *cells])
    mses = [cell(fit['mse']) for fit in fits]
    rows.append([_('final MSE'), *mses])
    starts = [', '.join(f'{v:+.4f}' for v in run.initial) for run in runs]
    rows.append([_('initial w, b'), *starts, ''])
    table(rows)
    say(_('lstsq: the least-squares line in closed form, the lowest MSE of '
          'any line on these data.'))


def error(fit, key, first):
    """A cell of the errors table: the true value less the learned one."""
    true = vars(first)[f'true_{key}']
    if fit.get('diverged_at_epoch'):
        return _('diverged at epoch {0}', fit['diverged_at_epoch'])
    if true is None:
        return _('true {0} not seen', key)
    if key == 'b':
        return f'{true - fit[key]:+.5f}'
    return ', '.join(f'{t - v:+.5f}' for t, v in zip(true, fit[key]))


def timing(comparison):
    """Print what each Timer timed, and the runner's clock per epoch."""
    label = _('Timers:')
    for name, run in zip(comparison.names, comparison.runs):
        print(f'{label} {name}: {run.timer}')
        label = ' ' * width(label)
    if not comparison.timing:
        return
    row = [_("per epoch, the runner's clock")]
    for times in comparison.timing:
        median = statistics.median(times)
        row.append(f'{median:.1f} ms ({min(times):.1f}-{max(times):.1f})')
    table([row])
    first, second = comparison.names
    ratio = statistics.median(comparison.ratios)
    pairs = _n('{n} alternating pair', '{n} alternating pairs',
               len(comparison.ratios))
    say(_('per epoch, {0} takes {1:.2f}x as long as {2} (median of {3} '
          'of runs after a warm-up; an epoch: its steps x the median time '
          'between two backward())', second, ratio, first, pairs))
