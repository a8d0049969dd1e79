"""requirements.txt holds the pins of uv.lock, the same packages at the same
versions, so that pip and uv install one environment; and the lock holds
what pyproject.toml asks for."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from commands import ROOT

NAME = re.compile(r'^\[\[package\]\]\nname = "([^"]+)"\nversion = "([^"]+)"',
                  re.M)


def normal(name):
    return re.sub(r'[-_.]+', '-', name).lower()


def locked():
    """{(name, version)} of uv.lock, less the project itself."""
    text = (ROOT / 'uv.lock').read_text(encoding='utf-8')
    return {(normal(n), v) for n, v in NAME.findall(text)} - {
        ('linreg-d2l', '0')}


def pinned():
    """{(name, version)} of requirements.txt's `name==version` lines."""
    pins = set()
    for line in (ROOT / 'requirements.txt').read_text().splitlines():
        if line.strip() and not line.startswith('#'):
            requirement = line.split(';')[0].strip()
            assert '==' in requirement, f'not an exact pin: {line}'
            name, version = requirement.split('==')
            pins.add((normal(name), version))
    return pins


def test_requirements_txt_pins_what_the_lock_pins():
    assert pinned() == locked()


def test_the_lock_holds_every_dependency_and_torch_at_the_docs_version():
    text = (ROOT / 'pyproject.toml').read_text(encoding='utf-8')
    asked = re.findall(r'^\s+"([A-Za-z0-9_.-]+)[<>=!~;\[ ]', text, re.M)
    names = {name for name, _ in locked()}
    assert len(asked) >= 12 and {normal(a) for a in asked} <= names
    # The documents' numbers were made with these; d2l's import chain
    # stops at torch 2.14 (no torchvision for 2.15)
    assert ('torch', '2.14.1') in locked()
    assert ('torchvision', '0.29.1') in locked()
    assert not any(name == 'd2l' for name in names)  # --no-deps, apart


def test_uv_exports_requirements_txt_as_it_is():
    uv = shutil.which('uv', path=str(Path(sys.executable).parent)) or \
        shutil.which('uv')
    if not uv:
        pytest.skip('uv is not installed (make setup installs it)')
    done = subprocess.run(
        [uv, 'export', '--format', 'requirements-txt', '--no-hashes',
         '--no-emit-project', '--no-annotate', '--no-header', '--locked'],
        cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    body = [line for line in (ROOT / 'requirements.txt').read_text()
            .splitlines() if not line.startswith('#')]
    assert done.stdout.splitlines() == body
