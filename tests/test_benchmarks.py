"""The benchmarks at a tiny size: they run and print their figures; and
the Makefile's environment key follows requirements.txt."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The README's make commands are for Linux and macOS
MAKE = shutil.which('make') if os.name != 'nt' else None
NO_MAKE = ('Windows: the README has the plain-pip path there, not make'
           if os.name == 'nt' else 'no make on this machine')
sys.path.insert(0, str(ROOT / 'benchmarks'))
import book_vs_ours  # noqa: E402
import scale  # noqa: E402
import startup  # noqa: E402


def test_scale_alternates_and_prints_ratios(capsys, monkeypatch):
    monkeypatch.delattr(os, 'fork', raising=False)  # no fork under pytest
    assert scale.main(['--sizes', '20,40', '--repeats', '2']) == 0
    out = capsys.readouterr().out.splitlines()
    rows = [line.split() for line in out if line.strip()[:2] in ('20', '40')]
    assert len(rows) == 8  # four loaders at two sizes
    assert {row[-2] for row in rows} == {'2'}  # two runs each
    assert out[-2].startswith('at 40: book / batched = ')
    assert out[-1].startswith('at 40: batched / bare = ')
    assert 'target' not in out[-1]  # the targets apply at 1e6 alone


def test_book_vs_ours_times_all_four(capsys):
    book_vs_ours.main(['--repeats', '1', '--processes', '0',
                       '--num-examples', '100'])
    out = capsys.readouterr().out
    for name in ('book scratch', 'our scratch', 'book concise',
                 'our concise', 'our/book scratch', 'our/book concise'):
        assert name in out


def test_startup_compares_with_its_baseline(capsys, monkeypatch):
    quick = {'baseline': [sys.executable, '-c', 'pass'],
             'help': [sys.executable, 'compare.py', '--help']}
    monkeypatch.setattr(startup, 'FLAGS', quick)
    assert startup.main(['--repeats', '2']) == 0
    out = capsys.readouterr().out
    assert '(baseline)' in out and 'x (target <= 0.3)' in out


@pytest.mark.skipif(not MAKE, reason=NO_MAKE)
def test_makefile_reinstalls_when_requirements_change(tmp_path):
    for name in ('Makefile', 'requirements.txt'):
        shutil.copy(ROOT / name, tmp_path / name)

    def plan():
        return subprocess.run(
            ['make', '-n', 'setup', f'PYTHON={sys.executable}', 'VENV=v'],
            cwd=tmp_path, capture_output=True, text=True, timeout=60).stdout
    first = plan()
    assert '-m venv' in first and 'pip install -r requirements.txt' in first
    stamp = first.split('touch ')[-1].split()[0].strip('"')
    assert stamp.startswith('v/.installed-') and len(stamp) > len(
        'v/.installed--d2l==1.0.3')
    (tmp_path / 'v').mkdir()
    (tmp_path / stamp).touch()
    assert 'pip install' not in plan()  # set up: nothing to do
    with open(tmp_path / 'requirements.txt', 'a') as f:
        f.write('tqdm\n')
    assert 'pip install -r requirements.txt' in plan()


@pytest.mark.skipif(not MAKE, reason=NO_MAKE)
def test_makefile_refuses_a_venv_with_a_space(tmp_path):
    for name in ('Makefile', 'requirements.txt'):
        shutil.copy(ROOT / name, tmp_path / name)
    done = subprocess.run(['make', 'setup', f'PYTHON={sys.executable}',
                           'VENV=my venv'], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2
    assert "VENV='my venv' holds a space" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        'Makefile', 'requirements.txt']


def test_benchmarks_refuse_a_size_that_cannot_fit(capsys):
    for main, argv in ((scale.main, ['--sizes', f'10,{10 ** 12}']),
                       (book_vs_ours.main, ['--num-examples', f'{10 ** 12}'])):
        with pytest.raises(SystemExit) as stop:
            main(argv)
        assert stop.value.code == 2
        assert 'GB of memory' in capsys.readouterr().err
