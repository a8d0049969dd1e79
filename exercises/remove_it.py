"""Remove it and see: what is each line of `sgd` and of the training loop
for, and what does one bad label do (en 1.0 3.4 ex. 8)? Each row runs a
copy of linreg_scratch.py or linreg_concise.py with a line changed the way
learners change it, seed 0, 3 epochs.

    python exercises/remove_it.py                    # every row
    python exercises/remove_it.py --only sum         # the rows that say so

Add a row of your own to ROWS: the script, each line as the book has it
and as you would change it (an empty line removes it), a name, and the
script's flags. Under `python -m bench`, each error below also gets its
hint.
"""
# %%
import argparse
import contextlib
import io
import os
import runpy
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
STEP = 'param -= lr * param.grad / batch_size'
NO_DIVISION = (STEP, STEP.replace(' / batch_size', ''))
SHUFFLE = ('random.shuffle(indices)', '')
FLAT = ('return X, y.reshape((-1, 1))', 'return X, y')
DATA = 'd2l.synthetic_data(true_w, true_b, args.num_examples)'
BAD_CONCISE = (DATA, DATA + '; labels[5] = 10000')
ROWS = [
    ('scratch', [(STEP, STEP.replace('-=', '+='))], '`+=`: uphill', []),
    ('scratch', [NO_DIVISION], 'no `/ batch_size`', []),
    ('scratch', [NO_DIVISION], 'no `/ batch_size`', ['--batch-size', '100']),
    ('scratch', [NO_DIVISION], 'no `/ batch_size`', ['--batch-size', '1000']),
    ('scratch', [('l.sum().backward()', 'l.mean().backward()')],
     '`l.mean()` while `sgd` still divides (d2l-en #1000)', []),
    ('scratch', [(STEP, STEP.replace('param -=', 'param = param -'))],
     '`param = param - ...`', []),
    ('scratch', [('with torch.no_grad():', 'if True:')],
     'no `with torch.no_grad():` in `sgd`', []),
    ('scratch', [('param.grad.zero_()', '')], 'no `grad.zero_()`', []),
    ('scratch', [('l.sum().backward()', 'l.backward()')], 'no `.sum()`', []),
    ('scratch', [SHUFFLE], 'no `random.shuffle` (the data are drawn in '
     'random order)', []),
    ('scratch', [SHUFFLE, ('batch_size = args.batch_size',
                           'batch_size = args.batch_size; order = '
                           'labels.reshape(-1).argsort(); features, labels '
                           '= features[order], labels[order]')],
     'no `random.shuffle`, the examples sorted by label (en 1.0 3.4 ex. 9)',
     []),
    ('scratch', [FLAT], 'labels of shape (n,), not (n, 1)', []),
    ('scratch', [FLAT, ('(y_hat - y.reshape(y_hat.shape))', '(y_hat - y)')],
     'labels of shape (n,), and no `reshape` in `squared_loss`', []),
    ('concise', [('trainer.zero_grad()', '')], 'no `trainer.zero_grad()`',
     []),
    ('concise', [BAD_CONCISE], 'one bad label, `labels[5] = 10000`', []),
    ('concise', [BAD_CONCISE, ('nn.MSELoss()', 'nn.SmoothL1Loss()')],
     "one bad label, and Huber's loss, `nn.SmoothL1Loss()`", []),
    ('concise', [BAD_CONCISE, ('nn.MSELoss()', 'nn.L1Loss()')],
     'one bad label, and the absolute loss, `nn.L1Loss()`', []),
]


# %% A row: the script copied beside timer.py, edited, run as `python`
def run_edited(name, lines, argv):
    """The namespace and printed lines of linreg_{name}.py with `lines`
    (the book's, the learner's) changed, run with `argv`."""
    script = os.path.join(os.path.dirname(HERE), f'linreg_{name}.py')
    with open(script, encoding='utf-8') as f:
        source = f.read()
    for old, new in lines:
        assert old in source, old
        source = source.replace(old, new)
    path = os.path.join(tempfile.mkdtemp(), os.path.basename(script))
    with open(path, 'w', encoding='utf-8') as f:
        f.write(source)
    out, saved = io.StringIO(), sys.argv
    sys.argv = [path, *argv]
    sys.path.insert(0, os.path.dirname(script))  # its timer.py
    try:
        with contextlib.redirect_stdout(out):
            ns = runpy.run_path(path, run_name='__main__')
    finally:
        sys.argv = saved
        sys.path.remove(os.path.dirname(script))
    return ns, out.getvalue().splitlines()


def what_happens(name, lines, argv):
    """The losses it printed and its largest error in w, or its error."""
    try:
        ns, printed = run_edited(name, lines, argv)
    except Exception as error:
        return f'`{type(error).__name__}: {str(error).split(". ")[0]}`'
    losses = [float(line.split()[-1]) for line in printed
              if line.startswith('epoch ')]
    w = ns['net'][0].weight if name == 'concise' else ns['w']
    error = (ns['true_w'] - w.detach().reshape(-1)).abs().max()
    shown = ', '.join(f'{loss:.3g}' for loss in losses)
    return f'losses {shown}; largest w error {float(error):.2g}'


# %% The table, a row a run, in Markdown
parser = argparse.ArgumentParser(allow_abbrev=False)
parser.add_argument('--only', default='',
                    help='the rows whose edit names this word')
args = parser.parse_args()
print('| script | the edit | what happens (seed 0, 3 epochs) |')
print('| --- | --- | --- |')
for name, lines, what, argv in ROWS:
    if args.only in what:
        flags = f' (`{" ".join(argv)}`)' if argv else ''
        print(f'| linreg_{name}.py | {what}{flags} | '
              f'{what_happens(name, lines, argv)} |')
