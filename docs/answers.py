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


def as_code(argv):
    return '`' + ' '.join(argv) + '`' if argv else ''


def losses(result):
    """A run's loss per epoch, as the tables show it."""
    return ', '.join(g(v, 3) for v in result['loss_per_epoch'])


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
                       ('variance 1000 (en 1.0 3.4 ex. 1): std 31.6',
                        ('--init-std', '31.6'))):
        rows.append([text, as_code(argv), *(
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
        rows.append([text, as_code(argv),
                     *(losses(r) for r in both),
                     *(fixed(r['mse']) for r in both)])
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
    """Batch sizes and the data size; the MSE to 5 digits, where the two
    float32 computations of it (ours, the script's loss) agree."""
    rows = []
    for text, argv in (
            ('batch 1000: one full batch a step', ('--batch-size', '1000')),
            ('batch 300: the last batch holds 100, `sgd` still divides by '
             '300', ('--batch-size', '300')),
            ('500 examples: 150 steps', ('--num-examples', '500'))):
        rows.append([text, as_code(argv), *(
            f'{g(r["mse"], 5)} / {g(worst(r), 2)}'
            for r in runs.both(*argv).values())])
    argv = ('--reduction', 'sum', '--lr', '0.003')
    rows.append(['sum, lr / batch size (zh 3.3 ex. 1)', as_code(argv), '-',
                 f'{g(runs.one("concise", *argv)["mse"], 5)} (the mean run: '
                 f'{g(runs.both()["concise"]["mse"], 5)})'])
    return table(['run', 'flags', 'scratch: final MSE / largest w error',
                  'concise: the same'], rows)


# Each line of `sgd` and of the loops, removed or changed as learners do:
# (script, [(the chapter's line, what it becomes; '': removed)], the edit)
STEP = 'param -= lr * param.grad / batch_size'
SHUFFLE = ('random.shuffle(indices)', '')
EDITS = [
    ('scratch', [(STEP, STEP.replace('-=', '+='))], '`+=`: uphill'),
    ('scratch', [(STEP, STEP.replace(' / batch_size', ''))],
     'no `/ batch_size`'),
    ('scratch', [(STEP, STEP.replace('param -=', 'param = param -'))],
     '`param = param - ...`'),
    ('scratch', [('with torch.no_grad():', 'if True:')],
     'no `with torch.no_grad():` in `sgd`'),
    ('scratch', [('param.grad.zero_()', '')], 'no `grad.zero_()`'),
    ('scratch', [('l.sum().backward()', 'l.backward()')], 'no `.sum()`'),
    ('scratch', [SHUFFLE], 'no `random.shuffle` (the data are drawn in '
                           'random order)'),
    ('scratch', [SHUFFLE, ('batch_size = args.batch_size',
                           'batch_size = args.batch_size; order = '
                           'labels.reshape(-1).argsort(); features, labels '
                           '= features[order], labels[order]')],
     'no `random.shuffle`, the examples sorted by label (en 1.0 3.4 ex. 9)'),
    ('concise', [('trainer.zero_grad()', '')], 'no `trainer.zero_grad()`'),
]


def edited_run(name, lines, text):
    """The result of linreg_{name}.py with its `lines` changed (edits made
    in memory, as the runners make them): the losses and errors of the
    run, or its error and the hint for it."""
    from bench import hints, runner
    changes = [(old, lambda _, new=new: new, text) for old, new in lines]
    try:
        result = runner.run(name, changes=changes).results()
    except Exception as error:
        line = f'`{type(error).__name__}: {str(error).split(". ")[0]}`'
        hint = hints.hint(error)
        return line + (f'; hint: {hint}' if hint else '')
    if result.get('diverged_at_epoch'):
        return (f'losses {losses(result)}: diverged at epoch '
                f'{result["diverged_at_epoch"]}')
    return f'losses {losses(result)}; largest w error {g(worst(result), 2)}'


def gen_remove_it(runs):
    """What each edit of EDITS does, from a run of the edited script."""
    rows = [[f'linreg_{name}.py', text, edited_run(name, lines, text)]
            for name, lines, text in EDITS]
    book = runs.both()
    rows.append(['both, as the book has them', '', '; '.join(
        f'{n}: losses {losses(r)}' for n, r in book.items())])
    return table(['script', 'the edit', 'what happens (seed 0, 3 epochs)'],
                 rows)


def edits_made(name, argv):
    """The edits that the flags `argv` make to linreg_{name}.py."""
    from bench import edits, runner
    options, _ = runner.split(argv)
    with open(runner.script_file(name), encoding='utf-8') as f:
        source = f.read()
    return edits.apply(source, edits.wanted(name, options))[1]


def gen_edits(runs):
    """Each variant's edit, as the runners make it and print it."""
    from bench import edits
    rows = []
    for argv in (['--init', 'zeros'], ['--loss', 'huber'], ['--loss', 'abs'],
                 ['--huber-sigma', '0.5', '--loss', 'huber'],
                 ['--reduction', 'sum'], ['--outlier', '10000'],
                 ['--device', 'cuda']):
        cells = []
        for name in ('scratch', 'concise'):
            try:
                made = edits_made(name, argv)
            except edits.Failed:  # the concise's flag alone
                made = []
            cells.append('<br>'.join(f'{e.lineno}: `{e.new.strip()}`'
                                     for e in made) or '-')
        rows.append([as_code(argv), *cells])
    return table(['flag', 'linreg_scratch.py: line, as edited',
                  'linreg_concise.py: the same'], rows)


GENERATORS = {
    'edits': gen_edits,
    'huber-edit': lambda runs: '`# edit: {}`'.format(edits_made(
        'concise', ['--loss', 'huber'])[0].shown('linreg_concise.py')),
    'remove-it': gen_remove_it,
    'lr-sweep': gen_lr_sweep, 'inits': gen_inits, 'losses': gen_losses,
    'outlier': gen_outlier, 'more': gen_more,
    'epochs-sweep': lambda runs: fence(runs.sweep('num-epochs', '--values',
                                                  '1,3,10')),
}
