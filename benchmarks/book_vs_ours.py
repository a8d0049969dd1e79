"""Benchmark: our trainers against the book's plain code, at the book's size.

    python benchmarks/book_vs_ours.py [--repeats 15] [--processes 7]

Prints the median training time (and range) of the chapter's code as printed
in the book and of our `train`, timed alternately in one process after a
warm-up; then the whole-process wall time of `python linreg_scratch.py`
against `python -c "from d2l import torch"`. Targets: ours no slower than the
book's; the scratch process at most 1.3x the bare import.
"""
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import faults, flags, runner  # noqa: E402
from timer import Timer  # noqa: E402

try:
    import torch
    from d2l import torch as d2l
    from torch import nn
except ImportError as error:  # a Python that is not set up: one line
    if __name__ != '__main__':
        raise
    sys.exit(faults.fault('book_vs_ours.py', error) or 1)


def book_scratch(features, labels):
    """The chapter's from-scratch code, as printed (zh 3.2)."""
    def data_iter(batch_size, features, labels):
        num_examples = len(features)
        indices = list(range(num_examples))
        random.shuffle(indices)
        for i in range(0, num_examples, batch_size):
            batch_indices = torch.tensor(
                indices[i: min(i + batch_size, num_examples)])
            yield features[batch_indices], labels[batch_indices]

    batch_size = 10
    w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    lr, num_epochs = 0.03, 3
    net, loss = d2l.linreg, d2l.squared_loss
    seconds = 0.0
    for epoch in range(num_epochs):
        start = time.perf_counter()  # the region our `Timer` times
        for X, y in data_iter(batch_size, features, labels):
            l = loss(net(X, w, b), y)
            l.sum().backward()
            d2l.sgd([w, b], lr, batch_size)
        seconds += time.perf_counter() - start
        with torch.no_grad():
            train_l = loss(net(features, w, b), labels)
            float(train_l.mean())  # the book prints it
    return seconds


def book_concise(features, labels):
    """The chapter's concise code, as printed (zh 3.3)."""
    batch_size = 10
    data_iter = d2l.load_array((features, labels), batch_size)
    net = nn.Sequential(nn.Linear(2, 1))
    net[0].weight.data.normal_(0, 0.01)
    net[0].bias.data.fill_(0)
    loss = nn.MSELoss()
    trainer = torch.optim.SGD(net.parameters(), lr=0.03)
    num_epochs = 3
    seconds = 0.0
    for epoch in range(num_epochs):
        start = time.perf_counter()  # the region our `Timer` times
        for X, y in data_iter:
            l = loss(net(X), y)
            trainer.zero_grad()
            l.backward()
            trainer.step()
        seconds += time.perf_counter() - start
        l = loss(net(features), labels)
        f'{l:f}'  # the book prints it
    return seconds


def ours(name, num_examples):
    """Our script file at the book's settings: its own training time."""
    args = flags.parse(name, ['--num-examples', str(num_examples)])

    def train(*_):
        return runner.run(name, args).timer.sum()  # the script's own Timer
    return train


def summary(times):
    return (f'{1000 * statistics.median(times):7.1f} ms '
            f'({1000 * min(times):.0f}-{1000 * max(times):.0f})')


def time_in_process(repeats, num_examples=1000):
    features, labels = d2l.synthetic_data(torch.tensor([2, -3.4]), 4.2,
                                          num_examples)
    contenders = {'book scratch': book_scratch,
                  'our scratch': ours('scratch', num_examples),
                  'book concise': book_concise,
                  'our concise': ours('concise', num_examples)}
    timers = {name: Timer() for name in contenders}
    for i in range(1 + repeats):
        for name, fn in contenders.items():
            seconds = fn(features, labels)
            if i:  # round 0 is the warm-up
                timers[name].times.append(seconds)
    print(f'training at the book\'s settings, {num_examples} examples, '
          f'median (range) of {repeats}:')
    for name, timer in timers.items():
        print(f'  {name:<14}{summary(timer.times)}')
    for kind in ('scratch', 'concise'):
        ratio = statistics.median(
            o / b for o, b in zip(timers[f'our {kind}'].times,
                                  timers[f'book {kind}'].times))
        print(f'  our/book {kind}: {ratio:.2f}x (target <= 1, within noise)')


def time_processes(repeats):
    commands = {
        'python -c "from d2l import torch"': [sys.executable, '-c',
                                              'from d2l import torch'],
        'python linreg_scratch.py': [sys.executable,
                                     str(ROOT / 'linreg_scratch.py')],
    }
    walls = {name: [] for name in commands}
    for i in range(1 + repeats):
        for name, argv in commands.items():
            start = time.perf_counter()
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
            if i:
                walls[name].append(time.perf_counter() - start)
    print(f'whole process, wall time, median (range) of {repeats}:')
    for name, times in walls.items():
        print(f'  {name:<28}{summary(times)}')
    names = list(commands)
    ratio = statistics.median(walls[names[1]]) / statistics.median(
        walls[names[0]])
    print(f'  scratch process / the imports: {ratio:.2f}x (target <= 1.3)')


def main(argv=None):
    parser = flags.Parser(description=(__doc__ or '-').splitlines()[0])
    parser.add_argument('--repeats', type=flags.positive_int, default=15)
    parser.add_argument('--num-examples', type=flags.positive_int,
                        default=1000, help='the data both codes train on')
    parser.add_argument('--processes', type=flags.number(int, low=0), default=7,
                        help='rounds of the process timing; 0 skips it')
    args = parser.parse_args(argv)
    refusal = flags.memory_refusal(args.num_examples)
    if refusal:
        parser.error(f'argument --num-examples: {refusal}')
    random.seed(0)
    torch.manual_seed(0)
    time_in_process(args.repeats, args.num_examples)
    if args.processes:
        time_processes(args.processes)


if __name__ == '__main__':
    sys.exit(faults.guarded('book_vs_ours.py', main))
