"""The exercises' tables in docs/exercises.md and the README, each made
from real runs by docs/generate.py (`GENERATORS`: NAME -> function(runs)
-> the text between `<!-- gen:NAME -->` and `<!-- /gen -->`). `runs` is
docs/generate.py's `Runs`: `both(*argv)` runs both scripts with `argv`,
`one(name, *argv)` one of them, `sweep(*argv)` sweep.py; each hands back
the results that `--json` prints.
"""


def table(header, rows):
    lines = ['| ' + ' | '.join(header) + ' |',
             '| ' + ' | '.join('---' for _ in header) + ' |']
    lines += ['| ' + ' | '.join(str(c) for c in row) + ' |' for row in rows]
    return '\n' + '\n'.join(lines) + '\n'


def worst(result, keys=('w_error',)):
    """The largest error in w (or in w and b) of a run, or 'diverged'."""
    if result.get('diverged_at_epoch'):
        return 'diverged'
    return max(abs(e) for key in keys for e in result[key])


def g(value, digits=2):
    return f'{value:.{digits}g}' if isinstance(value, float) else value


def fixed(value):
    return f'{value:.6f}' if isinstance(value, float) else value


def flags(argv):
    return '`' + ' '.join(argv) + '`' if argv else ''


def fence(text):
    return '\n```\n' + text.rstrip('\n') + '\n```\n'


def gen_lr_sweep(runs):
    """`sweep.py lr`, less the rows of 0.003 and 0.1 and of lstsq. Each
    point is a fresh run, so the grid less those two prints the same rows
    (tests/test_sweep.py), in less time."""
    import sweep
    shown = [f'{lr:g}' for lr in sweep.GRIDS['lr'] if lr not in (0.003, 0.1)]
    lines = runs.sweep('lr', '--values', ','.join(shown)).splitlines()
    return fence('\n'.join([lines[0]] + [line for line in lines[1:]
                                         if line.split()[1] != 'lstsq']))


def gen_inits(runs):
    rows = []
    for text, argv in (('the book: N(0, 0.01)', ()),
                       ('zeros (zh 3.2 ex. 1)', ('--init', 'zeros')),
                       ('variance 1000 (en 3.2): std 31.6',
                        ('--init-std', '31.6'))):
        rows.append([text, flags(argv), *(
            f'{g(r["loss_per_epoch"][0], 3)} / {g(worst(r), 2)}'
            for r in runs.both(*argv).values())])
    return table(['init', 'flags', 'scratch: epoch-1 loss / largest w error',
                  'concise: the same'], rows)


def gen_losses(runs):
    rows = []
    for text, argv in (('squared (the book\'s)', ()),
                       ('Huber, sigma 1', ('--loss', 'huber')),
                       ('Huber, sigma 1, 5 epochs',
                        ('--loss', 'huber', '--num-epochs', '5')),
                       ('absolute', ('--loss', 'abs'))):
        both = runs.both(*argv).values()
        rows.append([text, flags(argv),
                     *(', '.join(g(v, 3) for v in r['loss_per_epoch'])
                       for r in both), *(fixed(r['mse']) for r in both)])
    return table(['loss', 'flags', 'scratch: loss per epoch',
                  'concise: loss per epoch', 'scratch: final MSE',
                  'concise: final MSE'], rows)


def gen_outlier(runs):
    from bench import runner
    rows = []
    for loss in ('squared', 'abs', 'huber'):
        for text, extra in (('clean', ()),
                            ('`y[5] = 10000`', ('--outlier', '10000'))):
            rows.append([loss, text, *(
                g(worst(r, ('w_error', 'b_error')), 2)
                for r in runs.both('--loss', loss, *extra).values())])
    fit = runner.least_squares(runner.run('scratch', argv=[
        '--outlier', '10000', '--num-epochs', '1']))
    lstsq = max(abs(e) for e in fit['w_error'] + fit['b_error'])
    return (table(['loss', 'data', 'scratch: max error in w or b',
                   'concise: the same'], rows)
            + f'\n(The lstsq fit itself, on the data with the outlier: max '
              f'error {g(lstsq, 2)}.)\n')


def gen_more(runs):
    rows = []
    for text, argv in (
            ('batch 1000: one full batch a step', ('--batch-size', '1000')),
            ('batch 5000: one short batch, divided by 5000',
             ('--batch-size', '5000')),
            ('500 examples: 150 steps', ('--num-examples', '500'))):
        rows.append([text, flags(argv), *(
            f'{fixed(r["mse"])} / {g(worst(r), 2)}'
            for r in runs.both(*argv).values())])
    argv = ('--reduction', 'sum', '--lr', '0.003')
    rows.append(['sum, lr / batch size (zh 3.3 ex. 1)', flags(argv), '-',
                 f'{fixed(runs.one("concise", *argv)["mse"])} (the mean run: '
                 f'{fixed(runs.both()["concise"]["mse"])})'])
    return table(['run', 'flags', 'scratch: final MSE / largest w error',
                  'concise: the same'], rows)


GENERATORS = {
    'lr-sweep': gen_lr_sweep, 'inits': gen_inits, 'losses': gen_losses,
    'outlier': gen_outlier, 'more': gen_more,
    'epochs-sweep': lambda runs: fence(runs.sweep('num-epochs', '--values',
                                                  '1,3,10')),
}
