"""The faults a user meets: one line and an exit status each; a bug in an
edited line keeps its traceback, and the classic mistakes get a hint."""
import os
import shutil
import signal
import subprocess
import sys

import pytest

from bench import __main__ as bench
from bench import faults
from commands import ENV, ROOT
from helpers import edited, one_line, program, script_file, status


@pytest.mark.parametrize('name', ['scratch', 'concise'])
@pytest.mark.parametrize('argv', [['--lr', 'x'], ['--lr'], ['--num-ep', '3']])
def test_a_bad_flag_is_argparses_line_alone_and_under_the_runner(
        capsys, name, argv):
    assert program(name, *argv) == 2
    err = capsys.readouterr().err
    assert err.startswith('usage: ') and 'Traceback' not in err
    assert err.splitlines()[-1].startswith(f'linreg_{name}.py: error: ')
    assert status(bench.main, [script_file(name), *argv]) == 2
    assert one_line(capsys.readouterr().err) == err.splitlines()[
        -1].replace(f'linreg_{name}.py', 'python -m bench')


@pytest.mark.parametrize('argv', [
    ['--lr', '0'], ['--lr', 'nan'], ['--lr', 'inf'], ['--batch-size', '0'],
    ['--num-epochs', '-1'], ['--init-std', '-0.1']])
def test_a_value_no_run_can_use_is_one_line_under_the_runner(capsys, argv):
    """A script run alone is plain Python; a runner refuses these first."""
    assert status(bench.main, [script_file('concise'), *argv]) == 2
    assert 'must be ' in one_line(capsys.readouterr().err)


def test_out_of_memory_is_one_line(capsys):
    """A size torch's allocator refuses (8 TB of features)."""
    assert bench.main([script_file('scratch'), '--num-examples',
                       str(10 ** 12)]) == 1
    assert 'out of memory; try a smaller --num-examples' in one_line(
        capsys.readouterr().err)


def test_an_edited_import_keeps_its_traceback(tmp_path, capsys):
    path = edited(tmp_path, 'concise', ('from torch.utils import data',
                                        'from torch.utils import dataa as data'))
    assert bench.main([str(path)]) == 1
    err = capsys.readouterr().err  # a bug, not "not set up"
    assert err.startswith('Traceback') and 'not set up' not in err
    assert "cannot import name 'dataa'" in err.splitlines()[-1]


def run(argv, preexec=None, shell=False, **env):
    return subprocess.run(argv, cwd=ROOT, env=dict(ENV, **env), text=True,
                          capture_output=True, preexec_fn=preexec,
                          shell=shell, timeout=300)


@pytest.mark.check
@pytest.mark.skipif(os.name != 'posix', reason='/dev/full, a closed fd')
@pytest.mark.parametrize('redirect', ['> /dev/full', '>&-'])
def test_a_full_disk_or_a_closed_stdout_is_one_line_or_none(redirect):
    """A full disk: one line, 1; a closed stdout: nothing, as the script
    alone ends, and no traceback of the runner's machinery."""
    command = f'"{sys.executable}" -m bench linreg_scratch.py --num-epochs ' \
              f'1 {redirect}'
    runner = run(command, shell=True)
    if redirect == '>&-':
        assert (runner.returncode, runner.stderr) == (0, '')
    else:
        assert runner.returncode == 1
        assert one_line(runner.stderr) == (
            'python -m bench: error: No space left on device')


@pytest.mark.check
@pytest.mark.skipif(os.name != 'posix', reason='POSIX signals')
def test_signals_ignored_at_the_start_stay_ignored():
    """As under `nohup` or in a background job."""
    def ignore():
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    process = subprocess.Popen(
        [sys.executable, '-m', 'bench', 'linreg_scratch.py'], cwd=ROOT,
        env=ENV, preexec_fn=ignore, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    import time
    for sig in (signal.SIGTERM, signal.SIGINT):
        time.sleep(0.7)
        process.send_signal(sig)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0 and 'epoch 3' in out, err


@pytest.mark.parametrize('old,new,says', [
    ('param -= lr * param.grad / batch_size',
     'param = param - lr * param.grad / batch_size', 'in place'),
    ('    with torch.no_grad():\n        for param in params:\n'
     '            param -= lr * param.grad / batch_size\n'
     '            param.grad.zero_()',
     '    for param in params:\n        param -= lr * param.grad / '
     'batch_size\n        param.grad.zero_()', 'torch.no_grad()'),
    ('l.sum().backward()', 'l.backward()', 'needs a scalar'),
    ('l.sum().backward()', 'l.sum().backward(); l.sum().backward()',
     'one `backward` per forward pass'),
    ('l.sum().backward()', 'l.sum().backwards()', None),
])
def test_the_classic_mistakes_get_a_hint(tmp_path, old, new, says):
    path = edited(tmp_path, 'scratch', (old, new))
    with pytest.raises(Exception) as error:
        program('scratch', '--num-epochs', '1', path=path)
    hint = faults.hint(error.value)
    assert (hint is None) if says is None else (says in hint)


def test_calling_the_loss_class_on_the_data_gets_a_hint(tmp_path):
    path = edited(tmp_path, 'concise', ('l = loss(net(X), y)',
                                        'l = nn.MSELoss(net(X), y)'))
    with pytest.raises(RuntimeError) as error:
        program('concise', '--num-epochs', '1', path=path)
    assert '`loss = nn.MSELoss()`' in faults.hint(error.value)


def test_the_hint_follows_the_traceback_under_the_runner(tmp_path,
                                                         capsys):
    """`python -m bench edited.py`: Python's traceback from the script's
    own frame, the edited line in it, then the hint."""
    path = edited(tmp_path, 'scratch', ('l.sum().backward()',
                                            'l.backward()'))
    assert bench.main([str(path), '--num-epochs', '1']) == 1
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert lines[:2] == ['Traceback (most recent call last):',
                         f'  File "{path}", line {lines[1].split()[-3][:-1]}'
                         ', in <module>'] and '    l.backward()' in lines
    assert lines[-1].startswith('linreg_scratch.py: hint: `backward` needs')


def test_a_scripts_own_fault_shows_none_of_the_runners_frames(tmp_path,
                                                             capsys):
    """A missing timer.py: Python's traceback from the script's import,
    none of the watch's frames between, then the hint; a SyntaxError as
    Python prints it, with no traceback at all."""
    (tmp_path / 'alone').mkdir()
    shutil.copy(script_file('scratch'), tmp_path / 'alone')
    assert bench.main([str(tmp_path / 'alone' / 'linreg_scratch.py')]) == 1
    err = capsys.readouterr().err
    assert f'{os.sep}bench{os.sep}' not in err and err.startswith('Traceback')
    assert "No module named 'timer'" in err and 'copy timer.py' in err
    path = edited(tmp_path, 'concise', ('loss = nn.MSELoss()',
                                        'loss = nn.MSELoss())'))
    assert bench.main([str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f'  File "{path}", line ')
    assert err.splitlines()[-1].startswith('SyntaxError')
