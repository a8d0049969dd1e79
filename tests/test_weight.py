"""How plain the code around the chapter is, counted whole: every Python
file that git tracks but the tests, the two chapter scripts, and the
exercises that stand alone (a file that imports the bench, runs a file or
reads the chapter scripts is counted wherever it lives). Four figures, each
with its goal: the lines of it all, the tokens per logical line
(docstrings and comments aside, the code in an f-string's braces counted
as code, as ../shared/density.py counts it), the longest module and the
longest function. The tests assert the goals; run as a program, it prints
the figures.

    python tests/test_weight.py
"""
import ast
import io
import re
import shutil
import subprocess
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOALS = {'lines': 2000, 'tokens per line': 9.5, 'module': 300,
         'function': 40}
SKIP = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
        tokenize.DEDENT, tokenize.ENCODING, tokenize.ENDMARKER}
# Python 3.12 splits an f-string into tokens; before, it was one
FSTRING = {getattr(tokenize, name) for name in (
    'FSTRING_START', 'FSTRING_MIDDLE', 'FSTRING_END') if hasattr(tokenize,
                                                                 name)}
# What makes a file part of the harness, wherever it lives
RUNS = re.compile(r'^\s*(import bench|from bench|import runpy|import '
                  r'subprocess)|linreg_|exec\(', re.M)


def harness(root=ROOT):
    """The files counted, as git tracks them."""
    names = subprocess.run(['git', 'ls-files', '*.py'], cwd=root, text=True,
                           capture_output=True, check=True).stdout.split()
    files = []
    for name in names:
        if name.startswith(('tests/', 'linreg_')):
            continue
        text = (root / name).read_text(encoding='utf-8')
        if name.startswith('exercises/') and not RUNS.search(text):
            continue  # a learner's exercise, which stands alone
        files.append(root / name)
    return files


def code_tokens(expression):
    """The tokens of the code in an f-string's braces."""
    try:
        tree = ast.parse(expression, mode='eval')
    except SyntaxError:
        return 0
    count = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.FormattedValue):
            code = ast.unparse(node.value)
            tokens = tokenize.generate_tokens(io.StringIO(code).readline)
            count += sum(1 for token in tokens if token.type not in SKIP)
    return count


def line_tokens(tokens):
    """One logical line's tokens: an f-string is one token and the tokens
    of the code in its braces."""
    count, k = 0, 0
    while k < len(tokens):
        token = tokens[k]
        if token.type in FSTRING and token.string.lower().lstrip(
                'r').startswith('f'):  # 3.12+: to the matching end
            depth, end = 0, k
            for end in range(k, len(tokens)):
                if tokens[end].type == tokenize.FSTRING_START:
                    depth += 1
                if tokens[end].type == tokenize.FSTRING_END:
                    depth -= 1
                    if not depth:
                        break
            inside = [t for t in tokens[k + 1:end] if t.type not in FSTRING
                      and t.string not in '{}']
            count += 1 + len(inside)
            k = end + 1
            continue
        count += 1
        if token.type == tokenize.STRING and token.string.lower().lstrip(
                'rbu').startswith('f'):
            count += code_tokens(token.string)
        k += 1
    return count


def density(text):
    """(tokens, logical lines) of `text`, docstrings and comments aside."""
    docstrings = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef,
                             ast.AsyncFunctionDef)) and ast.get_docstring(
                                 node, clean=False) is not None:
            docstrings.add(node.body[0].lineno)
    tokens = logical = 0
    line = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.NEWLINE and line:
            if line[0].start[0] not in docstrings:
                tokens += line_tokens(line)
                logical += 1
            line = []
        elif token.type not in SKIP:
            line.append(token)
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
        tokens += counted[0]
        logical += counted[1]
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                functions[f'{name}:{node.name}'] = lines
    return sum(modules.values()), tokens, logical, modules, functions


def figures(root=ROOT):
    """{goal: (what, figure)}."""
    lines, tokens, logical, modules, functions = weigh(harness(root), root)
    module = max(modules, key=modules.get)
    function = max(functions, key=functions.get)
    return {'lines': ('all of it', lines),
            'tokens per line': ('all of it', round(tokens / logical, 2)),
            'module': (module, modules[module]),
            'function': (function, functions[function])}


def test_the_harness_is_within_its_goals():
    for goal, (what, figure) in figures().items():
        assert figure <= GOALS[goal], (goal, what, figure)


def test_the_count_matches_the_shared_measure_of_density():
    measure = ROOT.parent / 'shared' / 'density.py'
    if not measure.exists():
        return  # a clone without the workshop's shared folder
    files = [str(path) for path in harness()]
    printed = subprocess.run([sys.executable, str(measure), *files],
                             capture_output=True, text=True, check=True)
    weight = weigh(harness())
    assert f'{weight[1] / weight[2]:.2f} tokens per logical line over ' \
           f'{weight[2]} logical lines' in printed.stdout


def test_weigh_counts_lines_tokens_and_functions(tmp_path):
    path = tmp_path / 'm.py'
    path.write_text('"""Doc."""\n\n\ndef f():\n    """Doc."""\n    return 1'
                    "  # one\n\n\nx = [2, f'{3 + y}']\n")
    lines, tokens, logical, modules, functions = weigh([path], tmp_path)
    assert (lines, modules, functions) == (9, {'m.py': 9}, {'m.py:f': 3})
    # `def f ( ) :`, `return 1`, `x = [ 2 , f'{3 + y}' ]`: the f-string is
    # one token and the three of its code, `3 + y`
    assert (tokens, logical) == (5 + 2 + 6 + 4, 3)


def test_a_runner_moved_into_the_exercises_is_still_counted(tmp_path):
    copy = tmp_path / 'copy'
    for name in subprocess.run(['git', 'ls-files'], cwd=ROOT, text=True,
                               capture_output=True).stdout.split():
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, copy / name)
    (copy / 'exercises' / 'compare.py').write_text(
        (copy / 'compare.py').read_text())
    (copy / 'compare.py').unlink()
    subprocess.run(['git', 'init', '-q'], cwd=copy, check=True)
    subprocess.run(['git', 'add', '-A'], cwd=copy, check=True)
    counted = [str(path.relative_to(copy)) for path in harness(copy)]
    assert 'exercises/compare.py' in counted
    assert figures(copy)['lines'][1] == figures(ROOT)['lines'][1]


def main():
    for goal, (what, figure) in figures().items():
        print(f'{goal}: {what}, {figure} (goal <= {GOALS[goal]})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
