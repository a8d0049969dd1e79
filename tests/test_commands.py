"""Each entry point once, exactly as a user types it.

The commands (tests/commands.py) start with the session (conftest.py) and
run beside the rest of the suite; each test here reads its own, last. The
checks that need no torch (flags, --help) run where importing torch fails.
"""
import json

import pytest

from commands import BASH, ENTRY_POINTS, FOLDER, finished
from helpers import one_line

pytestmark = pytest.mark.background


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_the_script_as_typed_then_inspected_at_its_prompt(name):
    """`python -i linreg_NAME.py ...`, then the chapter's names typed at
    the prompt: the learned values, no traceback."""
    code, out, err = finished(f'-i {name}')
    assert code == 0, err
    assert 'Traceback' not in err and set(err.split()) <= {'>>>'}, err
    lines = out.splitlines()
    assert lines[-4].endswith(' sec training, 1 epochs (imports and data '
                              'generation excluded)')
    assert lines[-3].startswith(f'# linreg_{name}.py ran: ')
    result = json.loads(lines[-2])
    label, inspected = lines[-1].split(' ', 1)
    values = json.loads(inspected)
    assert label == 'INSPECT' and values[0] == result['w']
    if name == 'scratch':
        assert values[1:5] == [result['b'], 0.03, 10, 1]
    else:
        assert values[1:] == [0.03, 'MSELoss', 'DataLoader']


def test_sweep_as_typed():
    code, out, err = finished('sweep')
    assert code == 0, err
    assert 'diverged at epoch 1' in out
    assert [r['lr'] for r in json.loads(out.splitlines()[-1])] == [
        0.03, 0.03, 3.0, 3.0]


@pytest.mark.skipif(not BASH, reason='no bash here: python compare.py')
def test_compare_sh_as_typed():
    code, out, err = finished('compare.sh')
    assert code == 0, err
    summary = json.loads(out.splitlines()[-1])
    assert summary['scratch']['num_examples'] == 100
    assert 'concise/scratch time per epoch' in out


@pytest.mark.skipif(not BASH, reason='no bash here')
def test_a_closed_pipe_leaves_the_plot_written():
    """`./compare.sh --plot q.png | head -1`, a real pipe: the picture is
    written before the output, which stops quietly when `head` is done."""
    code, out, err = finished('compare.sh | head -1')
    assert code in (0, 141) and err == ''
    assert out.startswith('# 50 examples') and out.count('\n') == 1
    assert (FOLDER / 'q.png').read_bytes().startswith(b'\x89PNG')


@pytest.mark.parametrize('script', ['linreg_scratch.py', 'linreg_concise.py',
                                    'compare.py'])
def test_flags_are_answered_before_torch(script):
    code, out, err = finished(f'{script} --help')
    assert code == 0 and 'usage:' in out, err
    code, out, err = finished(f'{script} --lr x')
    assert code == 2 and "'x' is not a number" in one_line(err)
    code, out, err = finished('sweep.py --bogus')
    assert code == 2 and 'unrecognized arguments: --bogus' in one_line(err)


@pytest.mark.parametrize('argv', ENTRY_POINTS, ids=' '.join)
def test_a_python_without_torch_is_one_line(argv):
    code, out, err = finished('without torch: ' + ' '.join(argv))
    assert code == 1
    assert 'no module d2l' in one_line(err) and 'make setup' in err
