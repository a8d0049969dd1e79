"""Linear regression from scratch, d2l zh 2.0 / en 0.17 3.2 (en 1.0 3.4:
docs/en-1.0.md): `python -i linreg_scratch.py`, then look at `w`, `b`."""
import argparse
import os
import sys

main_module = sys.modules['__main__']  # see the scatter plot's cell
# The book's numbers as flags, read first (a kernel's or an editor's cells
# have the kernel's command line, not the script's: there, the book's)
parser = argparse.ArgumentParser(allow_abbrev=False)
for flag, default in [('--num-examples', 1000), ('--batch-size', 10),
                      ('--lr', 0.03), ('--num-epochs', 3), ('--seed', 0),
                      ('--init-std', 0.01)]:
    book = 'none; %(default)s here' if flag == '--seed' else '%(default)s'
    parser.add_argument(flag, type=type(default), default=default,
                        help=f"the book's: {book}")
locale = (os.environ.get('LANGUAGE') or os.environ.get('LC_ALL')  # gettext's
          or os.environ.get('LC_MESSAGES') or os.environ.get('LANG', ''))
language = 'zh' if locale.startswith('zh') else 'en'
parser.add_argument('--lang', choices=['en', 'zh'], default=language,
                    help='the labels of zh 2.0 or en 0.17')
as_script = os.path.basename(sys.argv[0]) == os.path.basename(
    globals().get('__file__', ''))
args = parser.parse_args(sys.argv[1:] if as_script else [])

# %% [markdown]
# # 3.2 线性回归的从零开始实现 / Linear Regression Implementation from Scratch

# %%
# %matplotlib inline
from d2l import torch as d2l
import torch
import random

from timer import Timer

# %% [markdown]
# ## 3.2.1 生成数据集 / Generating the Dataset


# %%
def synthetic_data(w, b, num_examples):  #@save
    """Generate y = Xw + b + noise."""  # 生成y=Xw+b+噪声
    X = torch.normal(0, 1, (num_examples, len(w)))
    y = torch.matmul(X, w) + b
    y += torch.normal(0, 0.01, y.shape)
    return X, y.reshape((-1, 1))


# %%
random.seed(args.seed)
torch.manual_seed(args.seed)
true_w = torch.tensor([2, -3.4])
true_b = 4.2
features, labels = synthetic_data(true_w, true_b, args.num_examples)

# %%
print('features:', features[0], '\nlabel:', labels[0])

# %%
d2l.set_figsize()
# The semicolon is for displaying the plot only
d2l.plt.scatter(features[:, 1].detach().numpy(), labels.detach().numpy(), 1);
# `d2l.set_figsize()`'s IPython shell took `__main__`: back, for `python -i`
sys.modules['__main__'], sys.ps1, sys.ps2 = main_module, '>>> ', '... '

# %% [markdown]
# ## 3.2.2 读取数据集 / Reading the Dataset


# %%
def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = list(range(num_examples))
    # The examples are read at random, in no particular order
    random.shuffle(indices)  # 这些样本是随机读取的，没有特定的顺序
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(
            indices[i: min(i + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]


# %%
batch_size = args.batch_size

for X, y in data_iter(batch_size, features, labels):
    print(X, '\n', y)
    break

# %% [markdown]
# ## 3.2.3 初始化模型参数 / Initializing Model Parameters

# %%
w = torch.normal(0, args.init_std, size=(2, 1), requires_grad=True)
b = torch.zeros(1, requires_grad=True)

# %% [markdown]
# ## 3.2.4 定义模型 / Defining the Model


# %%
def linreg(X, w, b):  #@save
    """The linear regression model."""  # 线性回归模型
    return torch.matmul(X, w) + b

# %% [markdown]
# ## 3.2.5 定义损失函数 / Defining the Loss Function


# %%
def squared_loss(y_hat, y):  #@save
    """Squared loss."""  # 均方损失
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2

# %% [markdown]
# ## 3.2.6 定义优化算法 / Defining the Optimization Algorithm


# %%
def sgd(params, lr, batch_size):  #@save
    """Minibatch stochastic gradient descent."""  # 小批量随机梯度下降
    with torch.no_grad():
        for param in params:
            param -= lr * param.grad / batch_size
            param.grad.zero_()

# %% [markdown]
# ## 3.2.7 训练 / Training


# %%
lr = args.lr
num_epochs = args.num_epochs
net = linreg
loss = squared_loss

# %%
timer = Timer()
for epoch in range(num_epochs):
    timer.start()
    for X, y in data_iter(batch_size, features, labels):
        l = loss(net(X, w, b), y)  # Minibatch loss in `X` and `y`  # X和y的小批量损失
        # Compute gradient on `l` with respect to [`w`, `b`]
        # 因为l形状是(batch_size,1)，而不是一个标量。l中的所有元素被加到一起，
        # 并以此计算关于[w,b]的梯度
        l.sum().backward()
        sgd([w, b], lr, batch_size)  # Update parameters using their gradient
        # 使用参数的梯度更新参数
    timer.stop()
    with torch.no_grad():
        train_l = loss(net(features, w, b), labels)
        print(f'epoch {epoch + 1}, loss {float(train_l.mean()):f}')

# %%
if args.lang == 'zh':
    print(f'w的估计误差: {true_w - w.reshape(true_w.shape)}')
    print(f'b的估计误差: {true_b - b}')
else:
    print(f'error in estimating w: {true_w - w.reshape(true_w.shape)}')
    print(f'error in estimating b: {true_b - b}')

# %%
print(f'{timer.sum():.3f} sec training, {len(timer.times)} epochs '
      '(imports and data generation excluded)')
