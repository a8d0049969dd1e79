"""Faults and extremes: each ends in one line and a fitting exit status,
never a traceback, and leaves nothing half-written."""
import errno
import io
import json
import os

import pytest
import torch

import compare
from bench import lab
import sweep
import timer
from helpers import SCRIPTS, one_line, results, run

ENTRY_POINTS = {
    'linreg_scratch.py': lambda argv: SCRIPTS['scratch'].main(argv),
    'linreg_concise.py': lambda argv: SCRIPTS['concise'].main(argv),
    'compare.sh': lambda argv: compare.main(argv + ['--repeats', '1',
                                                    '--num-examples', '100']),
    'sweep.py': lambda argv: sweep.main(['lr', '--values', '0.03',
                                         '--num-examples', '100'] + argv),
}


def interrupt_after(monkeypatch, epochs, exception=KeyboardInterrupt):
    """Raise `exception` when the `epochs`-th epoch of any run ends."""
    real, seen = lab.Lab.epoch_loss, []

    def epoch_loss(self, l):
        seen.append(1)
        if len(seen) == epochs:
            raise exception()
        return real(self, l)
    monkeypatch.setattr(lab.Lab, 'epoch_loss', epoch_loss)


@pytest.mark.parametrize('prog', list(ENTRY_POINTS))
def test_ctrl_c_is_one_line_and_status_130(capsys, monkeypatch, prog):
    interrupt_after(monkeypatch, 2)
    assert ENTRY_POINTS[prog](['--num-epochs', '3']) == 130
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == f'{prog}: interrupted (Ctrl-C)'
    assert not any('Traceback' in line for line in err)


def test_ctrl_c_in_a_sweep_keeps_the_finished_points(capsys, monkeypatch):
    interrupt_after(monkeypatch, 3)  # during the second point
    assert sweep.main(['lr', '--values', '0.01,0.03', '--num-epochs', '2',
                       '--json']) == 130
    captured = capsys.readouterr()
    rows = json.loads(captured.out.splitlines()[-1])
    assert [(r['impl'], r['lr']) for r in rows] == [('scratch', 0.01)]
    assert 'interrupted; the 1 finished points follow' in captured.err


@pytest.mark.parametrize('prog', list(ENTRY_POINTS))
def test_sigterm_is_one_line_and_status_143(capsys, monkeypatch, prog):
    from bench import cli
    interrupt_after(monkeypatch, 1, cli.Terminated)
    assert ENTRY_POINTS[prog](['--num-epochs', '2']) == 143
    assert 'terminated' in capsys.readouterr().err.splitlines()[-1]


class ClosedPipe(io.StringIO):
    """A stdout whose reader has gone, like `| head -1`."""

    def __init__(self, path):
        super().__init__()
        self.file = open(path, 'w')

    def fileno(self):
        return self.file.fileno()

    def write(self, text):
        raise BrokenPipeError(errno.EPIPE, 'Broken pipe')


class FullDisk(io.StringIO):
    def write(self, text):
        raise OSError(errno.ENOSPC, 'No space left on device')


@pytest.mark.parametrize('prog', list(ENTRY_POINTS))
def test_a_closed_pipe_ends_quietly(capsys, monkeypatch, tmp_path, prog):
    stdout = os.dup(1)
    try:
        monkeypatch.setattr('sys.stdout', ClosedPipe(tmp_path / 'out'))
        assert ENTRY_POINTS[prog](['--num-epochs', '1']) == 141
    finally:
        os.dup2(stdout, 1)
        os.close(stdout)
    assert capsys.readouterr().err.count('Traceback') == 0


@pytest.mark.parametrize('prog', list(ENTRY_POINTS))
def test_a_full_disk_is_one_line(capsys, monkeypatch, prog):
    monkeypatch.setattr('sys.stdout', FullDisk())
    assert ENTRY_POINTS[prog](['--num-epochs', '1']) == 1
    err = capsys.readouterr().err  # after any progress lines
    assert 'Traceback' not in err
    assert err.splitlines()[-1] == f'{prog}: error: No space left on device'


def test_out_of_memory_in_torch_is_one_line(capsys, monkeypatch):
    def no_memory(*args, **kwargs):
        raise RuntimeError('[enforce fail at alloc_cpu.cpp:117] '
                           "DefaultCPUAllocator: can't allocate memory")
    monkeypatch.setattr(torch, 'normal', no_memory)
    assert SCRIPTS['scratch'].main([]) == 1
    assert one_line(capsys.readouterr().err) == (
        'linreg_scratch.py: error: out of memory on cpu; try a smaller '
        '--num-examples')


@pytest.mark.parametrize('name', ['scratch', 'concise'])
@pytest.mark.parametrize('device', ['cuda', 'mps'])
def test_missing_device_is_one_line_and_exit_2(name, device, capsys,
                                               monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    monkeypatch.setattr(torch.backends.mps, 'is_available', lambda: False)
    assert SCRIPTS[name].main(['--device', device]) == 2
    assert one_line(capsys.readouterr().err) == (
        f'linreg_{name}.py: error: argument --device: no {device} device '
        f'is available to this torch {torch.__version__}')


def test_compare_names_the_missing_device(capsys, monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    assert compare.main(['--device', 'cuda']) == 2
    assert one_line(capsys.readouterr().err).startswith(
        'compare.sh: error: argument --device: no cuda')


def test_auto_device_prefers_cuda_and_falls_back_to_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    monkeypatch.setattr(torch.backends.mps, 'is_available', lambda: False)
    assert lab.resolve_device('auto') == 'cpu'
    result = results('scratch', '--device', 'auto', '--num-epochs', '1')
    assert result['config']['device'] == 'cpu'
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    assert lab.resolve_device('auto') == 'cuda'


@pytest.mark.skipif(not torch.cuda.is_available(),
                    reason='any platform: no CUDA GPU on this machine')
@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_cuda_runs_the_same_data_and_recovers_w(name):
    cpu = results(name, '--num-epochs', '3')
    cuda = results(name, '--device', 'cuda', '--num-epochs', '3')
    assert cuda['data_sha256'] == cpu['data_sha256']
    assert max(abs(e) for e in cuda['w_error']) < 0.01


def test_timer_synchronizes_cuda(monkeypatch):
    calls = []
    monkeypatch.setattr(torch.cuda, 'synchronize', calls.append)
    t = timer.Timer(sync=timer.synchronizer('cuda'))
    t.start()
    t.stop()
    assert calls == ['cuda', 'cuda']


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_long_epoch_draws_progress_on_a_terminal(monkeypatch):
    bench = type('Lab', (), {'prog': 'linreg_scratch.py', 'losses': []})
    monkeypatch.setattr('sys.stderr', Terminal())
    progress = lab.Progress(bench, 100, after=0.0)
    progress.show(50)
    progress.bar.refresh()
    progress.clear()
    text = __import__('sys').stderr.getvalue()
    assert 'linreg_scratch.py: epoch 1:  50%' in text
    assert '50/100' in text


def test_a_failing_terminal_drops_the_progress(monkeypatch):
    class Broken(Terminal):
        def write(self, text):
            raise OSError(5, 'Input/output error')
    bench = type('Lab', (), {'prog': 'linreg_scratch.py', 'losses': []})
    monkeypatch.setattr('sys.stderr', Broken())
    progress = lab.Progress(bench, 100, after=0.0)
    progress.bar.mininterval = progress.bar.miniters = 0  # draw each step
    progress.show(50)  # neither raises: the run goes on without a bar
    progress.show(60)
    progress.clear()


def test_progress_is_drawn_only_on_a_terminal(monkeypatch):
    shown = []
    monkeypatch.setattr(lab.Progress, 'show',
                        lambda self, step: shown.append(step))
    run('scratch', '--num-epochs', '1')
    assert shown == []  # stderr is no terminal under pytest
    monkeypatch.setattr('sys.stderr', Terminal())
    run('scratch', '--num-epochs', '1')
    assert shown == list(range(100))
