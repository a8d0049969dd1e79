"""The faults a user meets: one line and an exit status each; a bug in an
edited line keeps its traceback, and the classic mistakes get a hint."""
import os
import signal
import subprocess
import sys

import pytest
import torch

from bench import __main__ as bench
from bench import faults, hints, runner
from commands import ENV, ROOT, finished
from helpers import edited, one_line, program


@pytest.mark.parametrize('name', ['scratch', 'concise'])
@pytest.mark.parametrize('argv', [['--lr', 'x'], ['--lr'], ['--num-ep', '3']])
def test_a_bad_flag_is_argparses_line_alone_and_under_the_runner(
        capsys, name, argv):
    assert program(name, *argv) == 2
    err = capsys.readouterr().err
    assert err.startswith('usage: ') and 'Traceback' not in err
    assert err.splitlines()[-1].startswith(f'linreg_{name}.py: error: ')
    with pytest.raises(SystemExit) as stop:
        bench.main([runner.script_file(name), *argv])
    assert stop.value.code == 2
    assert one_line(capsys.readouterr().err) == err.splitlines()[-1]


@pytest.mark.parametrize('argv', [
    ['--lr', '0'], ['--lr', 'nan'], ['--batch-size', '0'],
    ['--num-epochs', '-1'], ['--init-std', '-0.1']])
def test_a_value_no_run_can_use_is_one_line_under_the_runner(capsys, argv):
    """A script run alone is plain Python; a runner refuses these first."""
    with pytest.raises(SystemExit) as stop:
        bench.main([runner.script_file('concise'), *argv])
    assert stop.value.code == 2
    assert 'must be ' in one_line(capsys.readouterr().err)


@pytest.mark.parametrize('argv', [
    ['--huber-sigma', '2'],
    ['--outlier', '1', '--num-examples', '5'], ['--loss', 'cubic']])
def test_what_an_edit_cannot_do_is_one_line_and_2(capsys, argv):
    with pytest.raises(SystemExit) as stop:
        bench.main([runner.script_file('scratch'), *argv])
    assert stop.value.code == 2
    assert ': error: ' in one_line(capsys.readouterr().err)


@pytest.mark.skipif(torch.cuda.is_available(), reason='a GPU is here')
def test_a_missing_device_is_one_line_and_2(capsys):
    assert bench.main([runner.script_file('scratch'), '--device',
                       'cuda']) == 2
    assert 'no cuda device is available' in one_line(capsys.readouterr().err)


def test_an_edit_of_a_line_the_learner_changed_is_one_line(tmp_path,
                                                           capsys):
    path = edited(tmp_path, 'concise', 'loss = nn.MSELoss()',
                  'loss = nn.L1Loss()')
    assert bench.main([str(path), '--loss', 'huber']) == 1
    assert 'no longer has' in one_line(capsys.readouterr().err)


def test_out_of_memory_is_one_line(capsys):
    """A size torch's allocator refuses (8 TB of features)."""
    assert bench.main([runner.script_file('scratch'), '--num-examples',
                       str(10 ** 12)]) == 1
    assert 'out of memory; try a smaller --num-examples' in one_line(
        capsys.readouterr().err)


def test_an_edited_import_keeps_its_traceback(tmp_path):
    path = edited(tmp_path, 'concise', 'from torch.utils import data',
                  'from torch.utils import dataa as data')
    with pytest.raises(ImportError) as error:
        runner.execute(str(path))
    assert faults.fault('x', error.value) is None  # a bug, not "not set up"


@pytest.mark.check
@pytest.mark.background
def test_output_a_stream_cannot_encode_is_escaped():
    """`PYTHONIOENCODING=cp1252 python -m bench linreg_scratch.py --lang zh
    > out`: the zh labels escaped, every line there, no traceback."""
    code, out, err = finished('cp1252')
    assert code == 0 and err == ''
    assert 'w\\u7684\\u4f30' in out and out.splitlines()[-1].startswith(
        '# linreg_scratch.py ran: ')


def run(argv, preexec=None, shell=False, **env):
    return subprocess.run(argv, cwd=ROOT, env=dict(ENV, **env), text=True,
                          capture_output=True, preexec_fn=preexec,
                          shell=shell, timeout=300)


@pytest.mark.check
@pytest.mark.skipif(os.name != 'posix', reason='ulimit, /dev/full')
@pytest.mark.parametrize('command,says', [
    ('ulimit -f 1; "{py}" -m bench linreg_scratch.py --num-epochs 1 --json '
     '> "{out}"', 'File too large'),
    ('"{py}" sweep.py lr --values 0.03 --num-epochs 1 --impl scratch '
     '> /dev/full', 'No space left on device'),
    ('"{py}" compare.py --num-examples 50 --repeats 1 > /dev/full',
     'No space left on device')])
def test_a_short_write_or_a_full_disk_is_one_line_and_1(tmp_path, command,
                                                        says):
    done = run(command.format(py=sys.executable, out=tmp_path / 'out'),
               shell=True)
    assert done.returncode == 1
    assert says in one_line(done.stderr)


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
    path = edited(tmp_path, 'scratch', old, new)
    with pytest.raises(Exception) as error:
        program('scratch', '--num-epochs', '1', path=path)
    hint = hints.hint(error.value)
    assert (hint is None) if says is None else (says in hint)


def test_calling_the_loss_class_on_the_data_gets_a_hint(tmp_path):
    path = edited(tmp_path, 'concise', 'l = loss(net(X), y)',
                  'l = nn.MSELoss(net(X), y)')
    with pytest.raises(RuntimeError) as error:
        program('concise', '--num-epochs', '1', path=path)
    assert '`loss = nn.MSELoss()`' in hints.hint(error.value)


def test_the_hint_follows_the_traceback_under_the_runner(tmp_path,
                                                         capsys):
    """`python -m bench edited.py`: Python's traceback from the script's
    own frame, the edited line in it, then the hint."""
    path = edited(tmp_path, 'scratch', 'l.sum().backward()', 'l.backward()')
    assert bench.main([str(path), '--num-epochs', '1']) == 1
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert lines[:2] == ['Traceback (most recent call last):',
                         f'  File "{path}", line {lines[1].split()[-3][:-1]}'
                         ', in <module>'] and '    l.backward()' in lines
    assert lines[-1].startswith('linreg_scratch.py: hint: `backward` needs')


def test_docs_and_plots_are_written_whole_or_not_at_all(tmp_path,
                                                        monkeypatch):
    doc = tmp_path / 'doc.md'
    doc.write_text('old')
    doc.chmod(0o640)

    def cut(f):  # a write that stops, as at a file-size limit
        f.write(b'new')
        raise OSError(27, 'File too large')
    with pytest.raises(OSError):
        faults.replace_whole(str(doc), cut)
    assert doc.read_text() == 'old' and os.listdir(tmp_path) == ['doc.md']
    faults.replace_whole(str(doc), lambda f: f.write(b'new'))
    assert doc.read_text() == 'new' and os.listdir(tmp_path) == ['doc.md']
    assert doc.stat().st_mode & 0o777 == 0o640  # the mode it had

    def fails(*args):
        raise OSError(27, 'File too large')
    monkeypatch.setattr(os, 'replace', fails)
    with pytest.raises(OSError):
        faults.replace_whole(str(doc), lambda f: f.write(b'newer'))
    assert doc.read_text() == 'new' and os.listdir(tmp_path) == ['doc.md']


def test_ctrl_c_in_a_maintainer_tool_is_one_line(capsys):
    def interrupted():
        raise KeyboardInterrupt()
    assert faults.guarded('generate.py', interrupted) == 130
    assert one_line(capsys.readouterr().err) == \
        'generate.py: interrupted (Ctrl-C)'
