"""Each entry point once, exactly as a user types it.

The commands (tests/commands.py) start with the session (conftest.py) and
run beside the rest of the suite; each test here reads its own, last. The
checks that need no torch (flags, --help) run where importing torch fails.
A chapter script run directly is plain Python: only its flags are ours.
"""
import json
import shutil
import subprocess
import sys

import pytest

from commands import BASH, ENV, ROOT, RUNNERS, finished
from helpers import one_line

pytestmark = pytest.mark.background


@pytest.mark.check
def test_the_script_as_typed_then_inspected_at_its_prompt():
    """`python -i linreg_scratch.py`, copied out with timer.py alone and run
    from another folder, then the chapter's names typed at the prompt,
    `>>>`: `d2l.set_figsize()`'s IPython shell took neither."""
    code, out, err = finished('-i')
    assert code == 0, err
    assert 'Traceback' not in err and set(err.split()) <= {'>>>'}, err
    lines = out.splitlines()
    assert lines[-2].endswith(' sec training, 1 epochs (imports and data '
                              'generation excluded)')
    label, inspected = lines[-1].split(' ', 1)
    assert label == 'INSPECT'
    w, b, lr, batch_size, num_epochs, shape = json.loads(inspected)
    assert [lr, batch_size, num_epochs, shape] == [0.03, 10, 1, [1000, 2]]
    assert f'error in estimating b: tensor([{4.2 - b[0]:.4f}]' in out


@pytest.mark.check
@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_each_script_copied_out_with_the_timer_runs_from_anywhere(name):
    """Each script and timer.py alone in an empty folder, run from /: the
    chapter's lines, and nothing of the bench needed (make test runs the
    scratch script so, at the prompt of `python -i`)."""
    code, out, err = finished(f'{name} copied out')
    assert code == 0, err
    first = {'scratch': '0.039385', 'concise': '0.000241'}[name]
    assert f'epoch 1, loss {first}' in out.splitlines()
    assert out.splitlines()[-1].endswith('sec training, 1 epochs (imports '
                                         'and data generation excluded)')


@pytest.mark.check
def test_sweep_as_typed():
    code, out, err = finished('sweep')
    assert code == 0, err
    rows = [line.split()[:2] for line in out.splitlines()[1:]]
    assert rows == [[lr, name] for lr in ('0.03', '3')
                    for name in ('scratch', 'concise', 'lstsq')]
    assert 'diverged at epoch 1' in out


@pytest.mark.check
@pytest.mark.skipif(not BASH, reason='no bash here')
def test_compare_sh_as_typed_into_a_closed_pipe():
    """`./compare.sh --num-examples 50 | head -1`, a real pipe, from another
    folder: the line of what ran, then a quiet stop when `head` is done."""
    code, out, err = finished('compare.sh | head -1')
    assert code in (0, 141) and err == ''
    assert out.startswith('# 50 examples, 3 epochs of 5 steps (batch 10)')


@pytest.mark.parametrize('script', ['linreg_scratch.py', 'linreg_concise.py',
                                    'compare.py'])
def test_flags_are_answered_before_torch(script):
    code, out, err = finished(f'{script} --help')
    assert code == 0 and 'usage:' in out, err
    bad = 'compare.py --repeats x' if script == 'compare.py' else \
        f'{script} --lr x'
    code, out, err = finished(bad)
    assert code == 2 and 'invalid' in err and 'Traceback' not in err
    code, out, err = finished('sweep.py --bogus')
    assert code == 2 and 'name one setting' in one_line(err)


@pytest.mark.parametrize('argv', RUNNERS, ids=' '.join)
def test_a_runner_in_a_python_without_torch_is_one_line(argv):
    code, out, err = finished('without torch: ' + ' '.join(argv))
    assert code == 1
    assert 'has no torch' in one_line(err) and 'make setup' in err


@pytest.mark.skipif(not BASH, reason='no bash here')
def test_a_clone_made_with_autocrlf_runs_compare_sh(tmp_path):
    """Git for Windows clones with core.autocrlf=true: .gitattributes keeps
    the scripts at LF, so `./compare.sh --help` still runs."""
    clone = tmp_path / 'clone'
    git = ['git', '-c', 'core.autocrlf=true']
    subprocess.run([*git, 'clone', '-q', '--no-hardlinks', str(ROOT),
                    str(clone)], check=True, capture_output=True)
    for name in ('compare.sh', 'Makefile', 'compare.py', '.ci/run'):
        assert b'\r\n' not in (clone / name).read_bytes(), name
    done = subprocess.run(['./compare.sh', '--help'], cwd=clone,
                          capture_output=True, text=True,
                          env=dict(ENV, PYTHON=sys.executable))
    assert done.returncode == 0 and 'usage: compare.sh' in done.stdout, \
        done.stderr


@pytest.mark.skipif(not BASH or not shutil.which('make'), reason='no make')
def test_setup_refuses_a_python_outside_the_range_before_any_venv(
        tmp_path):
    """`make compare` with the book's Python 3.9 (here a stand-in that
    says so, so that nothing is downloaded): one line, no .venv; and a
    .venv an earlier try left with it is removed, not reused."""
    fake = tmp_path / 'python3.9'
    fake.write_text('#!/bin/sh\n[ "$1" = --version ] && echo Python 3.9.18 '
                    '&& exit 0\nexit 1\n')
    fake.chmod(0o755)
    left = tmp_path / 'left'
    (left / 'bin').mkdir(parents=True)
    (left / 'bin' / 'python').symlink_to(fake)
    for venv in (tmp_path / 'new', left):
        done = subprocess.run(['make', '--no-print-directory', 'setup',
                               f'PYTHON={fake}', f'VENV={venv}'], cwd=ROOT,
                              text=True, capture_output=True, env=ENV)
        assert done.returncode == 2 and not venv.exists()
        assert 'Python 3.9.18; the environment needs Python 3.10 to 3.13: ' \
            'name one, as in make compare PYTHON=python3.11' in one_line(
                done.stderr)
    assert done.stdout.startswith(f'make: {left} holds Python 3.9.18, left')
