"""Concise linear regression: d2l zh 2.0 section 3.3, which is en 0.17
section 3.3 "Concise Implementation of Linear Regression" (en 1.0 writes
it with classes in section 3.5; README.md maps the two).

    python linreg_concise.py            # prints what the chapter prints
    python linreg_concise.py --help     # flags: answered after the imports

`diff linreg_scratch.py linreg_concise.py` shows what the framework
replaces. The `lab` that `run` reports to (lab.py) moves data to a device,
times the epochs and records the results; cli.py is the command line.
"""
import sys

import torch
from d2l import torch as d2l
from torch import nn
from torch.utils import data

import cli


# 3.3.2 读取数据集 / Reading the Dataset
def load_array(data_arrays, batch_size, is_train=True):
    """Construct a PyTorch data iterator."""
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)


def run(args, lab):
    """Section 3.3's statements in its order, with flags for its numbers."""
    torch.manual_seed(args.seed)  # Seed once, before the data are drawn

    # 3.3.1 生成数据集 / Generating the Dataset
    true_w = torch.tensor([2, -3.4])
    true_b = 4.2
    features, labels = d2l.synthetic_data(true_w, true_b, args.num_examples)
    true_w, features, labels = lab.data(true_w, true_b, features, labels)

    # 3.3.2 Reading the Dataset
    batch_size = args.batch_size
    data_iter = load_array((features, labels), batch_size)
    print(next(iter(data_iter)))

    # 3.3.3 定义模型 / Defining the Model
    net = nn.Sequential(nn.Linear(2, 1))

    # 3.3.4 初始化模型参数 / Initializing Model Parameters
    net[0].weight.data.normal_(0, args.init_std)
    net[0].bias.data.fill_(0)
    net = lab.params(net)

    # 3.3.5 定义损失函数 / Defining the Loss Function
    loss = lab.loss(nn.MSELoss())  # `MSELoss` already averages: a scalar

    # 3.3.6 定义优化算法 / Defining the Optimization Algorithm
    trainer = torch.optim.SGD(net.parameters(), lr=args.lr)

    # 3.3.7 训练 / Training
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

    w = net[0].weight.data
    print('error in estimating w:', true_w - w.reshape(true_w.shape))
    b = net[0].bias.data
    print('error in estimating b:', true_b - b)


def main(argv=None):
    return cli.main('concise', sys.modules[__name__], argv)


if __name__ == '__main__':
    sys.exit(main())
