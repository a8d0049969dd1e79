# The PyTorch cells of d2l en 0.17 / zh 2.0 section 3.3, "Concise
# Implementation of Linear Regression", in the book's order, as a notebook
# runs them (`# %%` starts a cell; a cell's last expression is displayed).
# d2l's aliases are as the rendered PyTorch book shows them. Test fixture:
# tests/test_chapter.py runs these after `random.seed(s);
# torch.manual_seed(s)`, compares what they show with linreg_concise.py
# --seed s, and finds each statement in the script.
# %%
from d2l import torch as d2l
import numpy as np
import torch
from torch.utils import data
# %%
true_w = torch.tensor([2, -3.4])
true_b = 4.2
features, labels = d2l.synthetic_data(true_w, true_b, 1000)
# %%
def load_array(data_arrays, batch_size, is_train=True):  #@save
    """Construct a PyTorch data iterator."""
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)
# %%
batch_size = 10
data_iter = load_array((features, labels), batch_size)
# %%
next(iter(data_iter))
# %%
# `nn` is an abbreviation for neural networks
from torch import nn

net = nn.Sequential(nn.Linear(2, 1))
# %%
net[0].weight.data.normal_(0, 0.01)
net[0].bias.data.fill_(0)
# %%
loss = nn.MSELoss()
# %%
trainer = torch.optim.SGD(net.parameters(), lr=0.03)
# %%
num_epochs = 3
for epoch in range(num_epochs):
    for X, y in data_iter:
        l = loss(net(X) ,y)
        trainer.zero_grad()
        l.backward()
        trainer.step()
    l = loss(net(features), labels)
    print(f'epoch {epoch + 1}, loss {l:f}')
# %%
w = net[0].weight.data
print('error in estimating w:', true_w - w.reshape(true_w.shape))
b = net[0].bias.data
print('error in estimating b:', true_b - b)
