"""What the tests share: a script file run in-process as `python` runs it,
the runners' runs, and the functions a chapter defines."""
import functools
import runpy
import shutil
import sys
from pathlib import Path

from bench import runner

ROOT = Path(__file__).resolve().parent.parent
TYPED = Path(__file__).resolve().parent / 'typed_along'


def script_file(name):
    """The path of linreg_{name}.py in this checkout."""
    return str(ROOT / f'linreg_{name}.py')


def program(name, *argv, path=None):
    """`python linreg_{name}.py *argv` (or the file at `path`), run in this
    process, plain: its exit status. Output goes to the test's capsys."""
    path = str(path or script_file(name))
    saved, sys.argv = sys.argv, [path, *argv]
    try:
        runpy.run_path(path, run_name='__main__')
        return 0
    except SystemExit as stop:  # argparse's line is printed
        return stop.code
    finally:
        sys.argv = saved


def status(main, argv):
    """The exit status of a runner's `main(argv)`: returned, or raised by
    argparse."""
    try:
        return main(argv)
    except SystemExit as stop:
        return stop.code


def runs(*paths, argv=()):
    """The runners' `results.Run` of each script file (or (file, its argv)),
    side by side, each in its own process; a fault is raised."""
    scripts = []
    for path in paths:
        path, flags = path if isinstance(path, tuple) else (path, argv)
        scripts.append(runner.load(str(path), list(flags)))
    return runner.analyse(scripts)[1]


@functools.lru_cache(maxsize=None)
def run(name, *argv):
    """linreg_{name}.py run by the runner: its `results.Run` (the runs are
    seeded, so a second call reuses the first's)."""
    return runs(script_file(name), argv=argv)[0]


@functools.lru_cache(maxsize=None)
def chapter(name):
    """The names linreg_{name}.py defines (`squared_loss`, `sgd`,
    `load_array`, ...), from one small plain run of the file."""
    import contextlib
    import io
    import types
    argv = [script_file(name), '--num-examples', '20', '--num-epochs', '1']
    saved, sys.argv = sys.argv, argv
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            found = runpy.run_path(argv[0], run_name='__main__')
    finally:
        sys.argv = saved
    return types.SimpleNamespace(**found)


def edited(tmp_path, name, *edits):
    """A copy of linreg_{name}.py beside timer.py, as it is copied out, with
    `edits` (old, new) made as a learner makes them: its path."""
    source = Path(script_file(name)).read_text(encoding='utf-8')
    for old, new in edits:
        assert old in source, old
        source = source.replace(old, new)
    path = tmp_path / f'linreg_{name}.py'
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source, encoding='utf-8')
    shutil.copy(ROOT / 'timer.py', tmp_path)
    return path


def typed(tmp_path, name, *edits, timer=True):
    """A copy of the typed-along pair's {name}.py (beside its 3.1 Timer),
    with `edits` (old, new) made: its path."""
    source = (TYPED / f'{name}.py').read_text(encoding='utf-8')
    for old, new in edits:
        assert old in source, old
        source = source.replace(old, new)
    path = tmp_path / f'{name}.py'
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(source, encoding='utf-8')
    if timer:
        shutil.copy(TYPED / 'timer.py', tmp_path)
    return path


def one_line(text):
    """The only line of `text`; fails unless there is exactly one."""
    lines = text.strip().splitlines()
    assert len(lines) == 1, lines
    assert 'Traceback' not in text
    return lines[0]
