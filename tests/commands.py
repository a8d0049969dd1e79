"""The commands that test_commands.py checks, started by conftest.py as
the session starts, so that their imports of torch run beside the suite's.
Imports no torch itself."""
import atexit
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASH = shutil.which('bash')
ENV = dict(os.environ, PYTHON=sys.executable, PYTHONUNBUFFERED='1')
RUNS = {}


def no_torch_env(folder):
    """An environment in which `import torch` fails loudly."""
    (Path(folder) / 'torch.py').write_text(
        'raise SystemExit("torch was imported")')
    return dict(ENV, PYTHONPATH=str(folder))


def lower_priority():
    """Let the suite's own process, the longest path, go first."""
    if hasattr(os, 'nice'):
        os.nice(10)


def start_all(scratch_folder):
    def start(name, *argv, env=ENV):
        RUNS[name] = subprocess.Popen(
            argv, cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            preexec_fn=lower_priority if os.name == 'posix' else None)
    py = sys.executable
    start('scratch', py, 'linreg_scratch.py', '--num-epochs', '1', '--json')
    start('concise', py, 'linreg_concise.py', '--num-epochs', '1', '--json')
    start('sweep', py, 'sweep.py', 'lr', '--values', '0.03,3', '--impl',
          'scratch', '--num-epochs', '1', '--json')
    if BASH:
        start('compare.sh', BASH, 'compare.sh', '--num-examples', '100',
              '--repeats', '1', '--json')
        # Without torch: its check for a GPU, then its one-line answer
        start('devices.sh', BASH, 'benchmarks/devices.sh',
              env=no_torch_env(scratch_folder))


def finished(name):
    """Wait for one started command: (status, stdout, stderr)."""
    if name not in RUNS:  # not started with the session: start it now
        import tempfile
        start_all(tempfile.mkdtemp())
    out, err = RUNS[name].communicate(timeout=300)
    return RUNS[name].returncode, out, err


@atexit.register
def _stop_leftovers():
    for process in RUNS.values():
        if process.poll() is None:
            process.kill()
