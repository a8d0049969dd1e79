"""Run a script file as `python` runs it, in a namespace of its own, with
the exercises' edits made in memory, watched from outside (bench/watch.py
through bench/contract.py); and the least-squares fit of its data."""
import argparse
import builtins
import contextlib
import linecache
import os
import sys
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
    edits: list  # [edits.Edit]
    loss: str  # the loss the edits make (contract.LOSSES), or None
    argv: list
    flags: dict  # the runner's flags that edited it, as typed

    def edit_lines(self):
        """Its edits, as the runners show them."""
        return [edit.text(os.path.basename(self.path))
                for edit in self.edits]


def read(path):
    """The source of the script at `path`; `Refused` where it is not a
    Python script, or where a file beside it hides the book's modules."""
    if path.endswith('.ipynb'):
        raise Refused(f'{path} is a notebook: `jupytext --to py {path}` '
                      'makes a script of it')
    try:
        with open(path, encoding='utf-8') as f:
            source = f.read()
    except UnicodeDecodeError:
        source = '\0'
    if '\0' in source:
        raise Refused(f'{path} is not a Python script: not UTF-8 text')
    folder = os.path.dirname(os.path.abspath(path))
    for name in ('torch', 'd2l'):
        if os.path.exists(os.path.join(folder, f'{name}.py')):
            raise Refused(f'{os.path.join(folder, name)}.py hides the '
                          f'{name} package from {os.path.basename(path)}: '
                          'rename it')
    return source


def load(path, argv=(), options=None, changes=(), loss=None):
    """The script at `path` as it will run with `argv`, edited as
    `options` and `changes` (which make `loss`) ask."""
    source = read(path)
    if argv and 'parse_args(' not in source:
        raise Refused(f'{os.path.basename(path)} takes no flags (it has no '
                      f'parse_args()): not {" ".join(argv)}; change the '
                      'number in the file instead')
    asked = edits.requested(source, options or flags.book_edits())
    source, done = edits.apply(source, [*asked.changes, *changes])
    return Script(path, source, done, loss or asked.loss, list(argv),
                  asked.flags)


def load_all(paths, argv, options):
    """The scripts at `paths`; `Refused` for --reduction where none has
    the concise loss line it edits."""
    scripts = [load(path, argv, options) for path in paths]
    if options.reduction != 'mean' and not any(
            '--reduction' in script.flags for script in scripts):
        raise Refused('argument --reduction: applies to a script whose loss '
                      f'is `{edits.LOSS["concise"]}` (linreg_concise.py); '
                      'the scratch loop sums `squared_loss` itself')
    return scripts


def resolve_device(name):
    """Map --device to an available device; `Refused` if it is not."""
    if name == 'cpu':  # no torch imported: a bad flag is refused first
        return name
    import torch
    available = {'cpu': True, 'cuda': torch.cuda.is_available(),
                 'mps': torch.backends.mps.is_available()}
    if name == 'auto':
        name = next(n for n in ('cuda', 'mps', 'cpu') if available[n])
    if not available[name]:
        raise Refused(f'argument --device: no {name} device is available '
                      f'to this torch {torch.__version__}')
    return name


def execute(script, options=None, echo=False):
    """The `watch.Run` of `script`; `echo` shows what it prints. A bug in
    the script raises, marked as the script's; a run that did not do what
    its flags or edits asked is `Failed`."""
    options = options or flags.book_edits()
    ns = {'__name__': '__main__', '__file__': script.path}
    watcher = watch.Watch(script.path, ns)
    ns.update(__builtins__=dict(vars(builtins), input=no_input(watcher),
                                __import__=importer(watcher)))
    # A traceback shows the edited lines, at the file's line numbers
    linecache.cache[script.path] = (len(script.source), None,
                                    script.source.splitlines(True),
                                    script.path)
    out = watch.Tee(watcher, sys.stdout if echo else None)
    try:
        code = compile(script.source, script.path, 'exec')
        with running(script, watcher, options), \
                contextlib.redirect_stdout(out):
            exec(code, ns)
    except SystemExit as stop:
        line = last_line(stop, script.path)
        raise Failed(f'{watcher.file} ended early, at line {line} '
                     f'(sys.exit({stop.code!r})), after {len(watcher.epochs)} '
                     'epochs') from None
    except Failed:
        raise
    except Exception as error:  # the script's bug: its traceback, its hint
        if out_of_memory(error):  # a sweep goes on from this point
            raise Failed(OUT_OF_MEMORY) from error
        error.script = script.path
        raise
    given = contract.flags_given(*watcher.parsed) if watcher.parsed else {}
    given.update(script.flags)
    run = watch.result(watcher, given, script.edit_lines(), options.huber_sigma,
                       script.loss)
    found = contract.contradictions(
        run, ns, watcher.parsed and watcher.parsed[1], options, script.loss)
    if found:
        raise Failed(f'{watcher.file} ran {"; ".join(found)}: not what was '
                     'asked (a number typed into the script?)')
    return run


@contextlib.contextmanager
def running(script, watcher, options):
    """The process as `python SCRIPT ARGV` has it, and the watch's hooks:
    put back as they were when the run ends."""
    saved = sys.argv, sys.path[:], sys.modules.pop('timer', None), \
        os.getcwd(), argparse.ArgumentParser.parse_known_args
    sys.argv = [script.path, *script.argv]
    # As `python SCRIPT` has it: the script's folder first, and neither
    # this checkout nor the folder the runner started in (no timer.py of
    # ours for a script without its own)
    ours = {'', ROOT, os.getcwd()}
    sys.path[:] = [os.path.dirname(os.path.abspath(script.path))] + [
        entry for entry in sys.path if entry not in ours]
    argparse.ArgumentParser.parse_known_args = parsing(watcher, options,
                                                       saved[4])
    try:
        yield
    finally:
        sys.argv, sys.path[:] = saved[0], saved[1]
        sys.modules.pop('timer', None)
        if saved[2] is not None:
            sys.modules['timer'] = saved[2]
        os.chdir(saved[3])
        argparse.ArgumentParser.parse_known_args = saved[4]
        for restore in watcher.restore:
            restore()


def parsing(watcher, options, parse_known_args):
    """argparse's parse_known_args, watched: the script's own flags,
    refused in one line where no run can use them, before anything
    trains."""
    def refuse(message):
        raise Refused(message)

    def parse(parser, args=None, namespace=None):
        parser.error = refuse
        parsed = parse_known_args(parser, args, namespace)
        contract.check_args(parsed[0], options)
        watcher.parsed = parser, parsed[0]
        return parsed
    return parse


def importer(watcher):
    """`__import__` for the script: the Timer of its `timer` module (or
    d2l's) is watched once imported."""
    def import_(name, *args, **kwargs):
        module = builtins.__import__(name, *args, **kwargs)
        watcher.hook_backward()
        for timer in ('timer', 'd2l.torch'):
            if isinstance(getattr(sys.modules.get(timer), 'Timer', None),
                          type):
                watcher.timer(sys.modules[timer].Timer)
        return module
    return import_


def no_input(watcher):
    """`input` for the script: a runner gives it no keyboard."""
    def refuse(prompt=''):
        raise Failed(f'{watcher.file}:{watcher.line()}: input() waits for the '
                     'keyboard, which a runner does not give a script')
    return refuse


def last_line(error, path):
    """The line of the script at `path` where `error` was raised."""
    tb, line = error.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == path:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def run(name, argv=(), options=None, **more):
    """linreg_{name}.py run by `execute`; without `options`, from `argv`."""
    if options is None:
        options, argv = flags.edits_and_rest(argv)
    return execute(load(script_file(name), argv, options, **more), options)


def path_gap(one, other):
    """The largest parameter gap where both are finite, relative to the
    parameter once it passes 1 (a run that blows up rounds)."""
    import torch
    a, b = torch.stack(one).double(), torch.stack(other).double()
    finite = torch.isfinite(a).all(1) & torch.isfinite(b).all(1)
    a, b = a[finite], b[finite]
    size = torch.maximum(torch.maximum(a.abs(), b.abs()), torch.ones(1))
    return float(((a - b).abs() / size).max()) if len(a) else float('nan')


def least_squares(run):
    """The closed-form fit on a run's data, in float64: the lowest MSE any
    line reaches there, and its errors."""
    import torch
    features, labels, true_w, true_b = run.watch.data()
    features = features.detach().cpu().double()
    X = torch.cat([features, torch.ones(len(features), 1,
                                        dtype=torch.float64)], 1)
    y = labels.detach().cpu().double().reshape(-1, 1)
    solution = torch.linalg.lstsq(X, y).solution.reshape(-1)
    w, b = solution[:-1], solution[-1:]
    return {'mse': float(((X @ solution - y.reshape(-1)) ** 2).mean()),
            'w': w.tolist(), 'b': b.tolist(),
            'w_error': (true_w.detach().cpu().double() - w).tolist(),
            'b_error': (true_b - b).tolist()}
