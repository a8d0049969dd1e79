"""The commands that the `background` tests read, started by conftest.py as
the session starts, so that they run beside the suite and are done when
their tests read them. Imports no torch itself."""
import atexit
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASH = shutil.which('bash') if os.name != 'nt' else None
ENV = dict(os.environ, PYTHON=sys.executable, PYTHONUNBUFFERED='1',
           OMP_NUM_THREADS='1')
RUNS = {}
FULL = True  # whether the `check` tests run too (start_all says)
# Where the commands write their files
FOLDER = Path(tempfile.mkdtemp())


def docs_here():
    """Whether this is where the documents' numbers were generated: Linux
    x86_64 with torch 2.14. Elsewhere their last digits may round
    otherwise, and another torch draws other data."""
    import platform
    from importlib import metadata
    try:
        torch = metadata.version('torch')
    except metadata.PackageNotFoundError:
        return False
    return (sys.platform == 'linux' and platform.machine() == 'x86_64'
            and torch.startswith('2.14.'))


DOCS_HERE = docs_here()
NOT_DOCS_HERE = ('not Linux x86_64 with torch 2.14, where the documents\' '
                 'numbers were generated')
# Typed at the prompt of `python -i linreg_scratch.py`, after the run:
# the chapter's names, which `d2l.set_figsize()` would have hidden
INSPECT = ("[w.detach().reshape(-1).tolist(), b.detach().tolist(), lr, "
           "batch_size, num_epochs, list(features.shape)]")
# Run in a Chinese locale, as a d2l-zh reader types them: each runner's
# report, errors, hints and --help, all in one process (tests/test_chinese.py)
CHINESE = (['compare.py', '--repeats', '1', '--equivalence'],
           ['compare.py', 'tests/typed_along/scratch.py',
            'tests/typed_along/concise.py', '--repeats', '0', '--lr', '1'],
           ['compare.py', '--help'], ['compare.py', '--lr', '-1'],
           ['sweep.py', 'lr', '--values', '0.03,3', '--num-epochs', '1'],
           ['sweep.py', '--help'], ['bench', 'linreg_scratch.py', '--lr', '3',
                                    '--num-epochs', '1'],
           ['bench', 'nowhere.py'], ['bench', '--help'],
           ['bench', 'HINT', '--num-epochs', '1'])
SPEAK = """
import contextlib, io, shutil, sys, tempfile
sys.path[:0] = ['.', 'tests']
import compare, sweep
from bench import __main__ as bench
import commands, helpers
hint = helpers.edited(helpers.Path(tempfile.mkdtemp()), 'scratch',
                      ('l.sum().backward()', 'l.backward()'))
mains = {'compare.py': compare.main, 'sweep.py': sweep.main,
         'bench': bench.main}
for program, *argv in commands.CHINESE:
    said = io.StringIO()
    with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said):
        helpers.status(mains[program], [str(hint) if a == 'HINT' else a
                                        for a in argv])
    print(said.getvalue(), end='\\0', flush=True)
"""
# Each says, in one line, that torch is missing
RUNNERS = [['compare.py'], ['sweep.py', 'lr'],
           ['-m', 'bench', 'linreg_scratch.py']]


def fake_torch(folder, source):
    """An environment whose `import torch` runs `source`."""
    folder.mkdir(parents=True)
    (folder / 'torch.py').write_text(source)
    return dict(ENV, PYTHONPATH=str(folder))


def start(name, *argv, env=ENV, typed='', cwd=ROOT):
    RUNS[name] = process = subprocess.Popen(
        argv, cwd=cwd, env=env, text=True, encoding='utf-8',
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.PIPE,
        start_new_session=os.name == 'posix')  # a group, killed whole
    process.stdin.write(typed)
    process.stdin.close()
    process.stdin = None  # so that communicate() writes nothing more


def copied_out(*names):
    """A folder that holds timer.py and linreg_NAME.py for each of `names`,
    and nothing else."""
    alone = Path(tempfile.mkdtemp(dir=FOLDER))
    for name in ('timer.py', *(f'linreg_{name}.py' for name in names)):
        shutil.copy(ROOT / name, alone / name)
    return alone


def start_all(full=True):
    """Start every command; each runs once, as a user types it. `full`:
    also those of the `check` tests (compare.sh into a closed pipe, the
    runners in Chinese, sweep.py and IPython's %run as typed)."""
    global FULL
    FULL = full
    py, folder = sys.executable, FOLDER
    no_torch = fake_torch(folder / 'no-torch',
                          'raise SystemExit("torch was imported")')
    for script in ('linreg_scratch.py', 'linreg_concise.py', 'compare.py'):
        start(f'{script} --help', py, script, '--help', env=no_torch)
    for script in ('linreg_scratch.py', 'linreg_concise.py'):
        start(f'{script} --lr x', py, script, '--lr', 'x', env=no_torch)
    start('compare.py --repeats x', py, 'compare.py', '--repeats', 'x',
          env=no_torch)
    start('sweep.py --bogus', py, 'sweep.py', '--bogus', env=no_torch)
    for argv in RUNNERS:  # -S: no site-packages, so no torch, no d2l
        start('without torch: ' + ' '.join(argv), py, '-S', *argv)
    if not full:
        return
    # Copied out with timer.py alone, run from another folder, then its
    # names typed at the prompt
    start('-i', py, '-i', str(copied_out('scratch') / 'linreg_scratch.py'),
          '--num-epochs', '1', cwd='/',
          typed=f"import json; print('INSPECT', json.dumps({INSPECT}))\n")
    if BASH:
        start('compare.sh | head -1', BASH, '-c', 'set -o pipefail; '
              '"$0" --num-examples 50 --repeats 1 | head -1',
              ROOT / 'compare.sh', cwd=folder)
    start('chinese', py, '-c', SPEAK, env=dict(
        ENV, LANG='zh_CN.UTF-8', LANGUAGE='', LC_ALL='', LC_MESSAGES=''))
    alone = copied_out('scratch', 'concise')
    for name in ('scratch', 'concise'):
        start(f'{name} copied out', py, str(alone / f'linreg_{name}.py'),
              '--num-epochs', '1', cwd='/')
    start('sweep', py, 'sweep.py', 'lr', '--values', '0.03,3',
          '--num-epochs', '1')
    start('%run', py, '-m', 'IPython', '--no-banner', '--colors=NoColor',
          '-c', '%run linreg_concise.py --lr 1')


def finished(name, timeout=600):
    """Wait for one started command: (status, stdout, stderr)."""
    process = RUNS[name]
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


@atexit.register
def _stop_leftovers():
    """A command that no test read (a session that ran a few tests) is
    killed with every process it started."""
    for process in RUNS.values():
        if process.poll() is None:
            if os.name == 'posix':
                os.killpg(process.pid, signal.SIGKILL)
            else:
                process.kill()
