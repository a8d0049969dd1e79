"""Change it and see, `python exercises/remove_it.py`: each row of ROWS (the
script, what it shows in English and in Chinese, each edit `the book's =>
yours`, nothing after `=>`: removed) runs a copy of the script, watched."""
import os
import shutil
import sys
import tempfile
from pathlib import Path

HERE = str(Path(__file__).resolve().parents[1])
sys.path.insert(0, HERE)
from bench import faults, runner  # noqa: E402
from bench.text import LANGUAGE, _  # noqa: E402

ROWS = '''
scratch | `+=`: uphill | `+=`：沿梯度往上坡走 | param -= => param +=
scratch | no `/ batch_size` | 去掉 `/ batch_size` | / batch_size =>
scratch | no `/ batch_size`, at batch 100 | 去掉 `/ batch_size`，批量大小为 100 | / batch_size => | batch_size = args.batch_size => batch_size = 100
scratch | `l.mean()` while `sgd` still divides (d2l-en #1000) | 用 `l.mean()`，而 `sgd` 仍然除以批量大小（d2l-en #1000） | l.sum() => l.mean()
scratch | `param = param - ...` | 改成 `param = param - ...` | param -= => param = param -
scratch | no `with torch.no_grad():` in `sgd` | `sgd` 中去掉 `with torch.no_grad():` | with torch.no_grad(): => if True:
scratch | no `grad.zero_()` | 去掉 `grad.zero_()` | param.grad.zero_() =>
scratch | no `.sum()` | 去掉 `.sum()` | l.sum().backward() => l.backward()
scratch | no `random.shuffle` (the data are drawn in random order) | 去掉 `random.shuffle`（数据本来就是按随机顺序生成的） | random.shuffle(indices) =>
scratch | no `random.shuffle`, the examples sorted by label (en 1.0 3.4 ex. 9) | 去掉 `random.shuffle`，并把样本按标签排序（en 1.0 3.4 练习 9） | random.shuffle(indices) => | batch_size = args.batch_size => batch_size = args.batch_size; order = labels.reshape(-1).argsort(); features, labels = features[order], labels[order]
scratch | labels of shape (n,), not (n, 1) | 标签的形状为 (n,)，而不是 (n, 1) | y.reshape((-1, 1)) => y
scratch | labels of shape (n,), and no `reshape` in `squared_loss` | 标签的形状为 (n,)，且去掉 `squared_loss` 中的 `reshape` | y.reshape((-1, 1)) => y | y.reshape(y_hat.shape) => y
concise | no `trainer.zero_grad()` | 去掉 `trainer.zero_grad()` | trainer.zero_grad() =>
concise | the sum, `nn.MSELoss(reduction='sum')` (zh 3.3 ex. 1) | 用总和：`nn.MSELoss(reduction='sum')`（zh 3.3 练习 1） | nn.MSELoss() => nn.MSELoss(reduction='sum')
concise | the sum, at lr / batch_size | 用总和，学习率取 lr / batch_size | nn.MSELoss() => nn.MSELoss(reduction='sum') | lr=args.lr) => lr=args.lr / args.batch_size)
concise | Huber's loss, `nn.SmoothL1Loss()` (zh 3.3 ex. 2) | Huber 损失：`nn.SmoothL1Loss()`（zh 3.3 练习 2） | MSELoss => SmoothL1Loss
concise | Huber's loss, 10 epochs | Huber 损失，训练 10 个迭代周期 | MSELoss => SmoothL1Loss | num_epochs = args.num_epochs => num_epochs = 10
concise | the absolute loss, `nn.L1Loss()` (en 1.0 3.4 ex. 8) | 绝对值损失：`nn.L1Loss()`（en 1.0 3.4 练习 8） | MSELoss => L1Loss
concise | one bad label, `labels[5] = 10000` | 一个异常标签：`labels[5] = 10000` | num_examples) => num_examples); labels[5] = 10000
concise | one bad label, and Huber's loss, `nn.SmoothL1Loss()` | 一个异常标签，再用 Huber 损失 `nn.SmoothL1Loss()` | num_examples) => num_examples); labels[5] = 10000 | MSELoss => SmoothL1Loss
concise | one bad label, and the absolute loss, `nn.L1Loss()` | 一个异常标签，再用绝对值损失 `nn.L1Loss()` | num_examples) => num_examples); labels[5] = 10000 | MSELoss => L1Loss
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
        lines = [line for line in lines if not line.startswith(
            f'linreg_{name}.py: ')]  # its hint
        return f'`{lines[-1]}`'  # the error's own line
    mse = ', '.join(f'{value:.3g}' for value in run.mse_per_epoch)
    error = max(abs(t - w) for t, w in zip(run.true_w, run.w))
    return _('MSE {0}; largest w error {1:.2g}', mse, error)


def main(folder):
    shutil.copy(os.path.join(HERE, 'timer.py'), folder)
    print(_('| script | the edit | the MSE after each epoch, the largest w '
            'error |'))
    print('| --- | --- | --- |')
    for row in ROWS.strip().splitlines():
        name, what, zh, *edits = row.split(' | ')
        what = zh if LANGUAGE == 'zh' else what
        happens = what_happens(name, edits, folder)
        print(f'| linreg_{name}.py | {what} | {happens} |')


if __name__ == '__main__':
    with tempfile.TemporaryDirectory() as copies:
        main(copies)
