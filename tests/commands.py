"""The commands that test_commands.py checks, started by conftest.py as
the session starts, so that their imports of torch run beside the suite's.
Imports no torch itself."""
import atexit
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# compare.sh is for Linux and macOS; on Windows, `bash` may be WSL's
BASH = shutil.which('bash') if os.name != 'nt' else None
NO_BASH = ('Windows: compare.sh needs bash; the README has `python '
           'compare.py` there' if os.name == 'nt' else
           'no bash on this machine: use python compare.py')
# One thread each: the runs are tiny, and the processes share two cores
ENV = dict(os.environ, PYTHON=sys.executable, PYTHONUNBUFFERED='1',
           OMP_NUM_THREADS='1')
RUNS = {}


def docs_here():
    """Whether this is where the documents' numbers were generated: Linux
    x86_64 with torch 2.14. Elsewhere their last digits may round
    otherwise, and other data (another torch) give other numbers."""
    from importlib import metadata
    try:
        torch = metadata.version('torch')
    except metadata.PackageNotFoundError:
        return False
    return (sys.platform == 'linux' and platform.machine() == 'x86_64'
            and torch.startswith('2.14.'))


DOCS_HERE = docs_here()
NOT_DOCS_HERE = ('not Linux x86_64 with torch 2.14, where the documents\' '
                 'numbers were generated: the last digits may differ')


def no_torch_env(folder):
    """An environment in which `import torch` fails loudly."""
    (Path(folder) / 'torch.py').write_text(
        'raise SystemExit("torch was imported")')
    return dict(ENV, PYTHONPATH=str(folder))


def lower_priority():
    """Let the suite's own process, the longest path, go first."""
    if hasattr(os, 'nice'):
        os.nice(10)


# Typed at the prompt of `python -i`, after the run: the chapter's names
INSPECT = {
    'scratch': "[w.detach().reshape(-1).tolist(), b.detach().tolist(), "
               "lr, batch_size, num_epochs, list(features.shape), "
               "list(labels.shape)]",
    'concise': "[net[0].weight.data.reshape(-1).tolist(), "
               "net[0].bias.data.tolist(), trainer.param_groups[0]['lr'], "
               "batch_size, num_epochs, type(loss).__name__, "
               "type(data_iter).__name__]",
}


def start_all(scratch_folder):
    def start(name, *argv, env=ENV, typed=None):
        RUNS[name] = process = subprocess.Popen(
            argv, cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, stdin=subprocess.PIPE,
            encoding='utf-8',
            preexec_fn=lower_priority if os.name == 'posix' else None)
        process.stdin.write(typed or '')
        process.stdin.close()
    py = sys.executable
    # The README's `python -i`; the concise script's names are checked in
    # the suite's own process (test_commands.py), sparing an import of d2l
    start('scratch', py, '-i', 'linreg_scratch.py', '--num-epochs', '1',
          '--json', typed=f"import json; print('INSPECT', "
                          f"json.dumps({INSPECT['scratch']}))\n")
    start('sweep', py, 'sweep.py', 'lr', '--values', '0.03,3', '--impl',
          'scratch', '--num-epochs', '1', '--json')
    if DOCS_HERE:
        start('docs', py, 'docs/generate.py', '--check')
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
    process = RUNS[name]
    out, err = process.stdout.read(), process.stderr.read()
    process.wait(timeout=300)
    return process.returncode, out, err


@atexit.register
def _stop_leftovers():
    for process in RUNS.values():
        if process.poll() is None:
            process.kill()
