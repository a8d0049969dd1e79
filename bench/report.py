"""What compare.sh prints of a `compare.Comparison`, each figure read from
the runs, each part a function."""
import math
import os

from bench import contract, edits, flags


def cell(value, width=0):
    """A table cell: the number, 'diverged' for inf and NaN, or blank."""
    if value is None:
        text = ''
    elif not math.isfinite(value):
        text = 'diverged'
    elif abs(value) < 1e4:
        text = f'{value:.6f}'
    else:
        text = f'{value:.3e}'
    return text.rjust(width)


def columns(label, *texts):
    """A row of the side-by-side tables, a space between any two cells."""
    return label.ljust(26) + ''.join(' ' + text.rjust(21) for text in texts)


def header(comparison):
    """Print the edits and the line of what ran, with the data's check."""
    first, second = comparison.runs
    edits.print_edits(first.edits + second.edits)
    ran = [f'{run.what_ran()}; flags: {flags.as_typed(run.flags) or "none"}'
           for run in comparison.runs]
    line = f'# {ran[0]} in both'
    if ran[0] != ran[1]:
        pairs = zip(comparison.names, ran)
        line = '# ' + '; '.join(f'{name}: {text}' for name, text in pairs)
    same = first.data_sha256 == second.data_sha256
    print(f'{line}; same data in both: ' + (
        'yes (their sha256 are equal)' if same else 'NO'))


def loss_table(comparison):
    """Print each epoch's printed losses and MSE, side by side."""
    names, runs = comparison.names, comparison.runs
    heads = [f'{name} loss'.rjust(13) for name in names]
    heads += [f'{name} MSE'.rjust(12) for name in names]
    print('epoch  ' + '  '.join(heads))
    shown = [(run.loss_per_epoch, 13) for run in runs]
    shown += [(run.mse_per_epoch, 12) for run in runs]
    epochs = max(len(run.mse_per_epoch) for run in runs)
    for epoch in range(epochs):
        row = []
        for values, width in shown:  # a blank where one ran fewer epochs
            value = values[epoch] if epoch < len(values) else None
            row.append(cell(value, width))
        print(f'{epoch + 1:>5}  ' + '  '.join(row))
    if len(runs[0].mse_per_epoch) != len(runs[1].mse_per_epoch):
        print('  the two ran different epochs: a blank is an epoch that '
              'one did not run.')


def artefacts(comparison):
    """Print what makes the two differ, read from the runs."""
    names, runs = comparison.names, comparison.runs
    kinds = [contract.LOSSES.get(run.loss, 'a loss not seen') for run in runs]
    print(f'  {names[0]} prints {kinds[0]}, {names[1]} {kinds[1]};\n  the '
          'MSE columns use one definition for both.')
    losses = [run.loss for run in runs]
    if sorted(losses) == ['half', 'mse']:
        print('  At convergence they settle near sigma^2/2 = 5e-05 and '
              'sigma^2 = 1e-04 (sigma = 0.01).')
        lr, mse = runs[0].lr, runs[losses.index('mse')]
        shown = ' (--equivalence shows it)' if mse.watch.parsed else ''
        if lr is not None and lr == runs[1].lr:
            print(f'  At the same lr, {lr:g}, the gradient of the mean '
                  'squared error is twice that of the 1/2 loss:\n  '
                  f'{names[losses.index("mse")]} steps twice as far{shown}.')
    if any(edits.SEEDED in line for run in runs for line in run.edits):
        print('  A script that sets no seed draws other data at every run: '
              'the runner seeded it (its # edit:\n  line), so that both '
              'fit the same data.')
    diverged = [run for run in runs if run.diverged_at_epoch]
    for run in diverged:
        other = '; the other column is still a result'
        print(f'  {os.path.basename(run.script)} diverged at epoch '
              f'{run.diverged_at_epoch}{other if len(diverged) == 1 else ""}')


def errors_table(comparison):
    """Print the errors in w and b and the final MSE, beside lstsq's."""
    print(columns('', *comparison.names, 'lstsq'))
    fits = [run.results() for run in comparison.runs] + [comparison.lstsq]
    for label in ('w error', 'b error'):
        cells = []
        for fit in fits:
            errors = fit[label.replace(' ', '_')]
            cells.append(', '.join(f'{e:+.5f}' for e in errors))
            if fit.get('diverged_at_epoch'):
                cells[-1] = f'diverged at epoch {fit["diverged_at_epoch"]}'
        print(columns(label, *cells))
    mses = [math.nan if fit.get('diverged_at_epoch') else fit['mse']
            for fit in fits]
    print(columns('final MSE', *map(cell, mses)))
    print('  lstsq: the closed-form least-squares fit on the same data, the '
          'lowest MSE any line\n  reaches there. What a script prints: '
          '`python -m bench SCRIPT`, with the same flags.')


def timing(comparison):
    """Print what each Timer timed, and the times it read."""
    for k, (name, run) in enumerate(zip(comparison.names, comparison.runs)):
        print(f'{"Timers:" if k == 0 else "":<8}{name}: {run.timed}')
    if comparison.timing is None:
        print('  no times to compare: a script that starts no Timer times '
              'nothing')
        return
    each = all(run.epoch_seconds for run in comparison.runs)
    what = 'per epoch' if each else 'per run'
    shown = [f'{1000 * t["median"]:.1f} ms ({1000 * t["min"]:.1f}-'
             f'{1000 * t["max"]:.1f})' for t in comparison.timing]
    print(columns(f'{what}, median (range)', *shown))
    first, second = comparison.names
    pairs = f'{comparison.pairs} alternating pair'
    pairs += 's' * (comparison.pairs != 1)
    print(f'{second}/{first} time {what}: {comparison.time_ratio:.2f}x '
          f'(median of {pairs} of runs, after a warm-up pair;')
    if each:
        print('  imports and data generation excluded)')
    else:
        print('  not the training alone: what each Timer timed. Run by '
              "hand, it was one cold run; time each\n  epoch's minibatches "
              'alone, as linreg_*.py do, with timer.start() and '
              'timer.stop() around them)')
