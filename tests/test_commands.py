"""Each entry point once, exactly as a user types it.

The commands (tests/commands.py) start with the session (conftest.py) and
run beside the rest of the suite; each test here reads its own, last. The
checks that need no torch (flags, --help, the shell wrapper) run in an
environment where importing torch fails.
"""
import json
import re
import shutil

import pytest

from commands import (BASH, ENTRY_POINTS, FAKE_TORCH, INSPECT, NO_BASH,
                      NO_FORK, PREFETCH, RUNS, SIGNAL_CASES, finished,
                      prefetched)
from helpers import one_line
from helpers import run as run_here


pytestmark = pytest.mark.background


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


def answered(name):
    """A command that must answer before any torch import."""
    code, out, err = finished(name)
    assert 'torch was imported' not in err
    return code, out, err


@pytest.mark.skipif(not BASH, reason=NO_BASH)
def test_compare_sh_answers_flags_before_torch():
    code, out, _ = answered('compare.sh --help')
    assert code == 0
    assert '--plot FILE.png' in out and '(default: 30)' in out
    code, _, err = answered('compare.sh --lr abc')
    assert code == 2
    assert one_line(err) == ("compare.sh: error: "
                             "argument --lr: 'abc' is not a number")
    # Through a symbolic link, and from `sh`, it finds compare.py all the same
    code, out, _ = answered('a link to compare.sh --help')
    assert code == 0 and 'compare.sh' in out
    if shutil.which('sh'):
        code, out, _ = answered('sh compare.sh --help')
        assert code == 0 and 'usage: compare.sh' in out


@pytest.mark.skipif(not BASH, reason=NO_BASH)
def test_compare_sh_names_the_fix_when_python_cannot():
    code, _, err = finished('compare.sh with no python')
    assert code == 1
    assert "cannot import torch and d2l; run 'make setup'" in one_line(err)


def test_sweep_and_compare_py_answer_flags_before_torch():
    code, _, err = answered('sweep.py lr --bogus')
    assert code == 2
    assert one_line(err) == ('sweep.py: error: '
                             'unrecognized arguments: --bogus')
    code, out, _ = answered('compare.py --help')
    assert code == 0 and 'usage: compare.sh' in out


@pytest.mark.skipif(not BASH, reason=NO_BASH)
def test_devices_sh_says_it_needs_cuda():
    code, out, err = finished('devices.sh')
    assert code == 1
    assert one_line(err).startswith('devices.sh: ') and 'CUDA' in err


WINDOWS_SIGNALS = pytest.mark.skipif(
    'sigterm' not in SIGNAL_CASES,
    reason='Windows: no POSIX signals to block or send (SIGTERM ends a '
           'process at once there, with no handler to run)')


@pytest.mark.parametrize('name', ['scratch', 'concise'])
@pytest.mark.parametrize('case', [
    'ctrl-c', pytest.param('sigterm', marks=WINDOWS_SIGNALS),
    pytest.param('both', marks=WINDOWS_SIGNALS)])
def test_a_signal_while_torch_imports_is_one_line(name, case):
    _, status, line = FAKE_TORCH[case]
    code, out, err = finished(f'linreg_{name}.py {case} during import')
    assert (code, err) == (status, f'linreg_{name}.py: {line}\n')
    assert out == ''


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_the_scripts_answer_flags_before_torch(name):
    code, out, _ = answered(f'linreg_{name}.py --help')
    assert code == 0 and '--lang {en,zh}' in out
    code, _, err = answered(f'linreg_{name}.py --lr x')
    assert code == 2
    assert one_line(err) == (f"linreg_{name}.py: error: argument "
                             "--lr: 'x' is not a number")


@pytest.mark.parametrize('argv', ENTRY_POINTS, ids=' '.join)
def test_a_python_without_torch_is_one_line(argv):
    code, _, err = finished('without torch: ' + ' '.join(argv))
    assert code == 1
    line = one_line(err)
    assert "No module named 'torch'" in line
    assert 'make setup' in line or '.venv/bin/python' in line


@pytest.mark.skipif(not BASH, reason=NO_BASH)
def test_devices_sh_finds_the_checkouts_venv_as_compare_sh_does():
    code, _, err = finished('devices.sh in a checkout')
    assert code == 1
    assert re.match(r'devices\.sh: \S*/checkout/\.venv/bin/python sees no',
                    one_line(err)), err


TIMES = ('train_seconds', 'epoch_seconds')


@pytest.mark.skipif('prefetch' not in RUNS, reason=NO_FORK)
def test_runs_made_beside_the_suite_are_the_runs_made_here():
    """helpers.results reads the PREFETCH runs from a child forked as the
    suite starts: they are what the suite's own process makes."""
    code, _, err = finished('prefetch')
    assert code == 0, err
    found = prefetched()
    assert set(found) == set(PREFETCH)
    for key in (('scratch',),
                ('concise', '--loss', 'huber', '--outlier', '10000')):
        here = run_here(*key).results()
        assert {k: v for k, v in found[key].items() if k not in TIMES} == \
            {k: v for k, v in here.items() if k not in TIMES}
