"""The shell scripts pass ShellCheck and the public workflow actionlint,
where the linters are installed (requirements-lint.txt; .ci/run installs
them)."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from commands import ROOT

BIN = Path(sys.executable).parent
SHELL = ['compare.sh', '.ci/run', *sorted(
    str(p.relative_to(ROOT)) for p in (ROOT / 'benchmarks').glob('*.sh'))]


def linter(name):
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if not found:
        pytest.skip(f'{name} is not installed (requirements-lint.txt)')
    return found


def test_the_shell_scripts_pass_shellcheck():
    done = subprocess.run([linter('shellcheck'), *SHELL], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_workflow_passes_actionlint():
    done = subprocess.run([linter('actionlint'),
                           '.github/workflows/ci.yml'], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
