"""Run a script file as `python` runs it, in a namespace of its own, with
the exercises' edits made in memory, watched from outside (bench/watch.py,
through bench/contract.py); and the least-squares fit of its data."""
import argparse
import builtins
import contextlib
import linecache
import os
import sys
import traceback
from dataclasses import dataclass

from bench import contract, edits, flags, watch
from bench.faults import OUT_OF_MEMORY, Failed, Refused, out_of_memory

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPTS = {'scratch': 'linreg_scratch.py', 'concise': 'linreg_concise.py'}


def script_file(name):
    """The path of linreg_{name}.py in this checkout."""
    return os.path.join(ROOT, SCRIPTS[name])


@dataclass
class Script:
    """A script file as it will run: its source with the edits made."""
    path: str
    source: str
    argv: list
    edits: list  # [edits.Edit]
    loss: str  # the loss the edits make (contract.LOSSES), or None

    @property
    def impl(self):
        return edits.impl(self.source)

    def edit_lines(self):
        """Its edits, as the runners show them."""
        file = os.path.basename(self.path)
        return [edit.text(file) for edit in self.edits]


def read(path):
    """The source of the script at `path`; `Refused` if no script."""
    name = os.path.basename(path)
    if path.endswith('.ipynb'):
        raise Refused(f'{path} is a notebook: `jupytext --to py {path}` '
                      'makes a script of it')
    try:
        with open(path, encoding='utf-8-sig') as f:  # as Python reads it
            source = f.read()
    except UnicodeDecodeError:
        raise Refused(f'{path} is not a Python script: not UTF-8 text')
    for module in ('torch', 'd2l'):
        hiding = os.path.join(os.path.dirname(path), f'{module}.py')
        if os.path.exists(hiding):
            raise Refused(f'{hiding} hides the {module} package from {name}: '
                          'rename it')
    return source


def load(path, argv=(), options=None, changes=(), loss=None):
    """The script at `path`, edited as `options` and `changes` ask."""
    source = read(path)
    if argv and 'parse_args(' not in source:
        raise Refused(f'{os.path.basename(path)} takes no flags (it has no '
                      f'parse_args()): not {" ".join(argv)}; change the '
                      'number in the file instead')
    options = options or flags.edits_and_rest([])[0]  # the book's lines
    asked, made = edits.requested(source, options)
    source, done = edits.apply(source, [*asked, *changes])
    return Script(path, source, list(argv), done, loss or made)


def load_all(paths, argv, options):
    """The scripts at `paths`; `Refused` for a --reduction none takes."""
    scripts = [load(path, argv, options) for path in paths]
    taken = [edit for script in scripts for edit in script.edits
             if '--reduction' in edit.flag]
    if options.reduction != 'mean' and not taken:
        raise Refused('argument --reduction: applies to a script whose loss '
                      f'is `{edits.LOSS["concise"]}` (linreg_concise.py); '
                      'the scratch loop sums `squared_loss` itself')
    return scripts


def execute(script, echo=False):
    """The `watch.Run` of `script`; `Failed` if not what was asked."""
    ns = {'__name__': '__main__', '__file__': script.path}
    watcher = watch.Watch(script.path, ns)
    ns['__builtins__'] = dict(vars(builtins), input=no_input(watcher),
                              __import__=importer(watcher))
    # A traceback shows the edited lines, at the file's line numbers
    lines = script.source.splitlines(True)
    linecache.cache[script.path] = (len(script.source), None, lines,
                                    script.path)
    try:
        code = compile(script.source, script.path, 'exec')
        with running(script, watcher, echo):
            exec(code, ns)
    except SystemExit as stop:  # with 0, after an epoch: a run, as it ended
        if stop.code not in (0, None) or not watcher.epochs:
            raise Failed(ended_early(stop, script, watcher)) from None
    except Failed:
        raise
    except Exception as error:  # the script's bug: its traceback, its hint
        if out_of_memory(error):  # a sweep goes on from this point
            raise Failed(OUT_OF_MEMORY) from error
        error.script = script.path
        raise
    given = {}
    if watcher.parsed:
        given = contract.flags_given(*watcher.parsed[:2])
    run = watch.result(watcher, script, given)
    found = contract.contradictions(run, ns, watcher.parsed, script)
    if found:
        raise Failed(f'{watcher.file} ran {"; ".join(found)}: not what was '
                     'asked (a number typed into the script?)')
    return run


def ended_early(stop, script, watcher):
    """The line for a script that called `sys.exit`."""
    frames = traceback.extract_tb(stop.__traceback__)
    lines = [f.lineno for f in frames if f.filename == script.path]
    return (f'{watcher.file} ended early, at line {lines[-1]}: '
            f'sys.exit({stop.code!r})')


@contextlib.contextmanager
def running(script, watcher, echo):
    """The process as `python SCRIPT ARGV` has it, the watch's hooks in."""
    argv, path, timer = sys.argv, sys.path[:], sys.modules.pop('timer', None)
    cwd, parse = os.getcwd(), argparse.ArgumentParser.parse_known_args
    sys.argv = [script.path, *script.argv]
    # The script's folder first, and neither this checkout nor the folder
    # the runner started in: a script without a timer.py gets none of ours
    folder = os.path.dirname(os.path.abspath(script.path))
    sys.path[:] = [folder] + [p for p in path if p not in ('', ROOT, cwd)]
    watched = parsing(watcher, parse)
    argparse.ArgumentParser.parse_known_args = watched
    out = watch.Tee(watcher, sys.stdout if echo else None)
    try:
        with contextlib.redirect_stdout(out):
            yield
    finally:
        sys.argv, sys.path[:] = argv, path
        sys.modules.pop('timer', None)
        if timer is not None:
            sys.modules['timer'] = timer
        os.chdir(cwd)
        argparse.ArgumentParser.parse_known_args = parse
        for restore in watcher.restore:
            restore()


def parsing(watcher, parse_known_args):
    """argparse's parse_known_args, watched: bad flags in one line."""
    def refuse(message):
        raise Refused(message)

    def parse(parser, args=None, namespace=None):
        parser.error = refuse
        parsed = parse_known_args(parser, args, namespace)
        contract.check_args(parsed[0])
        watcher.parsed = parser, parsed[0], args
        return parsed
    return parse


def importer(watcher):
    """`__import__` for the script, which watches the Timer imported."""
    def import_(name, *args, **kwargs):
        module = builtins.__import__(name, *args, **kwargs)
        watcher.hook_backward()
        for timer in ('timer', 'd2l.torch'):
            cls = getattr(sys.modules.get(timer), 'Timer', None)
            if isinstance(cls, type):
                watcher.timer(cls)
        return module
    return import_


def no_input(watcher):
    """`input` for the script: a runner gives it no keyboard."""
    def refuse(prompt=''):
        raise Failed(f'{watcher.file}:{watcher.line()}: input() waits for '
                     'the keyboard, which a runner does not give a script')
    return refuse


def path_gap(one, other):
    """The largest gap |a - b| / max(1, |a|, |b|) where both are finite."""
    import torch
    a, b = torch.stack(one).double(), torch.stack(other).double()
    finite = torch.isfinite(a).all(1) & torch.isfinite(b).all(1)
    a, b = a[finite], b[finite]
    if not len(a):
        return float('nan')
    size = torch.maximum(torch.maximum(a.abs(), b.abs()), torch.ones(1))
    return float(((a - b).abs() / size).max())


def least_squares(run):
    """The closed-form fit on a run's data (float64), and its errors."""
    import torch
    features, labels, true_w, true_b = run.watch.data()
    X = features.double()
    X = torch.cat([X, torch.ones(len(X), 1, dtype=torch.float64)], 1)
    y = labels.double().reshape(-1)
    solution = torch.linalg.lstsq(X, y.reshape(-1, 1)).solution.reshape(-1)
    w, b = solution[:-1], solution[-1:]
    fit = {'mse': float(((X @ solution - y) ** 2).mean())}
    fit['w'], fit['b'] = w.tolist(), b.tolist()
    fit['w_error'] = (true_w.double() - w).tolist()
    fit['b_error'] = (true_b - b).tolist()
    return fit
