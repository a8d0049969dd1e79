"""What the tests share: a script file run in-process as `python` runs it,
the runners' runs, and the functions a chapter defines."""
import functools
import runpy
import shutil
import sys

from bench import runner


def program(name, *argv, path=None):
    """`python linreg_{name}.py *argv` (or the file at `path`), run in this
    process, plain: its exit status. Output goes to the test's capsys."""
    path = str(path or runner.script_file(name))
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


def run(name, *argv, **more):
    """linreg_{name}.py run by the runner, quietly: its `watch.Run`; the
    edits' flags among `argv` make their edits."""
    from bench import flags
    options, rest = flags.edits_and_rest(argv)
    script = runner.load(runner.script_file(name), rest, options, **more)
    return runner.execute(script)


@functools.lru_cache(maxsize=None)
def results(name, *argv):
    """What `python -m bench linreg_{name}.py --json` would print, as a
    dict (runs are seeded, so a second call reuses the first's)."""
    return run(name, *argv).results()


@functools.lru_cache(maxsize=None)
def chapter(name):
    """The names linreg_{name}.py defines (`squared_loss`, `sgd`,
    `load_array`, ...), from one small run of the file."""
    import types
    return types.SimpleNamespace(**run(name, '--num-examples', '20',
                                       '--num-epochs', '1').watch.ns)


def edited(tmp_path, name, *edits):
    """A copy of linreg_{name}.py beside timer.py, as it is copied out, with
    `edits` (old, new) made as a learner makes them: its path."""
    source = open(runner.script_file(name), encoding='utf-8').read()
    for old, new in edits:
        assert old in source, old
        source = source.replace(old, new)
    path = tmp_path / f'linreg_{name}.py'
    path.write_text(source, encoding='utf-8')
    shutil.copy(runner.ROOT + '/timer.py', tmp_path)
    return path


def one_line(text):
    """The only line of `text`; fails unless there is exactly one."""
    lines = text.strip().splitlines()
    assert len(lines) == 1, lines
    assert 'Traceback' not in text
    return lines[0]
