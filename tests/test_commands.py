"""Each entry point once, exactly as a user types it.

The commands that import torch start with the session (conftest.py) and
run beside the rest of the suite; each test here waits for its own. The
checks that need no torch (flags, --help, the shell wrapper) run in an
environment where importing torch fails.
"""
import json
import shutil
import signal
import subprocess
import sys

import pytest

from commands import (BASH, ENV, INSPECT, NO_BASH, ROOT, finished,
                      no_torch_env)
from helpers import one_line
from helpers import run as run_here


pytestmark = pytest.mark.background


@pytest.fixture(scope='module')
def no_torch(tmp_path_factory):
    """An environment in which `import torch` fails loudly."""
    return no_torch_env(tmp_path_factory.mktemp('no_torch'))


def run(env, *argv):
    """A command that must answer before any torch import."""
    done = subprocess.run(argv, cwd=ROOT, env=env, text=True,
                          capture_output=True, timeout=60)
    assert 'torch was imported' not in done.stderr
    return done


def test_the_script_as_typed_then_inspected_at_its_prompt():
    """`python -i linreg_scratch.py ...`, then the chapter's names typed at
    the prompt: the learned values, no traceback."""
    code, out, err = finished('scratch')
    assert code == 0, err
    assert 'Traceback' not in err and set(err.split()) <= {'>>>'}, err
    lines = out.splitlines()
    assert lines[0].startswith('features: tensor(')
    assert any(line.startswith('epoch 1, loss 0.') for line in lines)
    assert lines[-4].startswith('# linreg_scratch.py ran: ')
    assert lines[-3].endswith(' sec training, 1 epoch (imports and data '
                              'generation excluded)')
    result = json.loads(lines[-2])
    assert result['impl'] == 'scratch'
    label, inspected = lines[-1].split(' ', 1)
    assert label == 'INSPECT'
    check_inspected(json.loads(inspected), result)


def check_inspected(values, result):
    assert values[0] == result['w'] and values[1] == result['b']
    assert values[2:5] == [0.03, 10, 1]


def test_the_concise_names_stay_for_the_prompt():
    """What `python -i linreg_concise.py` leaves at its prompt: the run's
    module namespace, here from a run in this process (the same `Lab`
    and `sys.excepthook` as the scratch script's `python -i` above)."""
    lab = run_here('concise', '--num-epochs', '1')
    values = eval(INSPECT['concise'], lab.ns)
    check_inspected(values, lab.results())
    assert values[5:] == ['MSELoss', 'DataLoader']


def test_sweep_as_typed():
    code, out, err = finished('sweep')
    assert code == 0, err
    rows = json.loads(out.splitlines()[-1])
    assert [(r['impl'], r['lr']) for r in rows] == [
        ('scratch', 0.03), ('lstsq', 0.03), ('scratch', 3.0), ('lstsq', 3.0)]
    assert rows[2]['diverged'].startswith('training diverged at epoch 1')
    assert err == ''  # piped: nothing but the table and its JSON


@pytest.mark.skipif(not BASH, reason=NO_BASH)
def test_compare_sh_as_typed():
    code, out, err = finished('compare.sh')
    assert code == 0, err
    summary = json.loads(out.splitlines()[-1])
    assert summary['scratch']['config']['num_examples'] == 100
    assert 'concise/scratch time per epoch' in out


@pytest.mark.skipif(not BASH, reason=NO_BASH)
def test_compare_sh_answers_flags_before_torch(tmp_path, no_torch):
    usage = run(no_torch, BASH, 'compare.sh', '--help')
    assert usage.returncode == 0
    assert '--plot FILE.png' in usage.stdout and '(default: 30)' in \
        usage.stdout
    bad = run(no_torch, BASH, 'compare.sh', '--lr', 'abc')
    assert bad.returncode == 2
    assert one_line(bad.stderr) == ("compare.sh: error: "
                                    "argument --lr: 'abc' is not a number")
    # Through a symbolic link, and from `sh`, it finds compare.py all the same
    link = tmp_path / 'cmp'
    link.symlink_to(ROOT / 'compare.sh')
    through = subprocess.run([str(link), '--help'], cwd=tmp_path,
                             env=no_torch, text=True, capture_output=True,
                             timeout=60)
    assert through.returncode == 0 and 'compare.sh' in through.stdout
    if shutil.which('sh'):
        plain = run(no_torch, 'sh', 'compare.sh', '--help')
        assert plain.returncode == 0 and 'usage: compare.sh' in plain.stdout


@pytest.mark.skipif(not BASH, reason=NO_BASH)
def test_compare_sh_names_the_fix_when_python_cannot(tmp_path):
    env = dict(ENV, PYTHON=str(tmp_path / 'no-python'))
    missing = subprocess.run([BASH, str(ROOT / 'compare.sh')], env=env,
                             text=True, capture_output=True, timeout=60)
    assert missing.returncode == 1
    assert "cannot import torch and d2l; run 'make setup'" in one_line(
        missing.stderr)


def test_sweep_and_compare_py_answer_flags_before_torch(no_torch):
    bad = run(no_torch, sys.executable, 'sweep.py', 'lr', '--bogus')
    assert bad.returncode == 2
    assert one_line(bad.stderr) == ('sweep.py: error: '
                                    'unrecognized arguments: --bogus')
    usage = run(no_torch, sys.executable, 'compare.py', '--help')
    assert usage.returncode == 0 and 'usage: compare.sh' in usage.stdout


@pytest.mark.skipif(not BASH, reason=NO_BASH)
def test_devices_sh_says_it_needs_cuda():
    code, out, err = finished('devices.sh')
    assert code == 1
    assert one_line(err).startswith('devices.sh: ') and 'CUDA' in err


WINDOWS_SIGNALS = pytest.mark.skipif(
    not hasattr(signal, 'pthread_sigmask'),
    reason='Windows: no POSIX signals to block or send (SIGTERM ends a '
           'process at once there, with no handler to run)')
FAKE_TORCH = {
    # Ctrl-C while torch imports
    'ctrl-c': ('raise KeyboardInterrupt', 130, 'interrupted (Ctrl-C)'),
    # SIGTERM while torch imports
    'sigterm': ('import os, signal, time\n'
                'os.kill(os.getpid(), signal.SIGTERM)\n'
                'time.sleep(30)', 143,
                'terminated; nothing was left half-written'),
    # Ctrl-C and SIGTERM at once: the second is not raised in the first's
    # clean-up
    'both': ('import os, signal, time\n'
             'both = {signal.SIGINT, signal.SIGTERM}\n'
             'signal.pthread_sigmask(signal.SIG_BLOCK, both)\n'
             'os.kill(os.getpid(), signal.SIGTERM)\n'
             'os.kill(os.getpid(), signal.SIGINT)\n'
             'signal.pthread_sigmask(signal.SIG_UNBLOCK, both)\n'
             'time.sleep(30)', 130, 'interrupted (Ctrl-C)'),
}


@pytest.mark.parametrize('name', ['scratch', 'concise'])
@pytest.mark.parametrize('case', [
    'ctrl-c', pytest.param('sigterm', marks=WINDOWS_SIGNALS),
    pytest.param('both', marks=WINDOWS_SIGNALS)])
def test_a_signal_while_torch_imports_is_one_line(tmp_path, name, case):
    source, status, line = FAKE_TORCH[case]
    (tmp_path / 'torch.py').write_text(source)
    env = dict(ENV, PYTHONPATH=str(tmp_path))
    done = subprocess.run([sys.executable, f'linreg_{name}.py'], cwd=ROOT,
                          env=env, text=True, capture_output=True,
                          timeout=60)
    assert (done.returncode, done.stderr) == (
        status, f'linreg_{name}.py: {line}\n')
    assert done.stdout == ''


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_the_scripts_answer_flags_before_torch(no_torch, name):
    usage = run(no_torch, sys.executable, f'linreg_{name}.py', '--help')
    assert usage.returncode == 0 and '--lang {en,zh}' in usage.stdout
    bad = run(no_torch, sys.executable, f'linreg_{name}.py', '--lr', 'x')
    assert bad.returncode == 2
    assert one_line(bad.stderr) == (f"linreg_{name}.py: error: argument "
                                    "--lr: 'x' is not a number")


ENTRY_POINTS = [['linreg_scratch.py'], ['linreg_concise.py'], ['compare.py'],
                ['sweep.py', 'lr'], ['benchmarks/startup.py', '--repeats', '1'],
                ['benchmarks/scale.py', '--sizes', '10'],
                ['benchmarks/book_vs_ours.py']]


@pytest.mark.parametrize('argv', ENTRY_POINTS, ids=' '.join)
def test_a_python_without_torch_is_one_line(tmp_path, argv):
    (tmp_path / 'torch.py').write_text(
        "raise ModuleNotFoundError(\"No module named 'torch'\", "
        "name='torch')")
    env = dict(ENV, PYTHONPATH=str(tmp_path))
    done = subprocess.run([sys.executable, *argv], cwd=ROOT, env=env,
                          text=True, capture_output=True, timeout=60)
    assert done.returncode == 1
    line = one_line(done.stderr)
    assert "No module named 'torch'" in line
    assert 'make setup' in line or '.venv/bin/python' in line


@pytest.mark.skipif(not BASH, reason=NO_BASH)
def test_devices_sh_finds_the_checkouts_venv_as_compare_sh_does(tmp_path):
    (tmp_path / 'benchmarks').mkdir()
    shutil.copy(ROOT / 'benchmarks' / 'devices.sh', tmp_path / 'benchmarks')
    fake = tmp_path / '.venv' / 'bin' / 'python'
    fake.parent.mkdir(parents=True)
    fake.write_text('#!/bin/sh\nexit 1\n')  # a Python that sees no GPU
    fake.chmod(0o755)
    env = {k: v for k, v in ENV.items() if k != 'PYTHON'}
    done = subprocess.run([BASH, 'benchmarks/devices.sh'], cwd=tmp_path,
                          env=env, text=True, capture_output=True, timeout=60)
    assert done.returncode == 1
    assert one_line(done.stderr).startswith(f'devices.sh: {fake} sees no')
