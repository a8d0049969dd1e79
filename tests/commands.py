"""The commands that test_commands.py checks, started by conftest.py as
the session starts, so that they run beside the suite (their imports of
torch, and the answers that need none) and are done when their tests read
them. Imports no torch itself."""
import atexit
import os
import platform
import shutil
import signal
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


# A fake torch whose import is interrupted: (its source, the status and
# the line the script must end with)
FAKE_TORCH = {
    # Ctrl-C while torch imports
    'ctrl-c': ('raise KeyboardInterrupt', 130, 'interrupted (Ctrl-C)'),
    # SIGTERM while torch imports
    'sigterm': ('import os, signal, time\n'
                'os.kill(os.getpid(), signal.SIGTERM)\n'
                'time.sleep(30)', 143,
                'terminated; nothing was left half-written'),
    # Ctrl-C and SIGTERM at once: the second is not raised in the first's
    # clean-up
    'both': ('import os, signal, time\n'
             'both = {signal.SIGINT, signal.SIGTERM}\n'
             'signal.pthread_sigmask(signal.SIG_BLOCK, both)\n'
             'os.kill(os.getpid(), signal.SIGTERM)\n'
             'os.kill(os.getpid(), signal.SIGINT)\n'
             'signal.pthread_sigmask(signal.SIG_UNBLOCK, both)\n'
             'time.sleep(30)', 130, 'interrupted (Ctrl-C)'),
}
# Windows: no POSIX signals to block or send
SIGNAL_CASES = ['ctrl-c'] + (['sigterm', 'both']
                             if hasattr(signal, 'pthread_sigmask') else [])
# Each must say, in one line, that torch is missing
ENTRY_POINTS = [['linreg_scratch.py'], ['linreg_concise.py'], ['compare.py'],
                ['sweep.py', 'lr'],
                ['benchmarks/startup.py', '--repeats', '1'],
                ['benchmarks/scale.py', '--sizes', '10'],
                ['benchmarks/book_vs_ours.py']]

# -P: Python 3.11 and later
PYTHON_FLAGS = [flags for flags in (['-P'], ['-I'], ['-OO'])
                if flags != ['-P'] or sys.version_info >= (3, 11)]
FLAGGED = ['compare.py', 'sweep.py', 'linreg_scratch.py', 'linreg_concise.py']


def fake_torch(folder, source):
    """An environment whose `import torch` runs `source`."""
    folder.mkdir(parents=True)
    (folder / 'torch.py').write_text(source)
    return dict(ENV, PYTHONPATH=str(folder))


def start_all(scratch_folder, only=None):
    """Start every command (or those named in `only`)."""
    def start(name, *argv, env=ENV, typed=None, cwd=ROOT):
        if only is not None and name not in only:
            return
        RUNS[name] = process = subprocess.Popen(
            argv, cwd=cwd, env=env, text=True, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, stdin=subprocess.PIPE,
            encoding='utf-8',
            preexec_fn=lower_priority if os.name == 'posix' else None)
        process.stdin.write(typed or '')
        process.stdin.close()
    py, folder = sys.executable, Path(scratch_folder)
    # The README's `python -i`; the concise script's names are checked in
    # the suite's own process (test_commands.py), sparing an import of d2l
    start('scratch', py, '-i', 'linreg_scratch.py', '--num-epochs', '1',
          '--json', typed=f"import json; print('INSPECT', "
                          f"json.dumps({INSPECT['scratch']}))\n")
    start('sweep', py, 'sweep.py', 'lr', '--values', '0.03,3', '--impl',
          'scratch', '--num-epochs', '1', '--json')
    # An environment in which `import torch` fails loudly
    no_torch = fake_torch(folder / 'no-torch',
                          'raise SystemExit("torch was imported")')
    if BASH:
        start('compare.sh', BASH, 'compare.sh', '--num-examples', '100',
              '--repeats', '1', '--json')
        # Without torch: its check for a GPU, then its one-line answer
        start('devices.sh', BASH, 'benchmarks/devices.sh', env=no_torch)

    # The answers that need no torch: each command here fails if it
    # imports torch, or meets a fake torch
    for name in ('scratch', 'concise'):
        script = f'linreg_{name}.py'
        start(f'{script} --help', py, script, '--help', env=no_torch)
        start(f'{script} --lr x', py, script, '--lr', 'x', env=no_torch)
        for case in SIGNAL_CASES:
            start(f'{script} {case} during import', py, script,
                  env=fake_torch(folder / f'{case}-{name}',
                                 FAKE_TORCH[case][0]))
    start('sweep.py lr --bogus', py, 'sweep.py', 'lr', '--bogus',
          env=no_torch)
    start('compare.py --help', py, 'compare.py', '--help', env=no_torch)
    missing = fake_torch(folder / 'missing', (
        "raise ModuleNotFoundError(\"No module named 'torch'\", "
        "name='torch')"))
    for argv in ENTRY_POINTS:
        start('without torch: ' + ' '.join(argv), py, *argv, env=missing)
    # Python flags that leave the script's folder off the path (-P, -I) or
    # drop the docstrings (-OO), from another folder
    for flags in PYTHON_FLAGS:
        for command in FLAGGED:
            start(f'python {" ".join(flags)} {command} --help', py, *flags,
                  str(ROOT / command), '--help', cwd=folder)
    if BASH:
        start_shell_answers(start, folder, no_torch)
    docs = DOCS_HERE and (only is None or 'docs' in only)
    forks = FORK and (docs or only is None) and before_forking()
    if docs:  # as a command where the suite cannot import what it needs
        if forks:
            RUNS['docs'] = Forked(docs_check(), folder / 'docs')
        else:
            start('docs', py, 'docs/generate.py', '--check')
    if forks and only is None:
        RUNS['prefetch'] = Forked(prefetch, folder / 'prefetch', lower=False)


def start_shell_answers(start, folder, no_torch):
    start('compare.sh --help', BASH, 'compare.sh', '--help', env=no_torch)
    start('compare.sh --lr abc', BASH, 'compare.sh', '--lr', 'abc',
          env=no_torch)
    # Through a symbolic link, and from `sh`, it finds compare.py all the same
    link = folder / 'cmp'
    link.symlink_to(ROOT / 'compare.sh')
    start('a link to compare.sh --help', str(link), '--help', env=no_torch,
          cwd=folder)
    if shutil.which('sh'):
        start('sh compare.sh --help', 'sh', 'compare.sh', '--help',
              env=no_torch)
    start('compare.sh with no python', BASH, str(ROOT / 'compare.sh'),
          env=dict(ENV, PYTHON=str(folder / 'no-python')))
    # devices.sh in a checkout of its own, whose .venv sees no GPU
    checkout = folder / 'checkout'
    (checkout / 'benchmarks').mkdir(parents=True)
    shutil.copy(ROOT / 'benchmarks' / 'devices.sh', checkout / 'benchmarks')
    fake = checkout / '.venv' / 'bin' / 'python'
    fake.parent.mkdir(parents=True)
    fake.write_text('#!/bin/sh\nexit 1\n')
    fake.chmod(0o755)
    start('devices.sh in a checkout', BASH, 'benchmarks/devices.sh',
          cwd=checkout, env={k: v for k, v in ENV.items() if k != 'PYTHON'})


# Linux: a process that has imported torch forks safely there (macOS's
# frameworks may not survive a fork; Windows has none)
FORK = sys.platform == 'linux'
NO_FORK = ('not Linux, where the suite forks its children'
           if not FORK else 'the suite was not started whole (pytest with a '
           'folder, or test_commands.py)')
# The book-size runs that test_exercises.py reads through helpers.results,
# made in a child forked as the suite starts (the suite's core is its
# longest path); any other is made in the suite's process when first asked
PREFETCH = [
    (name, *argv) for name in ('scratch', 'concise') for argv in (
        (), ('--loss', 'huber'), ('--loss', 'abs'),
        ('--loss', 'huber', '--num-epochs', '5'),
        ('--loss', 'huber', '--num-epochs', '1'),
        ('--loss', 'huber', '--huber-sigma', '0.5', '--num-epochs', '1'),
        ('--loss', 'squared', '--outlier', '10000'),
        ('--loss', 'abs', '--outlier', '10000'),
        ('--loss', 'huber', '--outlier', '10000'),
        ('--sorted', '--lr', '0.1'), ('--sorted', '--lr', '0.1',
                                      '--no-shuffle'),
        ('--init', 'zeros'))] + [
    ('concise', '--lr', '0.03', '--batch-size', '10'),
    ('concise', '--reduction', 'sum', '--lr', '0.003', '--batch-size', '10'),
    ('concise', '--loader', 'batched')]


def prefetch():
    """Make the PREFETCH runs; print their results as one JSON line."""
    import json
    from helpers import run
    print(json.dumps([[key, run(*key).results()] for key in PREFETCH]))


def prefetched(key=None):
    """The PREFETCH results by key (or the one of `key`, None if it is not
    one), once the child has made them; none if it was not started (a test
    run alone) or failed (the suite's process then makes them, and shows
    what fails)."""
    if key is not None:
        return prefetched().get(key) if key in PREFETCH else None
    if 'prefetch' not in RUNS:
        return {}
    if not hasattr(prefetched, 'found'):
        import json
        code, out, _ = finished('prefetch')
        prefetched.found = ({tuple(key): result for key, result in
                             json.loads(out.splitlines()[-1])}
                            if code == 0 and out.strip() else {})
    return prefetched.found


def before_forking():
    """Import here what the children use, so that none imports it again;
    False if it cannot be (the tests that need it say why)."""
    try:
        import torch
        from d2l import torch as d2l  # noqa: F401 (the concise runs use it)
    except ImportError:
        return False
    torch.set_num_threads(1)  # what OMP_NUM_THREADS=1 does for the others
    return True


def docs_check():
    """What `python docs/generate.py --check` runs: its `main`."""
    sys.path.insert(0, str(ROOT / 'docs'))
    import generate
    return lambda: generate.main(['--check'])


class Forked:
    """`function()` in a child forked from this process, which has imported
    what it needs: a process that does not import torch and d2l again (4 to
    5 s of CPU here), with the parts of a Popen that finished() and the
    clean-up use; its output goes to files, read when it has ended. At a
    lower priority than the suite's unless `lower` is false. Linux only
    (FORK): the docs check and the PREFETCH runs."""

    def __init__(self, function, folder, lower=True):
        folder.mkdir(parents=True)
        self.out, self.err = folder / 'stdout', folder / 'stderr'
        self.returncode = None
        self.pid = os.fork()
        if self.pid == 0:
            self._child(function, lower)

    def _child(self, function, lower):
        status = 1
        try:
            if lower:
                lower_priority()
            for fd, path in ((1, self.out), (2, self.err)):
                os.dup2(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                                0o644), fd)
            sys.stdout = open(1, 'w', encoding='utf-8', closefd=False)
            sys.stderr = open(2, 'w', encoding='utf-8', closefd=False)
            status = function()
        except SystemExit as stop:
            status = stop.code if isinstance(stop.code, int) else 1
            if isinstance(stop.code, str):
                print(stop.code, file=sys.stderr)
        except BaseException:
            import traceback
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            # Not the suite's own exit: its atexit would stop its commands
            os._exit(status or 0)

    def wait(self, timeout=300):
        import time
        deadline = time.monotonic() + timeout
        while self.poll() is None:
            if time.monotonic() > deadline:
                self.kill()
                raise subprocess.TimeoutExpired(f'forked {self.out.parent}',
                                                timeout)
            time.sleep(0.02)
        return self.returncode

    def poll(self):
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def kill(self):
        os.kill(self.pid, signal.SIGKILL)
        _, status = os.waitpid(self.pid, 0)
        self.returncode = os.waitstatus_to_exitcode(status)


def finished(name):
    """Wait for one started command: (status, stdout, stderr)."""
    if name not in RUNS:  # not started with the session: start it now
        import tempfile
        start_all(tempfile.mkdtemp(), only={name})
    process = RUNS[name]
    if isinstance(process, Forked):
        process.wait(timeout=300)
        return (process.returncode, process.out.read_text(encoding='utf-8'),
                process.err.read_text(encoding='utf-8'))
    out, err = process.stdout.read(), process.stderr.read()
    process.wait(timeout=300)
    return process.returncode, out, err


@atexit.register
def _stop_leftovers():
    for process in RUNS.values():
        if process.poll() is None:
            process.kill()
