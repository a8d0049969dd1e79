"""The exercises' tables in docs/exercises.md and the README, made from real
runs by docs/generate.py: `GENERATORS` maps a region's name to a function
of generate.py's `Runs` (`both(*argv)`: each script's `Run` with `argv`;
`sweep(*argv)`: what sweep.py prints)."""


def table(header, rows):
    lines = [header, ['---'] * len(header), *rows]
    return '\n' + '\n'.join('| ' + ' | '.join(str(c) for c in row) + ' |'
                            for row in lines) + '\n'


def fence(text):
    return '\n```\n' + text.rstrip('\n') + '\n```\n'


def g(value, digits=2):
    return f'{value:.{digits}g}'


def losses(run):
    """A run's loss per epoch, as the tables show it."""
    return ', '.join(g(v, 3) for v in run.loss_per_epoch)


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
    return (f'losses {losses(run)}; largest w error '
            f'{g(max(abs(e) for e in run.w_error))}')


def gen_remove_it(runs):
    rows = [[f'linreg_{name}.py', text, edited_run(name, lines, text)]
            for name, lines, text in EDITS]
    rows.append(['both, as the book has them', '', '; '.join(
        f'{name}: losses {losses(run)}' for name, run in runs.both().items())])
    return table(['script', 'the edit', 'what happens (seed 0, 3 epochs)'],
                 rows)


# The tables that are sweeps: each block is the command and what it prints
SWEEPS = {
    'inits': 'init-std --values 0,0.01,31.6',
    'batch-sizes': 'batch-size --values 10,300,1000',
    'sum': 'lr --impl concise --reduction sum --values 0.003,0.03',
    'lr-sweep': 'lr --values 0.001,0.01,0.03,0.3,1,3',
    'losses': 'loss', 'outlier': 'loss --outlier 10000',
    'epochs-sweep': 'num-epochs --values 1,3,10',
}


def gen_sweep(argv):
    return lambda runs: fence(f'$ python sweep.py {argv}\n'
                              + runs.sweep(*argv.split()))


GENERATORS = {
    'huber-edit': lambda runs: '`# edit: {}`'.format(
        runs.both('--loss', 'huber')['concise'].edits[0]),
    'remove-it': gen_remove_it,
    **{name: gen_sweep(argv) for name, argv in SWEEPS.items()},
}
