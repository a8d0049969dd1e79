"""The shared `Timer`: d2l's API (`start`, `stop`, `avg`, `sum`, `cumsum`),
but on `time.perf_counter()`, not started at construction, and, as
`Timer('cuda')`, waiting for the device's queued work before each reading.
"""
import itertools
import time


def synchronizer(device):
    """Return a function that waits for all queued work on `device`."""
    kind = str(device).split(':')[0]
    if kind == 'cuda':
        import torch
        return lambda: torch.cuda.synchronize(device)
    if kind == 'mps':
        import torch
        return torch.mps.synchronize
    return lambda: None


class Timer:
    """Record multiple running times."""

    def __init__(self, device='cpu', clock=time.perf_counter):
        self.times = []
        self.tik = None
        self.device = device
        self._sync = synchronizer(device)
        self._clock = clock

    def start(self):
        """Start the timer."""
        self._sync()
        self.tik = self._clock()

    def stop(self):
        """Stop the timer and record the time in a list."""
        if self.tik is None:
            raise RuntimeError('Timer.stop() called before Timer.start()')
        self._sync()
        self.times.append(self._clock() - self.tik)
        self.tik = None
        return self.times[-1]

    def avg(self):
        """Return the average time."""
        return sum(self.times) / len(self.times)

    def sum(self):
        """Return the sum of time."""
        return sum(self.times)

    def cumsum(self):
        """Return the accumulated time."""
        return list(itertools.accumulate(self.times))
