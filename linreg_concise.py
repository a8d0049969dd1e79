"""Concise linear regression: d2l zh 2.0 section 3.3, which is en 0.17
section 3.3 "Concise Implementation of Linear Regression" (en 1.0 writes
it with classes in section 3.5; docs/en-1.0.md maps the two).

    python linreg_concise.py            # prints what the chapter prints
    python -i linreg_concise.py         # ... then look at `net[0].weight`
    python linreg_concise.py --help     # the flags that change its numbers

The section's cells, at module level in the book's order; `# %%` starts
each (an editor runs them one at a time). Lines that mention `bench`, `lab`
or `args` are not the book's: `args` holds the book's numbers unless a flag
changes them; `lab` (bench/) records the run and never replaces a name.
`diff linreg_scratch.py linreg_concise.py` shows what the framework replaces.
"""
# %%
try:
    import bench
except ModuleNotFoundError:  # python -P or -I: this folder is off sys.path
    import os
    import sys
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import bench
# First, so that a fault, or Ctrl-C even during `import torch`, is one line
lab = bench.Lab('concise', globals())
args = lab.args

import torch  # noqa: E402
from torch.utils import data  # noqa: E402
from d2l import torch as d2l  # noqa: E402

# %% 3.3.1 生成数据集 / Generating the Dataset
torch.manual_seed(args.seed)  # Seed once, before the data are drawn
true_w = torch.tensor([2, -3.4])
true_b = 4.2
features, labels = d2l.synthetic_data(true_w, true_b, args.num_examples)
true_w, features, labels = lab.data(true_w, true_b, features, labels)


# %% 3.3.2 读取数据集 / Reading the Dataset
def load_array(data_arrays, batch_size, is_train=True):
    """Construct a PyTorch data iterator."""
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)


# %%
batch_size = args.batch_size
data_iter = load_array((features, labels), batch_size)

# %%
print(next(iter(data_iter)))

# %% 3.3.3 定义模型 / Defining the Model
# `nn` is an abbreviation for neural networks
from torch import nn  # noqa: E402

net = nn.Sequential(nn.Linear(2, 1))

# %% 3.3.4 初始化模型参数 / Initializing Model Parameters
net[0].weight.data.normal_(0, args.init_std)
net[0].bias.data.fill_(0)
net = lab.params(net)

# %% 3.3.5 定义损失函数 / Defining the Loss Function
# `MSELoss` already averages: a scalar; `--loss`, `--reduction`: exercises
loss = lab.exercise_loss(nn.MSELoss())

# %% 3.3.6 定义优化算法 / Defining the Optimization Algorithm
trainer = torch.optim.SGD(net.parameters(), lr=args.lr)

# %% 3.3.7 训练 / Training
num_epochs = args.num_epochs
for epoch in range(num_epochs):
    for X, y in lab.epoch(data_iter):
        l = loss(net(X), y)
        trainer.zero_grad()
        l.backward()
        trainer.step()
    l = loss(net(features), labels)
    print(f'epoch {epoch + 1}, loss {l:f}')
    lab.epoch_loss(l)

# %%
w = net[0].weight.data
if args.lang == 'zh':  # the zh 2.0 book's labels
    print('w的估计误差：', true_w - w.reshape(true_w.shape))
else:
    print('error in estimating w:', true_w - w.reshape(true_w.shape))
b = net[0].bias.data
if args.lang == 'zh':
    print('b的估计误差：', true_b - b)
else:
    print('error in estimating b:', true_b - b)

# %%
lab.report()  # what ran, read from the names above; the training time
