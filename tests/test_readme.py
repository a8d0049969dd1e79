"""What the documents tell a newcomer is true when they run it: the README's
"What to run next" as typed (`make check`), and each sentence that a run
can check, checked by that run."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import pytest

from commands import BASH, ENV, ROOT
from helpers import program, run

README = (ROOT / 'README.md').read_text(encoding='utf-8')
DOCS = [ROOT / name for name in ('README.md', 'README.zh-CN.md',
                                 'BENCHMARKS.md', 'docs/reference.md',
                                 'docs/exercises.md', 'docs/en-1.0.md')]


def next_commands():
    """The commands of the README's "What to run next", as typed."""
    block = README.split('## What to run next')[1].split('```')[1]
    return [line.split('  #')[0].strip() for line in block.splitlines()[1:]
            if line.strip()]


@pytest.mark.check
@pytest.mark.skipif(not BASH, reason='the README types bash commands')
def test_what_to_run_next_runs_as_typed():
    """In a copy of the checkout beside this .venv, each command exits 0."""
    copy = tempfile.mkdtemp()
    files = subprocess.run(['git', 'ls-files'], cwd=ROOT, text=True,
                           capture_output=True, check=True).stdout.split()
    for name in files:
        os.makedirs(os.path.dirname(os.path.join(copy, name)), exist_ok=True)
        shutil.copy(ROOT / name, os.path.join(copy, name))
    os.symlink(os.path.dirname(os.path.dirname(sys.executable)),
               os.path.join(copy, '.venv'))
    for command in next_commands():
        done = subprocess.run(command, shell=True, cwd=copy, text=True,
                              capture_output=True, env=dict(ENV, PYTHON=''),
                              timeout=600, executable=BASH)
        assert done.returncode == 0, (command, done.stderr[-500:])


def test_the_commands_shown_next_run_in_the_venv_the_two_commands_made():
    for command in next_commands():
        assert command.startswith(('./compare.sh', '.venv/bin/python ')), \
            command


def test_the_opening_says_what_the_pasted_run_shows():
    """README's first claim: "faster" is true per epoch, which the run
    pasted below it shows (docs/generate.py --check keeps it the run's)."""
    opening = ' '.join(README.split('## ')[0].split())
    assert '"Faster" is true per epoch' in opening
    assert '"More accurate" is an artefact' in opening
    ratio = re.search(r'concise takes ([\d.]+)x as long as scratch', README)
    assert float(ratio[1]) > 1


def test_the_seeds_help_says_the_book_sets_none(capsys):
    assert program('concise', '--help') == 0
    assert "the book's: none; 0 here" in ' '.join(
        capsys.readouterr().out.split())


def test_by_epoch_3_the_mse_is_at_lstsqs_and_the_errors_are_not():
    """README: the MSE reaches the `lstsq` row's by epoch 3, while the
    errors in w and b still move."""
    ran = run('scratch')
    assert ran.mse == pytest.approx(ran.lstsq['mse'], rel=0.02)

    def error(w):
        return max(abs(t - v) for t, v in zip(ran.true_w, w))
    assert error(ran.w) > 2 * error(ran.lstsq['w'])


def test_the_num_examples_sweep_keeps_3_epochs_so_few_examples_few_steps():
    assert run('scratch', '--num-examples', '5').steps_per_epoch == [1] * 3
    assert 'each point 3 epochs, so a small n is also few steps' in (
        ROOT / 'docs' / 'exercises.md').read_text(encoding='utf-8')


def test_no_document_names_what_is_gone_or_says_the_scripts_print_hints():
    for path in DOCS:
        text = path.read_text(encoding='utf-8')
        for gone in ('args.device', '--device', '--outlier', 'answers.py',
                     'hint the scripts print', '--huber-sigma', '--plot',
                     '--json', '--loss', '--reduction', '--impl', '--only',
                     'sweep.py loss'):
            assert gone not in text, (path.name, gone)


def test_the_machine_of_every_time_is_named():
    """A time in the README is this project's machine's, said so."""
    assert "run on this project's 2-core Linux machine" in ' '.join(
        README.split())
    assert not re.search(r'\d+(\.\d+)? s and', README)
