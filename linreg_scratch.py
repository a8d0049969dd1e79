"""Linear regression from scratch: d2l zh 2.0 section 3.2, which is en 0.17
section 3.2 "Linear Regression Implementation from Scratch" (en 1.0 writes
it with classes in section 3.4; docs/en-1.0.md maps the two).

    python linreg_scratch.py            # prints what the chapter prints
    python -i linreg_scratch.py         # ... then look at `w`, `b`, `features`
    python linreg_scratch.py --help     # the flags that change its numbers

The section's cells, at module level in the book's order; `# %%` starts
each (an editor runs them one at a time). Lines that mention `bench`, `lab`
or `args` are not the book's: `args` holds the book's numbers unless a flag
changes them; `lab` (bench/) records the run and never replaces a name.
`diff linreg_scratch.py linreg_concise.py` shows what the framework replaces.
"""
# %%
import random

try:
    import bench
except ModuleNotFoundError:  # python -P or -I: this folder is off sys.path
    import os
    import sys
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import bench
# First, so that a fault, or Ctrl-C even during `import torch`, is one line
lab = bench.Lab('scratch', globals())
args = lab.args

import torch  # noqa: E402


# %% 3.2.1 生成数据集 / Generating the Dataset
def synthetic_data(w, b, num_examples):
    """Generate y = Xw + b + noise."""
    X = torch.normal(0, 1, (num_examples, len(w)))
    y = torch.matmul(X, w) + b
    y += torch.normal(0, 0.01, y.shape)
    return X, y.reshape((-1, 1))


# %%
random.seed(args.seed)  # Seed once, before the data are drawn
torch.manual_seed(args.seed)
true_w = torch.tensor([2, -3.4])
true_b = 4.2
features, labels = synthetic_data(true_w, true_b, args.num_examples)
true_w, features, labels = lab.data(true_w, true_b, features, labels)

# %%
print('features:', features[0], '\nlabel:', labels[0])


# %% 3.2.2 读取数据集 / Reading the Dataset
def data_iter(batch_size, features, labels):
    num_examples = len(features)
    indices = list(range(num_examples))
    # The examples are read at random, in no particular order
    random.shuffle(indices)
    for i in range(0, num_examples, batch_size):
        batch_indices = torch.tensor(
            indices[i: min(i + batch_size, num_examples)])
        yield features[batch_indices], labels[batch_indices]


# %%
batch_size = args.batch_size

for X, y in data_iter(batch_size, features, labels):
    print(X, '\n', y)
    break

# %% 3.2.3 初始化模型参数 / Initializing Model Parameters
w = torch.normal(0, args.init_std, size=(2, 1), requires_grad=True)
b = torch.zeros(1, requires_grad=True)
w, b = lab.params(w, b)


# %% 3.2.4 定义模型 / Defining the Model
def linreg(X, w, b):
    """The linear regression model."""
    return torch.matmul(X, w) + b


# %% 3.2.5 定义损失函数 / Defining the Loss Function
def squared_loss(y_hat, y):
    """Squared loss, with the 1/2 that makes its gradient `y_hat - y`."""
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


# %% 3.2.6 定义优化算法 / Defining the Optimization Algorithm
def sgd(params, lr, batch_size):
    """Minibatch stochastic gradient descent."""
    with torch.no_grad():
        for param in params:
            # `l.sum()` was backpropagated, so divide by the batch size to
            # step along the mean gradient; the minus sign goes downhill.
            param -= lr * param.grad / batch_size
            param.grad.zero_()


# %% 3.2.7 训练 / Training
lr = args.lr
num_epochs = args.num_epochs
net = linreg
loss = lab.exercise_loss(squared_loss)  # `--loss huber|abs`: the exercises'

# %%
for epoch in range(num_epochs):
    for X, y in lab.epoch(data_iter(batch_size, features, labels)):
        l = loss(net(X, w, b), y)  # Minibatch loss in `X` and `y`
        # `l` has shape (`batch_size`, 1), but `backward` needs a scalar:
        # the sum's gradient is the sum of the per-example gradients.
        l.sum().backward()
        sgd([w, b], lr, batch_size)  # Update parameters by their gradient
    with torch.no_grad():
        train_l = loss(net(features, w, b), labels)
        print(f'epoch {epoch + 1}, loss {float(train_l.mean()):f}')
        lab.epoch_loss(train_l)

# %%
if args.lang == 'zh':  # the zh 2.0 book's labels
    print(f'w的估计误差: {true_w - w.reshape(true_w.shape)}')
    print(f'b的估计误差: {true_b - b}')
else:
    print(f'error in estimating w: {true_w - w.reshape(true_w.shape)}')
    print(f'error in estimating b: {true_b - b}')

# %%
lab.report()  # what ran, read from the names above; the training time
