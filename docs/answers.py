"""The exercises' tables in docs/exercises.md and the README, made from real
runs by docs/generate.py: `GENERATORS` maps a region's name to a function
of generate.py's `Runs` (`both(*argv)`: each script's `Run` with `argv`,
`one(name, *argv)`, `sweep(*argv)`: sweep.py's output)."""


def table(header, rows):
    lines = [header, ['---'] * len(header), *rows]
    return '\n' + '\n'.join('| ' + ' | '.join(str(c) for c in row) + ' |'
                            for row in lines) + '\n'


def fence(text):
    return '\n```\n' + text.rstrip('\n') + '\n```\n'


def g(value, digits=2):
    return f'{value:.{digits}g}'


def worst(run, keys=('w_error',)):
    """The largest error in w (or in w and b) of a run, or 'diverged'."""
    if run.diverged_at_epoch:
        return 'diverged'
    return g(max(abs(e) for key in keys for e in getattr(run, key)))


def losses(run):
    """A run's loss per epoch, as the tables show it."""
    return ', '.join(g(v, 3) for v in run.loss_per_epoch)


def variants(runs, header, cases, cell):
    """A row per (label, argv) of `cases`: the label, the flags, and
    `cell(run)` of each script run with them."""
    return table(['run', 'flags', *header], [
        [label, '`' + ' '.join(argv) + '`' if argv else '',
         *(cell(run) for run in runs.both(*argv).values())]
        for label, argv in cases])


def gen_inits(runs):
    return variants(runs, ['scratch: epoch-1 loss / largest w error',
                           'concise: the same'], [
        ('the book: N(0, 0.01)', ()),
        ('zeros (zh 3.2 ex. 1)', ('--init', 'zeros')),
        ('variance 1000 (en 1.0 3.4 ex. 1): std 31.6',
         ('--init-std', '31.6'))],
        lambda run: f'{g(run.loss_per_epoch[0], 3)} / {worst(run)}')


def gen_losses(runs):
    return variants(runs, ['scratch: loss per epoch (final MSE)',
                           'concise: the same'], [
        ("squared (the book's)", ()), ('Huber, sigma 1', ('--loss', 'huber')),
        ('Huber, 5 epochs', ('--loss', 'huber', '--num-epochs', '5')),
        ('absolute', ('--loss', 'abs'))],
        lambda run: f'{losses(run)} ({run.mse:.6f})')


def gen_outlier(runs):
    from bench import runner
    fit = runner.least_squares(runs.one('scratch', '--outlier', '10000'))
    lstsq = max(abs(e) for e in fit['w_error'] + fit['b_error'])
    return variants(runs, ['scratch: max error in w or b',
                           'concise: the same'], [
        (f'{loss}, {data}', ('--loss', loss, *extra))
        for loss in ('squared', 'abs', 'huber')
        for data, extra in (('clean', ()), ('`y[5] = 10000`',
                                            ('--outlier', '10000')))],
        lambda run: worst(run, ('w_error', 'b_error'))) + (
        f'\n(The lstsq fit itself, on the data with the outlier: max error '
        f'{g(lstsq)}.)\n')


def gen_more(runs):
    """Batch sizes and the data size; the MSE to 5 digits, where the two
    float32 computations of it (ours, the script's loss) agree."""
    text = variants(runs, ['scratch: final MSE / largest w error',
                           'concise: the same'], [
        ('batch 1000: one full batch a step', ('--batch-size', '1000')),
        ('batch 300: the last batch holds 100, `sgd` still divides by 300',
         ('--batch-size', '300')),
        ('500 examples: 150 steps', ('--num-examples', '500'))],
        lambda run: f'{g(run.mse, 5)} / {worst(run)}')
    summed = runs.one('concise', '--reduction', 'sum', '--lr', '0.003')
    return text + (f'| sum, lr / batch size (zh 3.3 ex. 1) | `--reduction '
                   f'sum --lr 0.003` | - | {g(summed.mse, 5)} (the mean '
                   f'run: {g(runs.both()["concise"].mse, 5)}) |\n')


def gen_lr_sweep(runs):
    """`sweep.py lr`, less the rows of 0.003 and 0.1 and of lstsq (each
    point is a fresh run, so the rows are the full grid's)."""
    lines = runs.sweep('lr', '--values', '0.001,0.01,0.03,0.3,1,3')
    return fence('\n'.join(line for line in lines.splitlines()
                           if 'lstsq' not in line))


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
    """What linreg_{name}.py does with its `lines` changed in memory: its
    losses and error, or its error and the hint for it."""
    from bench import hints, runner
    changes = [(old, lambda _, new=new: new, text) for old, new in lines]
    try:
        run = runner.run(name, changes=changes)
    except Exception as error:
        hint = hints.hint(error)
        return (f'`{type(error).__name__}: {str(error).split(". ")[0]}`'
                + (f'; hint: {hint}' if hint else ''))
    if run.diverged_at_epoch:
        return (f'losses {losses(run)}: diverged at epoch '
                f'{run.diverged_at_epoch}')
    return f'losses {losses(run)}; largest w error {worst(run)}'


def gen_remove_it(runs):
    rows = [[f'linreg_{name}.py', text, edited_run(name, lines, text)]
            for name, lines, text in EDITS]
    rows.append(['both, as the book has them', '', '; '.join(
        f'{name}: losses {losses(run)}' for name, run in runs.both().items())])
    return table(['script', 'the edit', 'what happens (seed 0, 3 epochs)'],
                 rows)


def edits_made(name, argv):
    """The edits that the flags `argv` make to linreg_{name}.py."""
    from bench import edits, runner
    with open(runner.script_file(name), encoding='utf-8') as f:
        source = f.read()
    options = runner.split(argv)[0]
    try:
        return edits.apply(source, edits.wanted(name, options))[1]
    except edits.Failed:  # the concise's flag alone
        return []


def gen_edits(runs):
    """Each variant's edit, as the runners make it and print it."""
    rows = []
    for argv in (['--init', 'zeros'], ['--loss', 'huber'], ['--loss', 'abs'],
                 ['--huber-sigma', '0.5', '--loss', 'huber'],
                 ['--reduction', 'sum'], ['--outlier', '10000'],
                 ['--device', 'cuda']):
        cells = ['<br>'.join(f'{e.lineno}: `{e.new.strip()}`'
                             for e in edits_made(name, argv)) or '-'
                 for name in ('scratch', 'concise')]
        rows.append(['`' + ' '.join(argv) + '`', *cells])
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
