"""zh 3.3, en 0.17 3.3: why is the concise loop slower per epoch than the
one from scratch, and what would make its data reading fast?

    python exercises/fast_loader.py                  # 1e3 ... 1e6 examples
    python exercises/fast_loader.py --sizes 1000,10000 --large 1000

The book's `load_array` is a `TensorDataset` in a `DataLoader`, which
fetches the examples of a minibatch one at a time and collates them. The
data are already one tensor in memory: a loader that draws one permutation
and slices whole minibatches out of it gives the very same batches, with
one indexing operation a batch. One epoch of the chapter's concise loop is
timed over each, at the book's batch size (where each step's training
costs as much as its reading) and at a large one (where the reading is
most of it).
"""
# %%
import argparse
import sys
import time

import torch
from d2l import torch as d2l
from torch import nn
from torch.utils import data

parser = argparse.ArgumentParser(allow_abbrev=False)
parser.add_argument('--sizes', default='1000,10000,100000,1000000',
                    help='examples, comma-separated: %(default)s')
parser.add_argument('--large', type=int, default=100000,
                    help='the large batch size: %(default)s')
args = parser.parse_args()
sizes = [int(size) for size in args.sizes.split(',')]


# %% The book's loader (section 3.3), and one that slices whole batches
def load_array(data_arrays, batch_size, is_train=True):  #@save
    """Construct a PyTorch data iterator."""
    dataset = data.TensorDataset(*data_arrays)
    return data.DataLoader(dataset, batch_size, shuffle=is_train)


def sliced_array(data_arrays, batch_size, permutation=None):
    """The same minibatches, sliced whole out of one permutation."""
    if permutation is None:
        permutation = torch.randperm(len(data_arrays[0]))
    for i in range(0, len(permutation), batch_size):
        batch = permutation[i: i + batch_size]
        yield tuple(array[batch] for array in data_arrays)


# %% For one permutation both give the same batches, in the same order
features, labels = d2l.synthetic_data(torch.tensor([2, -3.4]), 4.2, 1003)
permutation = torch.randperm(len(features))
books = data.DataLoader(data.TensorDataset(features, labels), 10,
                        sampler=permutation.tolist())
for (X, y), (X2, y2) in zip(books, sliced_array((features, labels), 10,
                                                permutation)):
    assert torch.equal(X, X2) and torch.equal(y, y2)
print(f'the same {len(books)} batches from both loaders, the last of '
      f'{len(X)}')


# %% One epoch of the concise loop (section 3.3.7) over `batches`
def epoch_seconds(batches):
    net = nn.Sequential(nn.Linear(2, 1))
    loss = nn.MSELoss()
    trainer = torch.optim.SGD(net.parameters(), lr=0.03)
    start = time.perf_counter()
    for X, y in batches:
        l = loss(net(X), y)
        trainer.zero_grad()
        l.backward()
        trainer.step()
    return time.perf_counter() - start


# %% Each size, at the book's batch size and at the large one
for size in sizes:  # the progress on stderr: 1e6 examples take minutes
    print(f'timing {size} examples ...', file=sys.stderr, flush=True)
    features, labels = d2l.synthetic_data(torch.tensor([2, -3.4]), 4.2, size)
    cells = []
    for batch_size in (10, args.large):
        book = epoch_seconds(load_array((features, labels), batch_size))
        fast = epoch_seconds(sliced_array((features, labels), batch_size))
        cells.append(f'batch {batch_size}: {book:.3f} s against {fast:.3f} '
                     f's, {book / fast:.1f}x')
    print(f'{size:>8} examples, load_array against slicing; ' +
          '; '.join(cells), flush=True)
