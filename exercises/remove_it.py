"""Remove it and see: what is each line of `sgd` and of the training loop
for, and what does one bad label do (en 1.0 3.4 ex. 8)? Each row is a copy
of linreg_scratch.py or linreg_concise.py with a line changed as learners
change it, run and read as compare.sh runs and reads a script: its MSE on
all the data after each epoch, and its error in w.

    python exercises/remove_it.py                # every row
    python exercises/remove_it.py --only sum     # the rows that say so

A row of your own, in ROWS: the script, what the row shows, and each edit,
`the book's text => yours` (nothing after `=>` removes it).
"""
import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

HERE = str(Path(__file__).resolve().parents[1])
sys.path.insert(0, HERE)
from bench import faults, runner  # noqa: E402

ROWS = '''
scratch | `+=`: uphill | param -= => param +=
scratch | no `/ batch_size` | / batch_size =>
scratch | no `/ batch_size`, at batch 100 | / batch_size => \
| batch_size = args.batch_size => batch_size = 100
scratch | `l.mean()` while `sgd` still divides (d2l-en #1000) | l.sum() => l.mean()
scratch | `param = param - ...` | param -= => param = param -
scratch | no `with torch.no_grad():` in `sgd` | with torch.no_grad(): => if True:
scratch | no `grad.zero_()` | param.grad.zero_() =>
scratch | no `.sum()` | l.sum().backward() => l.backward()
scratch | no `random.shuffle` (the data are drawn in random order) | \
random.shuffle(indices) =>
scratch | no `random.shuffle`, the examples sorted by label (en 1.0 3.4 ex. 9) \
| random.shuffle(indices) => | batch_size = args.batch_size => batch_size = \
args.batch_size; order = labels.reshape(-1).argsort(); features, labels = \
features[order], labels[order]
scratch | labels of shape (n,), not (n, 1) | y.reshape((-1, 1)) => y
scratch | labels of shape (n,), and no `reshape` in `squared_loss` | \
y.reshape((-1, 1)) => y | y.reshape(y_hat.shape) => y
concise | no `trainer.zero_grad()` | trainer.zero_grad() =>
concise | one bad label, `labels[5] = 10000` | num_examples) => \
num_examples); labels[5] = 10000
concise | one bad label, and Huber's loss, `nn.SmoothL1Loss()` | \
num_examples) => num_examples); labels[5] = 10000 | MSELoss => SmoothL1Loss
concise | one bad label, and the absolute loss, `nn.L1Loss()` | \
num_examples) => num_examples); labels[5] = 10000 | MSELoss => L1Loss
'''


def what_happens(name, edits, folder):
    """A copy of linreg_{name}.py with `edits` made, run: what happens."""
    with open(os.path.join(HERE, f'linreg_{name}.py'), encoding='utf-8') as f:
        source = f.read()
    for edit in edits:
        old, new = edit.split(' =>')
        assert old in source, old
        source = source.replace(old, new.strip(), 1)
    path = os.path.join(folder, f'linreg_{name}.py')
    with open(path, 'w', encoding='utf-8') as f:
        f.write(source)
    try:
        run = runner.Worker(runner.load(path)).ask('analyse')
    except faults.Failed as error:
        lines = str(error).strip().splitlines()
        lines = [line for line in lines if ': hint: ' not in line]
        return f'`{lines[-1]}`'  # the error's own line
    mse = ', '.join(f'{value:.3g}' for value in run.mse_per_epoch)
    error = max(abs(t - w) for t, w in zip(run.true_w, run.w))
    return f'MSE {mse}; largest w error {error:.2g}'


def main():
    parser = argparse.ArgumentParser(allow_abbrev=False)
    parser.add_argument('--only', default='',
                        help='the rows whose edit names this word')
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    shutil.copy(os.path.join(HERE, 'timer.py'), folder)
    print('| script | the edit | what happens (seed 0, 3 epochs) |')
    print('| --- | --- | --- |')
    for row in ROWS.strip().splitlines():
        name, what, *edits = row.split(' | ')
        if args.only in what:
            happens = what_happens(name, edits, folder)
            print(f'| linreg_{name}.py | {what} | {happens} |')
    shutil.rmtree(folder)


if __name__ == '__main__':
    main()
