"""The book's own environments (benchmarks/book_envs.sh): both chapter
scripts, their --help and every exercise script run there, and print the
book's numbers, digit for digit as here; so does `python -m bench`, and
./compare.sh from a checkout with no .venv, that environment's python3 on
PATH, on the book's pair and on the pairs typed along. Slow (it builds two
environments the first time): `make check`."""
import subprocess

import pytest

from commands import ROOT


@pytest.mark.check
def test_every_script_runs_in_both_book_environments():
    done = subprocess.run(['bash', 'benchmarks/book_envs.sh'], cwd=ROOT,
                          capture_output=True, text=True, timeout=1800)
    if done.returncode == 3:  # no Python 3.9 or 3.10 on this machine
        pytest.skip(done.stderr.strip())
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert 'torch 1.12.0' in out and 'torch 2.0.0' in out
    assert 'failed' not in out, out
    assert out.count('ok  epoch 1, loss 0.039385') == 2
    assert out.count('ok  epoch 1, loss 0.000241') == 2
    assert out.count('0.039385      0.000241') == 2  # compare.sh's table
    assert out.count('0.039163      0.000247') == 2  # a pair typed along
    assert out.count('2.415773      0.571757') == 1  # en 1.0's, in en 1.0's
