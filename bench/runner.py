"""The runners' side: a script read as `python` reads it, or refused in one
line; its own process (bench/worker.py), forked from one with torch imported."""
import functools
import multiprocessing
import os
import signal
from dataclasses import dataclass, field, replace

from bench import contract, faults, worker
from bench.faults import Refused
from bench.text import _


@dataclass
class Script:
    """A script file as it will run, the runner's edits shown."""
    path: str
    source: str
    argv: list
    shown: list = field(default_factory=list)

    @property
    def file(self):
        return os.path.basename(self.path)

    def edited(self, number, line):
        """The script with its line `number` as `line`, the edit shown."""
        lines = self.source.split('\n')
        lines[number - 1] = line
        why = _('seeded by the runner: the script sets no seed')
        shown = f'{self.file}:{number}  {line.strip()}  ({why})'
        source = '\n'.join(lines)
        return replace(self, source=source, shown=[*self.shown, shown])

    def with_argv(self, argv):
        return replace(self, argv=list(argv))


def load(path, argv=()):
    """The script at `path`; `Refused` where no script is there."""
    if not os.path.isfile(path):
        raise Refused(_('no script {0!r}', path))
    if path.endswith('.ipynb'):
        raise Refused(_('{0} is a notebook: `jupytext --to py {0}` '
                        'makes a script of it', path))
    try:
        with open(path, encoding='utf-8-sig') as f:  # as Python reads it
            source = f.read()
    except UnicodeDecodeError:
        raise Refused(_('{0} is not a Python script: not UTF-8 text', path))
    hiding = contract.hiding(path)
    if hiding:
        raise Refused(_('{0} hides a package of that name from {1}: '
                        'rename it', hiding, path))
    if argv and not contract.takes_flags(source):
        raise Refused(_('{0} takes no flags (it has no parse_args()): '
                        'not {1}; change the number in the file instead',
                        path, ' '.join(argv)))
    return Script(os.path.abspath(path), source, list(argv))


@functools.lru_cache(maxsize=None)
def context():
    """Forks of a server that imported torch and d2l, else new Pythons."""
    if 'forkserver' not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context('spawn')
    from multiprocessing import forkserver
    found = multiprocessing.get_context('forkserver')
    found.set_forkserver_preload(['torch', 'd2l.torch'])
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGINT])
    try:  # the server, and its forks, never see Ctrl-C; the runner, later
        forkserver.ensure_running()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
    server = getattr(forkserver._forkserver, '_forkserver_pid', None)
    faults.CHILDREN.append(server)
    return found


class Worker:
    """A process of its own for one script: its runs, one at a time."""

    def __init__(self, script):
        self.script = script
        self.pipe, theirs = context().Pipe()
        self.process = context().Process(target=worker.serve,
                                         args=(theirs,), daemon=True)
        self.process.start()
        theirs.close()
        faults.CHILDREN.append(self.process.pid)

    def send(self, what, script=None):
        self.pipe.send((what, script or self.script, dict(os.environ)))

    def answer(self):
        """The answer to the last request; a fault is raised."""
        try:
            found = self.pipe.recv()
        except EOFError:
            raise faults.Failed(_('the process that ran {0} ended: {1}',
                                  self.script.file, self.process.exitcode))
        if isinstance(found, Exception):
            raise found
        return found

    def ask(self, what, script=None):
        self.send(what, script)
        return self.answer()


def analyse(scripts):
    """([each script's worker], [each one's `Run`]), run side by side."""
    workers = [Worker(script) for script in scripts]
    for each in workers:
        each.send('analyse')
    return workers, [each.answer() for each in workers]
