"""The weight of the harness around the chapter: the lines of every Python
file that is not a chapter script, an exercise a learner runs (exercises/)
or a test, counted as they are; the longest module and the longest
function. Goals: no module over 300 lines, no function over 50, and the
harness at most 1,800 lines. The tests assert the goals; run as a
program, it prints the figures.

    python tests/test_weight.py
"""
import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOALS = {'harness': 1800, 'module': 300, 'function': 50}


def harness():
    """The harness's Python files, as git tracks them."""
    names = subprocess.run(['git', 'ls-files', '*.py'], cwd=ROOT, text=True,
                           capture_output=True, check=True).stdout.split()
    return [ROOT / n for n in names if not n.startswith(
        ('tests/', 'exercises/', 'linreg_'))]


def weigh(files, root=ROOT):
    """(total lines, {module: lines}, {function: lines})."""
    modules, functions = {}, {}
    for path in files:
        text = path.read_text(encoding='utf-8')
        name = str(path.relative_to(root))
        modules[name] = len(text.splitlines())
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                functions[f'{name}:{node.name}'] = (node.end_lineno
                                                    - node.lineno + 1)
    return sum(modules.values()), modules, functions


def figures():
    """{'harness': (what, lines), 'module': ..., 'function': ...}."""
    total, modules, functions = weigh(harness())
    module = max(modules, key=modules.get)
    function = max(functions, key=functions.get)
    return {'harness': ('all of it', total),
            'module': (module, modules[module]),
            'function': (function, functions[function])}


def test_the_harness_is_within_its_goals():
    for kind, (what, lines) in figures().items():
        assert lines <= GOALS[kind], (kind, what, lines)


def test_weigh_counts_lines_and_functions(tmp_path):
    path = tmp_path / 'm.py'
    path.write_text('def f():\n    return 1\n\n\nx = 2\n')
    assert weigh([path], tmp_path) == (5, {'m.py': 5}, {'m.py:f': 2})


def main():
    for kind, (what, lines) in figures().items():
        print(f'{kind}: {what}, {lines} lines (goal <= {GOALS[kind]})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
