"""The weight of the harness around the chapter: its Python lines (all but
tests/, exercises/ and the two scripts), the longest module and the longest
function. Goals: at most 2,000 lines, no module over 300, no function over
50.

    python benchmarks/weight.py
"""
import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def harness():
    """The harness's Python files, as git tracks them."""
    names = subprocess.run(['git', 'ls-files', '*.py'], cwd=ROOT, text=True,
                           capture_output=True, check=True).stdout.split()
    return [ROOT / n for n in names if not n.startswith(
        ('tests/', 'exercises/', 'linreg_'))]


def weigh(files):
    """(total lines, {module: lines}, {function: lines})."""
    modules, functions = {}, {}
    for path in files:
        text = path.read_text(encoding='utf-8')
        name = str(path.relative_to(ROOT))
        modules[name] = len(text.splitlines())
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                functions[f'{name}:{node.name}'] = (node.end_lineno
                                                    - node.lineno + 1)
    return sum(modules.values()), modules, functions


def main():
    total, modules, functions = weigh(harness())
    module = max(modules, key=modules.get)
    function = max(functions, key=functions.get)
    print(f'harness: {total} lines (goal <= 2000)')
    print(f'longest module: {module}, {modules[module]} lines (goal <= 300)')
    print(f'longest function: {function}, {functions[function]} lines '
          '(goal <= 50)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
