"""How plain the code around the chapter is, counted honestly: every Python
file but the tests, the two chapter scripts, and the exercise scripts that
neither import the bench nor make documents. Four figures, each with its
goal: the lines of it all, the tokens per logical line (docstrings and
comments aside), the longest module and the longest function. The tests
assert the goals; run as a program, it prints the figures.

    python tests/test_weight.py
"""
import ast
import io
import re
import subprocess
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOALS = {'lines': 2000, 'tokens per line': 9.5, 'module': 300,
         'function': 40}
NOT_CODE = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
            tokenize.DEDENT, tokenize.ENDMARKER, tokenize.ENCODING}
# Python 3.12 splits an f-string into tokens; before, it was one
FSTRING_START = getattr(tokenize, 'FSTRING_START', -1)
FSTRING_END = getattr(tokenize, 'FSTRING_END', -1)


def harness():
    """The files counted, as git tracks them."""
    names = subprocess.run(['git', 'ls-files', '*.py'], cwd=ROOT, text=True,
                           capture_output=True, check=True).stdout.split()
    files = []
    for name in names:
        if name.startswith(('tests/', 'linreg_')):
            continue
        text = (ROOT / name).read_text(encoding='utf-8')
        if name.startswith('exercises/') and not re.search(
                r'^(import bench|from bench|def gen_)', text, re.M):
            continue  # a learner's exercise, which stands alone
        files.append(ROOT / name)
    return files


def docstring_lines(tree):
    """The lines of every docstring in `tree`."""
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef,
                             ast.AsyncFunctionDef)) and ast.get_docstring(
                                 node, clean=False) is not None:
            first = node.body[0]
            lines.update(range(first.lineno, first.end_lineno + 1))
    return lines


def density(text):
    """(tokens, logical lines) of `text`, docstrings and comments aside."""
    docstrings = docstring_lines(ast.parse(text))
    tokens = logical = inside = 0  # f-strings open: one token each, as
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.start[0] in docstrings:  # Python 3.11 and before count
            continue
        if token.type == FSTRING_END:
            inside -= 1
        elif inside:
            continue
        elif token.type == FSTRING_START:
            inside += 1
            tokens += 1
        elif token.type == tokenize.NEWLINE:
            logical += 1
        elif token.type not in NOT_CODE:
            tokens += 1
    return tokens, logical


def weigh(files, root=ROOT):
    """(lines, tokens, logical lines, {module: lines}, {function: lines})."""
    modules, functions = {}, {}
    tokens = logical = 0
    for path in files:
        text = path.read_text(encoding='utf-8')
        name = str(path.relative_to(root))
        modules[name] = len(text.splitlines())
        counted = density(text)
        tokens, logical = tokens + counted[0], logical + counted[1]
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                functions[f'{name}:{node.name}'] = (node.end_lineno
                                                    - node.lineno + 1)
    return sum(modules.values()), tokens, logical, modules, functions


def figures():
    """{goal: (what, figure)}."""
    lines, tokens, logical, modules, functions = weigh(harness())
    module = max(modules, key=modules.get)
    function = max(functions, key=functions.get)
    return {'lines': ('all of it', lines),
            'tokens per line': ('all of it', round(tokens / logical, 2)),
            'module': (module, modules[module]),
            'function': (function, functions[function])}


def test_the_harness_is_within_its_goals():
    for goal, (what, figure) in figures().items():
        assert figure <= GOALS[goal], (goal, what, figure)


def test_weigh_counts_lines_tokens_and_functions(tmp_path):
    path = tmp_path / 'm.py'
    path.write_text('"""Doc."""\n\n\ndef f():\n    """Doc."""\n    return 1'
                    "  # one\n\n\nx = [2, f'{3}']\n")
    lines, tokens, logical, modules, functions = weigh([path], tmp_path)
    assert (lines, modules, functions) == (9, {'m.py': 9}, {'m.py:f': 3})
    # `def f ( ) :`, `return 1`, `x = [ 2 , f'{3}' ]`: 5 + 2 + 7 tokens
    assert (tokens, logical) == (14, 3)


def main():
    for goal, (what, figure) in figures().items():
        print(f'{goal}: {what}, {figure} (goal <= {GOALS[goal]})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
