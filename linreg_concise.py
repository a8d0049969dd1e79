"""Concise linear regression, d2l zh 2.0 / en 0.17 3.3 (en 1.0 3.5:
docs/en-1.0.md): `python -i linreg_concise.py`, then look at `net`."""
import argparse
import os
import sys

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
# # 3.3 线性回归的简洁实现 / Concise Implementation of Linear Regression

# %%
from d2l import torch as d2l
import numpy as np
import torch
from torch.utils import data

from timer import Timer

# %% [markdown]
# ## 3.3.1 生成数据集 / Generating the Dataset

# %%
torch.manual_seed(args.seed)
true_w = torch.tensor([2, -3.4])
true_b = 4.2
features, labels = d2l.synthetic_data(true_w, true_b, args.num_examples)

# %% [markdown]
# ## 3.3.2 读取数据集 / Reading the Dataset


# %%
def load_array(data_arrays, batch_size, is_train=True):  #@save
    """Construct a PyTorch data iterator."""  # 构造一个PyTorch数据迭代器
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)


# %%
batch_size = args.batch_size
data_iter = load_array((features, labels), batch_size)

# %%
print(next(iter(data_iter)))

# %% [markdown]
# ## 3.3.3 定义模型 / Defining the Model

# %%
# `nn` is an abbreviation for neural networks
# nn是神经网络的缩写
from torch import nn
net = nn.Sequential(nn.Linear(2, 1))

# %% [markdown]
# ## 3.3.4 初始化模型参数 / Initializing Model Parameters

# %%
net[0].weight.data.normal_(0, args.init_std)
net[0].bias.data.fill_(0)

# %% [markdown]
# ## 3.3.5 定义损失函数 / Defining the Loss Function

# %%
loss = nn.MSELoss()

# %% [markdown]
# ## 3.3.6 定义优化算法 / Defining the Optimization Algorithm

# %%
trainer = torch.optim.SGD(net.parameters(), lr=args.lr)

# %% [markdown]
# ## 3.3.7 训练 / Training

# %%
timer = Timer()
num_epochs = args.num_epochs
for epoch in range(num_epochs):
    timer.start()
    for X, y in data_iter:
        l = loss(net(X), y)
        trainer.zero_grad()
        l.backward()
        trainer.step()
    timer.stop()
    l = loss(net(features), labels)
    print(f'epoch {epoch + 1}, loss {l:f}')

# %%
w = net[0].weight.data
if args.lang == 'zh':
    print('w的估计误差：', true_w - w.reshape(true_w.shape))
else:
    print('error in estimating w:', true_w - w.reshape(true_w.shape))
b = net[0].bias.data
if args.lang == 'zh':
    print('b的估计误差：', true_b - b)
else:
    print('error in estimating b:', true_b - b)

# %%
print(f'{timer.sum():.3f} sec training, {len(timer.times)} epochs '
      '(imports and data generation excluded)')
