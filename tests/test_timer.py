"""`Timer` with a clock the test controls."""
import pytest

from timer import Timer, synchronizer


class FakeClock:
    def __init__(self, readings):
        self.readings = iter(readings)

    def __call__(self):
        return next(self.readings)


def test_timer_records_intervals_with_d2l_api():
    timer = Timer(clock=FakeClock([10.0, 11.5, 20.0, 23.0, 30.0, 30.5]))
    for expected in (1.5, 3.0, 0.5):
        timer.start()
        assert timer.stop() == pytest.approx(expected)
    assert timer.times == pytest.approx([1.5, 3.0, 0.5])
    assert timer.sum() == pytest.approx(5.0)
    assert timer.avg() == pytest.approx(5.0 / 3)
    assert timer.cumsum() == pytest.approx([1.5, 4.5, 5.0])


def test_timer_does_not_start_at_construction():
    timer = Timer(clock=FakeClock([1.0, 2.0]))
    with pytest.raises(RuntimeError, match='before'):
        timer.stop()
    assert timer.times == []


def test_empty_timer_sums_to_zero():
    assert Timer().sum() == 0 and Timer().cumsum() == []


def test_timer_synchronizes_before_each_reading():
    events = []
    clock = FakeClock([0.0, 1.0])

    def read():
        events.append('clock')
        return clock()

    timer = Timer(clock=read)
    timer._sync = lambda: events.append('sync')
    timer.start()
    timer.stop()
    assert events == ['sync', 'clock', 'sync', 'clock']


def test_cpu_needs_no_synchronization():
    assert synchronizer('cpu')() is None


def test_a_cuda_timer_waits_for_the_device(monkeypatch):
    import torch
    waited = []
    monkeypatch.setattr(torch.cuda, 'synchronize', waited.append)
    timer = Timer('cuda', clock=FakeClock([0.0, 2.0]))
    timer.start()
    assert timer.stop() == 2.0 and waited == ['cuda', 'cuda']
