"""Every platform the README names: the workflow that runs it there, linted
here; and the fallbacks that stand in for what only POSIX has."""
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench import cli

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / '.github' / 'workflows' / 'ci.yml'


def linter(name):
    """The linter beside this Python (requirements-lint.txt), or on PATH."""
    here = Path(sys.executable).parent / name
    found = shutil.which(name, path=str(here.parent)) or shutil.which(name)
    if not found:
        pytest.skip(f'any platform: {name} is not installed here '
                    '(pip install -r requirements-lint.txt; .ci/run does)')
    return found


def test_the_workflow_passes_actionlint_and_its_scripts_shellcheck():
    actionlint = linter('actionlint')
    shellcheck = linter('shellcheck')  # actionlint runs it on `run:` steps
    env = dict(os.environ, PATH=os.pathsep.join(
        [str(Path(shellcheck).parent), os.environ.get('PATH', '')]))
    done = subprocess.run([actionlint, str(WORKFLOW)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize('script', ['compare.sh', '.ci/run',
                                    'benchmarks/devices.sh'])
def test_the_shell_scripts_pass_shellcheck(script):
    done = subprocess.run([linter('shellcheck'), script], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def readme_block(heading):
    """The first ```sh block after `heading` in the README: its commands."""
    text = (ROOT / 'README.md').read_text(encoding='utf-8')
    block = text.split(heading, 1)[1].split('```sh\n', 1)[1].split('```')[0]
    return [line.split('#')[0].strip() for line in block.splitlines()
            if line.split('#')[0].strip()]


def test_the_workflow_runs_the_readmes_commands_on_every_platform():
    workflow = WORKFLOW.read_text(encoding='utf-8')
    assert readme_block('## The two commands') == ['make compare',
                                                   'make test']
    for command in ('make compare PYTHON=python', 'make test PYTHON=python'):
        assert f'run: {command}' in workflow
    plain = readme_block('**Without make or bash**')
    venv_python = '${{ env.VENV_PYTHON }}'
    for command in plain:
        step = command.replace('.venv/bin/python', venv_python)
        assert f'run: {step}' in workflow, command
    assert "'.venv\\Scripts\\python' || '.venv/bin/python'" in workflow
    # Every Python the README names, on Linux; the oldest and newest on
    # macOS and Windows
    names = re.search(r'Python (3\.\d+) to (3\.\d+)', (
        ROOT / 'README.md').read_text(encoding='utf-8')).groups()
    assert names == ('3.10', '3.13')
    assert "python: ['3.10', '3.11', '3.12', '3.13']" in workflow
    assert "os: [ubuntu-latest, macos-latest, windows-latest]" in workflow
    assert "python: ['3.10', '3.13']" in workflow
    assert workflow.count('cache: pip') == 3


def test_free_memory_comes_from_psutil_on_every_platform(monkeypatch):
    import psutil
    monkeypatch.setattr(psutil, 'virtual_memory', lambda: type(
        'Memory', (), {'available': 2 * 10 ** 9})())
    assert cli.free_memory() == 2 * 10 ** 9
    refusal = cli.memory_refusal(10 ** 8)
    assert 'of memory and 2.0 GB are free; try at most' in refusal
    monkeypatch.setitem(sys.modules, 'psutil', None)  # not installed
    assert cli.free_memory() is None


def test_without_resource_there_is_no_address_space_limit(monkeypatch):
    """Windows has no `resource` module and no `ulimit -v`."""
    monkeypatch.setitem(sys.modules, 'resource', None)
    assert cli.address_space_left() is None


def test_with_no_handlers_installed_the_json_is_still_written(monkeypatch):
    """A runner's own process (or Windows, where SIGTERM has no handler to
    run): nothing to hold, the line is written all the same."""
    monkeypatch.setattr(cli.Signals, 'active', None)
    out = io.StringIO()
    monkeypatch.setattr(sys, 'stdout', out)
    cli.write_whole('{"a": 1}')
    assert out.getvalue() == '{"a": 1}\n'


def test_sighup_is_handled_only_where_there_is_one():
    import signal
    assert (signal.SIGHUP in cli.HANDLED) == hasattr(signal, 'SIGHUP')
    assert signal.SIGINT in cli.HANDLED and signal.SIGTERM in cli.HANDLED
