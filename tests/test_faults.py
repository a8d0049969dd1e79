"""The faults a user meets: one line and an exit status each; a bug in an
edited line keeps its traceback, and the classic mistakes get a hint."""
import os
import signal
import subprocess
import sys

import pytest

from bench import __main__ as bench
from bench import faults, hints, runner
from commands import ENV, ROOT
from helpers import edited, one_line, program, status


@pytest.mark.parametrize('name', ['scratch', 'concise'])
@pytest.mark.parametrize('argv', [['--lr', 'x'], ['--lr'], ['--num-ep', '3']])
def test_a_bad_flag_is_argparses_line_alone_and_under_the_runner(
        capsys, name, argv):
    assert program(name, *argv) == 2
    err = capsys.readouterr().err
    assert err.startswith('usage: ') and 'Traceback' not in err
    assert err.splitlines()[-1].startswith(f'linreg_{name}.py: error: ')
    assert status(bench.main, [runner.script_file(name), *argv]) == 2
    assert one_line(capsys.readouterr().err) == err.splitlines()[
        -1].replace(f'linreg_{name}.py', 'python -m bench')


@pytest.mark.parametrize('argv', [
    ['--lr', '0'], ['--lr', 'nan'], ['--batch-size', '0'],
    ['--num-epochs', '-1'], ['--init-std', '-0.1']])
def test_a_value_no_run_can_use_is_one_line_under_the_runner(capsys, argv):
    """A script run alone is plain Python; a runner refuses these first."""
    assert status(bench.main, [runner.script_file('concise'), *argv]) == 2
    assert 'must be ' in one_line(capsys.readouterr().err)


@pytest.mark.parametrize('argv', [
    ['--huber-sigma', '2'],
    ['--lr', 'inf'], ['--loss', 'cubic']])
def test_what_an_edit_cannot_do_is_one_line_and_2(capsys, argv):
    assert status(bench.main, [runner.script_file('scratch'), *argv]) == 2
    assert ': error: ' in one_line(capsys.readouterr().err)


def test_an_edit_of_a_line_the_learner_changed_is_one_line(tmp_path,
                                                           capsys):
    path = edited(tmp_path, 'concise', ('loss = nn.MSELoss()',
                                        'loss = nn.L1Loss()'))
    assert bench.main([str(path), '--loss', 'huber']) == 1
    assert 'which this script does not have' in one_line(
        capsys.readouterr().err)


def test_out_of_memory_is_one_line(capsys):
    """A size torch's allocator refuses (8 TB of features)."""
    assert bench.main([runner.script_file('scratch'), '--num-examples',
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
def test_a_full_disk_or_a_closed_stdout_ends_as_python_ends_the_script(
        redirect):
    """The rare faults are Python's own: the runner ends as the script run
    alone does (the same status, the same last line), not in a traceback
    of its machinery."""
    command = '"{py}" {how} linreg_scratch.py --num-epochs 1 ' + redirect
    alone = run(command.format(py=sys.executable, how=''), shell=True)
    runner = run(command.format(py=sys.executable, how='-m bench'),
                 shell=True)
    assert runner.returncode == alone.returncode
    assert runner.stderr.splitlines()[-1:] == alone.stderr.splitlines()[-1:]
    assert 'bench' not in runner.stderr


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
    hint = hints.hint(error.value)
    assert (hint is None) if says is None else (says in hint)


def test_calling_the_loss_class_on_the_data_gets_a_hint(tmp_path):
    path = edited(tmp_path, 'concise', ('l = loss(net(X), y)',
                                        'l = nn.MSELoss(net(X), y)'))
    with pytest.raises(RuntimeError) as error:
        program('concise', '--num-epochs', '1', path=path)
    assert '`loss = nn.MSELoss()`' in hints.hint(error.value)


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


def test_docs_and_plots_are_written_whole_or_not_at_all(tmp_path,
                                                        monkeypatch):
    doc = tmp_path / 'doc.md'
    doc.write_text('old')

    def cut(f):  # a write that stops, as at a file-size limit
        f.write(b'new')
        raise OSError(27, 'File too large')
    with pytest.raises(OSError):
        faults.replace_whole(str(doc), cut)
    assert doc.read_text() == 'old' and os.listdir(tmp_path) == ['doc.md']
    faults.replace_whole(str(doc), lambda f: f.write(b'new'))
    assert doc.read_text() == 'new' and os.listdir(tmp_path) == ['doc.md']

    def fails(*args):
        raise OSError(27, 'File too large')
    monkeypatch.setattr(os, 'replace', fails)
    with pytest.raises(OSError):
        faults.replace_whole(str(doc), lambda f: f.write(b'newer'))
    assert doc.read_text() == 'new' and os.listdir(tmp_path) == ['doc.md']


def test_ctrl_c_in_a_maintainer_tool_is_one_line(capsys):
    def interrupted(argv):
        raise KeyboardInterrupt()
    assert faults.main('generate.py', interrupted, []) == 130
    assert one_line(capsys.readouterr().err) == \
        'generate.py: interrupted (Ctrl-C)'
