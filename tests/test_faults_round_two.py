"""The second round of faults: replays past a divergence, streams, the
environment, outputs, parsing and sizes. Each ends in one line and the
right status, and keeps the results that were made."""
import json
import os
import signal
import sys

import pytest
import torch

import compare
import sweep
from bench import cli, plots
from commands import FLAGGED, PYTHON_FLAGS, finished
from helpers import one_line, program

FAST = ['--repeats', '1']


def last_json(out):
    return json.loads(out.splitlines()[-1])


@pytest.mark.parametrize('argv', [['--num-examples', '300', '--lr', '1.5',
                                   '--plot'],
                                  ['--lr', '1', '--num-epochs', '4',
                                   '--equivalence']])
def test_a_replay_past_a_divergence_is_measured_until_there(
        capsys, caplog, tmp_path, argv):
    plot = tmp_path / 'x.png'
    if argv[-1] == '--plot':
        argv = [*argv, str(plot)]
    assert compare.main([*FAST, *argv, '--json']) == 0
    captured = capsys.readouterr()
    assert 'Traceback' not in captured.err
    summary = last_json(captured.out)
    # concise diverged before the last epoch: the replays asked for more
    epochs = summary['scratch']['config']['num_epochs']
    assert summary['concise']['diverged_at_epoch'] < epochs
    if '--plot' in argv:  # an ordinary PNG file, and nothing else left
        assert f'wrote {plot}' in captured.out
        assert plot.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
        assert list(tmp_path.iterdir()) == [plot], 'stray temporary files'
        # matplotlib's complaints (fixed limits and a fixed aspect) are noise
        assert not caplog.records, caplog.text
    if '--equivalence' in argv:
        assert 'measured until' in captured.out
        assert summary['equivalence']['double_lr_gap'] < 1e-2


def test_sweep_checks_the_device_before_the_first_point(capsys, monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    with pytest.raises(SystemExit) as stop:
        sweep.main(['lr', '--values', '0.03', '--device', 'cuda'])
    assert stop.value.code == 2
    captured = capsys.readouterr()
    assert one_line(captured.err).startswith(
        'sweep.py: error: argument --device: no cuda')
    assert captured.out == ''


def test_a_point_that_fails_is_a_row_and_the_sweep_goes_on(capsys):
    assert sweep.main(['lr', '--values', '0.03,0.1', '--impl', 'scratch',
                       '--init-std', '1e25', '--loss', 'abs',
                       '--json']) == 0
    rows = last_json(capsys.readouterr().out)
    assert [r['lr'] for r in rows] == [0.03, 0.1]
    assert all('initial weights' in r['failed'] for r in rows)


@pytest.mark.parametrize('argv,says', [
    (['lr', '--values', '0.1,1e-50'], 'is 0 in float32'),
    (['lr', '--impl', 'scratch', '--loader', 'batched'],
     'argument --loader: applies to linreg_concise.py'),
    (['lr', '--lr', '0.1'], 'argument --lr: the sweep sets it'),
    (['lr', '--print-grad'], 'argument --print-grad: sweep.py does not'),
    (['lr', '--lang', 'zh'], 'argument --lang: sweep.py does not')])
def test_sweep_refuses_before_the_first_point(capsys, argv, says):
    with pytest.raises(SystemExit) as stop:
        sweep.main(argv)
    assert stop.value.code == 2
    captured = capsys.readouterr()
    assert says in one_line(captured.err)
    assert captured.err.startswith('sweep.py: error: ')


@pytest.mark.parametrize('argv,says', [
    (['--print-grad'], 'argument --print-grad: compare.sh does not show'),
    (['--r', '1'], 'unrecognized arguments: --r 1'),
    (['--loader', '--lr', '1'], 'argument --loader: expected one'),
    (['--outlier', 'x'], "argument --outlier: 'x' is not a number")])
def test_compare_refuses_what_it_would_ignore_or_misread(capsys, argv, says):
    with pytest.raises(SystemExit) as stop:
        compare.main(argv)
    assert stop.value.code == 2
    line = one_line(capsys.readouterr().err)
    assert line.startswith('compare.sh: error: ') and says in line


def test_a_negative_outlier_reaches_both_scripts(capsys):
    assert compare.main([*FAST, '--num-examples', '100', '--outlier',
                         '-1e4', '--json']) == 0
    summary = last_json(capsys.readouterr().out)
    assert summary['concise']['config']['outlier'] == -1e4


def test_a_closed_stdout_is_refused_in_one_line(capsys, monkeypatch):
    monkeypatch.setattr(sys, 'stdout', None)
    assert program('scratch') == 1
    assert one_line(capsys.readouterr().err) == (
        'linreg_scratch.py: error: standard output is closed: the results '
        'would have nowhere to go')


class Failing:
    """A stderr that cannot be written (`2>/dev/full`)."""

    def write(self, text):
        raise OSError(28, 'No space left on device')

    def flush(self):
        pass

    def isatty(self):
        return False


@pytest.mark.parametrize('stderr', [None, Failing()],
                         ids=['closed', 'full'])
def test_a_stderr_that_fails_does_not_fail_the_run(capsys, monkeypatch,
                                                   stderr):
    monkeypatch.setattr(sys, 'stderr', stderr)
    assert compare.main([*FAST, '--num-examples', '100', '--json']) == 0
    monkeypatch.undo()
    out = capsys.readouterr().out
    assert 'epoch 1' not in out  # progress did not leak into the results
    assert last_json(out)['scratch']['impl'] == 'scratch'


@pytest.mark.skipif(sys.platform in ('win32', 'darwin'),
                    reason='Windows and macOS: a file name must be valid '
                           'Unicode there, so no name can hold such bytes')
def test_a_plot_name_that_is_not_utf8_is_written_and_shown(capsys,
                                                           tmp_path):
    name = os.fsdecode(bytes(tmp_path) + b'/x\xff.png')
    assert cli.png_path(name) == name
    assert plots.save('compare.sh', lambda: plots.write_png(
        plots.figure()[0], name), name) == 0
    assert os.path.exists(name)
    assert 'wrote ' + str(tmp_path) + '/x\\xff.png' in capsys.readouterr(
        ).out


@pytest.mark.skipif(os.name == 'nt',
                    reason='Windows: symbolic links need a privilege, and '
                           'files have no POSIX mode bits')
def test_a_plot_through_a_symbolic_link_keeps_the_link(capsys, tmp_path):
    real, link = tmp_path / 'real.png', tmp_path / 'link.png'
    real.write_bytes(b'old')
    real.chmod(0o640)
    link.symlink_to(real)
    assert cli.png_path(str(link)) == str(link)
    plots.write_png(plots.figure()[0], str(link))
    assert link.is_symlink() and real.read_bytes()[:4] == b'\x89PNG'
    assert real.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ['link.png',
                                                          'real.png']


def test_a_read_only_plot_is_refused(capsys, tmp_path):
    plot = tmp_path / 'kept.png'
    plot.write_bytes(b'mine')
    plot.chmod(0o444)
    with pytest.raises(SystemExit) as stop:
        compare.main(['--plot', str(plot)])
    assert stop.value.code == 2
    assert 'is read-only' in one_line(capsys.readouterr().err)
    assert plot.read_bytes() == b'mine'


@pytest.mark.skipif(os.name == 'nt',
                    reason='Windows: a SIGTERM ends the process at once, '
                           'with no handler to wait')
def test_sigterm_while_the_json_is_written_waits_for_the_whole_line(
        monkeypatch):
    class Slow:
        def __init__(self):
            self.text = ''

        def write(self, text):  # the signal comes mid-line
            os.kill(os.getpid(), signal.SIGTERM)
            self.text += text

        def flush(self):
            pass
    out = Slow()
    monkeypatch.setattr(sys, 'stdout', out)
    signals = cli.Signals()
    try:
        with pytest.raises(cli.Terminated):
            cli.write_whole('{"a": 1}')
            for _ in range(100):  # where Python checks for signals
                pass
    finally:
        signals.restore()
    assert out.text == '{"a": 1}\n'


def test_a_broken_mplbackend_is_one_line(capsys, monkeypatch):
    monkeypatch.setenv('MPLBACKEND', 'no-such-backend')
    monkeypatch.delitem(sys.modules, 'matplotlib', raising=False)
    with pytest.raises(cli.Refused, match="MPLBACKEND='no-such-backend'"):
        cli.check_mplbackend()
    assert compare.main(FAST) == 2
    assert 'unset it, or set MPLBACKEND=Agg' in one_line(
        capsys.readouterr().err)


def test_an_address_space_limit_is_counted(monkeypatch):
    monkeypatch.setattr(cli, 'address_space_left', lambda: 3 * 10 ** 9)
    monkeypatch.delitem(sys.modules, 'torch')
    refusal = cli.memory_refusal(100)
    monkeypatch.undo()
    assert 'address space' in refusal and 'ulimit -v' in refusal
    assert 'raise the limit' in refusal
    monkeypatch.setattr(cli, 'address_space_left', lambda: 5 * 10 ** 9)
    assert 'try at most' in cli.memory_refusal(10 ** 9)
    assert cli.memory_refusal(1000) is None


@pytest.mark.background
@pytest.mark.parametrize('flags', [
    pytest.param(['-P'], marks=pytest.mark.skipif(
        ['-P'] not in PYTHON_FLAGS,
        reason='any platform, Python 3.10: there is no -P before 3.11')),
    ['-I'], ['-OO']])
def test_python_flags_that_change_the_path_or_docs(flags):
    for command in FLAGGED:
        code, out, err = finished(f'python {" ".join(flags)} {command} '
                                  '--help')
        assert code == 0, err
        assert 'usage: ' in out


@pytest.mark.skipif(not hasattr(signal, 'SIGHUP'),
                    reason='Windows: there is no SIGHUP')
def test_sighup_a_closed_terminal_is_sigterm():
    signals = cli.Signals()
    try:
        with pytest.raises(cli.Terminated):
            os.kill(os.getpid(), signal.SIGHUP)
            for _ in range(100):  # where Python checks for signals
                pass
    finally:
        signals.restore()
    assert cli.fault('x.py', cli.Terminated()) == 143
