"""Each script is its chapter: it prints what the chapter's own cells
print, seed for seed, in either edition's labels; every statement and
comment of the book's cells is in it, in the book's order and unreworded
(a number may stand as `args.NAME`); what it adds is its flags and the
Timer; it imports only the book's modules, `timer` and the standard
library; and its own cells, run one at a time in a kernel or as a notebook,
print the same.

The book's cells (tests/chapter/*_cells.py) are run as a notebook runs
them: in order, in one namespace, each cell's last expression displayed.
"""
import ast
import contextlib
import io
import random
import sys
import tokenize
from pathlib import Path

import pytest
import torch

from helpers import program, script_file

CELLS = Path(__file__).resolve().parent / 'chapter'
# The zh 2.0 book prints the same lines but for the labels of the last two
ZH = {'scratch': {'error in estimating w:': 'w的估计误差:',
                  'error in estimating b:': 'b的估计误差:'},
      'concise': {"'error in estimating w:'": "'w的估计误差：'",
                  "'error in estimating b:'": "'b的估计误差：'"}}
# A kernel's own command line, which is not the script's
KERNEL_ARGV = ['/venv/lib/python3/site-packages/ipykernel_launcher.py',
               '-f', '/tmp/kernel-1234.json']
# What a line the script adds may name: the flags and the Timer, and
# `__main__`, which `d2l.set_figsize()` takes (linreg_scratch.py says why)
ADDED_NAMES = ('argparse', 'os', 'sys', 'parser', 'locale', 'language',
               'as_script', 'args', 'timer', 'Timer', 'main_module')
# zh 2.0's own comments and docstrings, which the scripts carry beside en
# 0.17's (d2l-zh's chapter_linear-networks, the PyTorch cells)
ZH_COMMENTS = {
    'scratch': ['生成y=Xw+b+噪声', '# 这些样本是随机读取的，没有特定的顺序',
                '线性回归模型', '均方损失', '小批量随机梯度下降',
                '# X和y的小批量损失',
                '# 因为l形状是(batch_size,1)，而不是一个标量。l中的所有元素被加到一起，',
                '# 并以此计算关于[w,b]的梯度', '# 使用参数的梯度更新参数'],
    'concise': ['构造一个PyTorch数据迭代器', '# nn是神经网络的缩写']}
# What the scripts may import beside the standard library
BOOK_MODULES = {'d2l', 'torch', 'numpy', 'timer'}


def run_cells(cells, namespace, name):
    """Run `cells` as a notebook does; return what each showed."""
    shown = []
    for cell in cells:
        tree = ast.parse(cell)
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        with contextlib.redirect_stdout(io.StringIO()) as out:
            exec(compile(tree, f'<{name} cell>', 'exec'), namespace)
            if last is not None:
                value = eval(compile(last, f'<{name} cell>', 'eval'),
                             namespace)
                if value is not None:  # a notebook's display of the value
                    print(repr(value))
        shown.append((cell, out.getvalue()))
    return shown


def book_source(name, lang='en'):
    text = (CELLS / f'{name}_cells.py').read_text(encoding='utf-8')
    for en, zh in (ZH[name].items() if lang == 'zh' else ()):
        text = text.replace(en, zh)
    return text


def notebook(name, seed, lang='en'):
    """Run the book's cells after seeding; return what they showed, less
    the display of `fill_`'s and `scatter`'s return values."""
    random.seed(seed)
    torch.manual_seed(seed)
    shown = run_cells(book_source(name, lang).split('# %%\n')[1:],
                      {'__name__': '__notebook__'}, name)
    return ''.join(out for cell, out in shown
                   if not cell.rstrip().endswith(('.fill_(0)', ', 1);')))


def script(capsys, name, *argv):
    """What linreg_{name}.py prints, less its closing line: the training
    time."""
    assert program(name, *argv) == 0
    lines = capsys.readouterr().out.splitlines(keepends=True)
    assert lines[-1].endswith('sec training, 3 epochs (imports and data '
                              'generation excluded)\n')
    return ''.join(lines[:-1])


@pytest.mark.parametrize('name', ['scratch', 'concise'])
@pytest.mark.parametrize('seed,lang', [(0, 'en'), (2024, 'zh')])
def test_script_prints_what_the_chapter_prints(capsys, monkeypatch, name,
                                               seed, lang):
    """The en 0.17 labels by default, zh 2.0's by flag or by locale."""
    book = notebook(name, seed, lang)
    ours = script(capsys, name, '--seed', str(seed), '--lang', lang)
    assert ours.splitlines() == book.splitlines()
    first = {'scratch': 'epoch 1, loss 0.039385',
             'concise': 'epoch 1, loss 0.000241'}[name]
    assert (first in ours.splitlines()) == (seed == 0)
    assert ('的估计误差' in book) == (lang == 'zh')
    if lang == 'zh':  # gettext's order: LANGUAGE, LC_ALL, LC_MESSAGES, LANG
        variable = {'scratch': 'LC_MESSAGES', 'concise': 'LANGUAGE'}[name]
        monkeypatch.setenv(variable, 'zh_CN.UTF-8')
        assert script(capsys, name, '--seed', str(seed)) == book
        monkeypatch.setenv('LC_ALL', 'C.UTF-8')  # LC_ALL wins over LANG
        monkeypatch.setenv('LANG', 'zh_CN.UTF-8')
        monkeypatch.delenv(variable)
        assert '的估计误差' not in script(capsys, name, '--seed', str(seed))


# -- every book statement, in order, unreworded ---------------------------

def en_branch(body):
    """The statements, with the en branch of `if args.lang == 'zh'` in
    place of the `if`."""
    out = []
    for node in body:
        if isinstance(node, ast.If) and 'args.lang' in ast.unparse(node.test):
            out += en_branch(node.orelse)
        else:
            out.append(node)
    return out


def same(book, ours):
    """Whether `ours` is the book's node, but for a number that stands as
    `args.NAME`; a block may hold the bench's lines between the book's."""
    if isinstance(book, ast.Constant) and type(book.value) in (int, float):
        if isinstance(ours, ast.Attribute) and ast.unparse(
                ours.value) == 'args':
            return True
    if isinstance(book, ast.Expr) and isinstance(ours, ast.Expr) and \
            ast.unparse(ours.value) == f'print({ast.unparse(book.value)})':
        return True  # the notebook displays it; the script prints it
    if type(book) is not type(ours):
        return False
    for field, value in ast.iter_fields(book):
        other = getattr(ours, field, None)
        if field in ('ctx', 'type_comment'):
            continue
        if field in ('body', 'orelse') and isinstance(value, list) and \
                value and isinstance(value[0], ast.stmt):
            if missing(value, other):
                return False
        elif isinstance(value, list):
            if len(value) != len(other) or not all(
                    same(a, b) if isinstance(a, ast.AST) else a == b
                    for a, b in zip(value, other)):
                return False
        elif isinstance(value, ast.AST):
            if not same(value, other):
                return False
        elif value != other:
            return False
    return True


def missing(book_body, our_body, added=None):
    """The first book statement not found in `our_body` in the book's
    order (None if all are); the statements in between go to `added`."""
    ours = iter(en_branch(our_body))
    for statement in book_body:
        for node in ours:
            if same(statement, node):
                break
            if added is not None:
                added.append(node)
        else:
            return ast.unparse(statement)
    if added is not None:
        added.extend(ours)
    return None


def comments(source):
    return [token.string for token in tokenize.generate_tokens(
        io.StringIO(source).readline) if token.type == tokenize.COMMENT
        and token.string != '# %%']


def book_lines_missing(name, source):
    """What of the book's cells `source` lacks or rewords: a statement, or
    a comment; and the statements it adds."""
    book = book_source(name)
    added = []
    lost = missing(ast.parse(book).body, ast.parse(source).body, added)
    if lost:
        return f'statement: {lost}', added
    cells = book.split('# %%\n', 1)[1]  # not the file's own header
    lost = [c for c in comments(cells) if c not in source]
    return (f'comment: {lost[0]}' if lost else None), added


def script_source(name):
    return Path(script_file(name)).read_text(encoding='utf-8')


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_every_book_line_in_order_and_only_flags_and_timer_added(name):
    source = script_source(name)
    lost, added = book_lines_missing(name, source)
    assert lost is None
    added = [ast.unparse(node) for node in added]
    assert added and all(any(word in text for word in ADDED_NAMES)
                         for text in added[1:]), added
    assert added[0][1:].startswith(('Linear regression', 'Concise'))
    assert 'sys.path' not in source and 'globals()' in source
    for comment in ZH_COMMENTS[name]:  # zh 2.0's, each beside en 0.17's
        assert comment in source, comment


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_the_script_imports_only_the_book_timer_and_the_standard_library(
        name):
    imported = set()
    for node in ast.walk(ast.parse(script_source(name))):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split('.')[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module.split('.')[0])
    assert 'timer' in imported and 'bench' not in imported
    assert imported <= BOOK_MODULES | set(sys.stdlib_module_names), imported


@pytest.mark.parametrize('edit,says', [
    (('            param.grad.zero_()\n', ''), 'param.grad.zero_()'),
    (('true_w = torch.tensor([2, -3.4])\ntrue_b = 4.2\n',
      'true_b = 4.2\ntrue_w = torch.tensor([2, -3.4])\n'), 'true_b = 4.2'),
    (('"""Squared loss."""', '"""The squared loss."""'), 'squared_loss'),
    (('y.reshape(y_hat.shape)) ** 2 / 2', 'y.reshape(y_hat.shape)) ** 2'),
     'squared_loss'),
    (('# Minibatch loss in `X` and `y`', '# the loss'), 'Minibatch loss'),
])
def test_the_comparison_finds_a_missing_reordered_or_reworded_line(edit,
                                                                   says):
    source = script_source('scratch')
    assert edit[0] in source
    lost, _ = book_lines_missing('scratch', source.replace(*edit))
    assert lost and says in lost


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_cells_run_one_at_a_time_in_a_kernel_print_the_script(
        capsys, monkeypatch, name):
    """The script split at its `# %%` markers, run cell by cell in one
    namespace with a kernel's argv (no flags, no `__file__`)."""
    source = script_source(name)
    first, *rest = source.split('\n# %%')
    cells = [first] + [cell.split('\n', 1)[-1] for cell in rest
                       if not cell.startswith(' [markdown]')]
    assert len(cells) >= 12
    monkeypatch.setattr(sys, 'argv', KERNEL_ARGV)
    shown = run_cells(cells, {'__name__': '__main__'}, name)
    as_cells = ''.join(out for cell, out in shown  # as a notebook shows
                       if not cell.rstrip().endswith('.fill_(0)')
                       ).splitlines()
    assert program(name) == 0
    as_script = capsys.readouterr().out.splitlines()
    time_line = -1  # the training time differs from run to run
    assert as_cells[:time_line] == as_script[:time_line]
    assert as_cells[time_line].endswith('sec training, 3 epochs (imports '
                                        'and data generation excluded)')


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_as_a_notebook_the_headings_show(name):
    """`jupytext` makes each heading a markdown cell and keeps the
    `%matplotlib inline` magic; `make check` runs the notebook in a
    kernel, and the cells run one at a time above."""
    jupytext = pytest.importorskip('jupytext')
    book = jupytext.reads(script_source(name), fmt='py:percent')
    markdown = [c.source for c in book.cells if c.cell_type == 'markdown']
    number = {'scratch': '3.2', 'concise': '3.3'}[name]
    assert len(markdown) == 8 and all(
        text.startswith(('# ', '## ')) and number in text
        for text in markdown), markdown
    code = [c.source for c in book.cells if c.cell_type == 'code']
    first = ast.parse(code[0]).body
    assert not isinstance(first[-1], ast.Expr)  # no docstring shown
    if name == 'scratch':
        assert '%matplotlib inline' in code[1].splitlines()


def test_cells_run_again_report_that_run_alone(monkeypatch, capsys):
    """The training cell and those after it, run a second time in a
    kernel: the last line counts the second run's epochs, not six."""
    source = script_source('scratch')
    first, *rest = source.split('\n# %%')
    cells = [first] + [cell.split('\n', 1)[-1] for cell in rest
                       if not cell.startswith(' [markdown]')]
    monkeypatch.setattr(sys, 'argv', KERNEL_ARGV)
    training = next(i for i, c in enumerate(cells) if 'timer = Timer()' in c)
    shown = run_cells(cells + cells[training:], {'__name__': '__main__'},
                      'scratch')
    last = shown[-1][1].splitlines()[-1]
    assert last.endswith('sec training, 3 epochs (imports and data '
                         'generation excluded)')


@pytest.mark.check
@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_the_notebook_runs_top_to_bottom_in_a_jupyter_kernel(name):
    """`jupytext --to notebook` of the script, executed by nbclient in a
    kernel of this Python, as Jupyter runs it: no error, the chapter's
    epoch lines and, for the scratch script, the scatter as a figure."""
    jupytext = pytest.importorskip('jupytext')
    nbclient = pytest.importorskip('nbclient')
    book = jupytext.reads(script_source(name), fmt='py:percent')
    nbclient.NotebookClient(book, timeout=300, kernel_name='python3',
                            resources={'metadata': {'path': str(
                                CELLS.parent.parent)}}).execute()
    streams = ''.join(out.get('text', '') for cell in book.cells
                      for out in cell.get('outputs', ()))
    first = {'scratch': '0.039385', 'concise': '0.000241'}[name]
    assert f'epoch 1, loss {first}' in streams
    assert 'sec training, 3 epochs' in streams
    figures = [out for cell in book.cells for out in cell.get('outputs', ())
               if 'image/svg+xml' in out.get('data', {})
               or 'image/png' in out.get('data', {})]
    assert bool(figures) == (name == 'scratch')
