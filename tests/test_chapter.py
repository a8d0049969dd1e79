"""Each script is its chapter: it prints what the chapter's own cells
print, seed for seed, in either edition's labels; its statements come in
the book's order; and its own cells, run one at a time in a kernel, print
what the script prints.

The book's cells (tests/chapter/*_cells.py) are run as a notebook runs
them: in order, in one namespace, each cell's last expression displayed.
The previews draw from the random streams, so only a script that draws
what the chapter draws, in the chapter's order, can print the same losses.
"""
import ast
import contextlib
import io
import random
import sys
from pathlib import Path

import pytest
import torch

from bench import lab
from helpers import program

CELLS = Path(__file__).resolve().parent / 'chapter'
# The zh 2.0 book prints the same lines but for the labels of the last two
ZH = {'scratch': {'error in estimating w:': 'w的估计误差:',
                  'error in estimating b:': 'b的估计误差:'},
      'concise': {"'error in estimating w:'": "'w的估计误差：'",
                  "'error in estimating b:'": "'b的估计误差：'"}}
# A kernel's own command line, which is not the script's
KERNEL_ARGV = ['/venv/lib/python3/site-packages/ipykernel_launcher.py',
               '-f', '/tmp/kernel-1234.json']


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


def book_cells(name, lang='en'):
    text = (CELLS / f'{name}_cells.py').read_text(encoding='utf-8')
    if lang == 'zh':
        for en, zh in ZH[name].items():
            text = text.replace(en, zh)
    return text.split('# %%\n')[1:]


def notebook(name, seed, lang='en'):
    """Run the book's cells after seeding; return what they showed."""
    random.seed(seed)
    torch.manual_seed(seed)
    shown = run_cells(book_cells(name, lang), {'__name__': '__notebook__'},
                      name)
    # The init cell echoes `fill_`'s return value; the script shows its
    # numbers in the results instead.
    return ''.join(out for cell, out in shown
                   if not cell.rstrip().endswith('.fill_(0)'))


def script(capsys, name, *argv):
    """What linreg_{name}.py prints, less its two closing report lines:
    what ran, and the training time."""
    assert program(name, *argv) == 0
    lines = capsys.readouterr().out.splitlines(keepends=True)
    assert lines[-2].startswith(f'# linreg_{name}.py ran: ')
    assert lines[-1].endswith('sec training, 3 epochs (imports and data '
                              'generation excluded)\n')
    return ''.join(lines[:-2])


# The epoch-1 losses the README quotes for seed 0
FIRST_LOSS = {'scratch': 'epoch 1, loss 0.039385',
              'concise': 'epoch 1, loss 0.000241'}


@pytest.mark.parametrize('name', ['scratch', 'concise'])
@pytest.mark.parametrize('seed', [0, 2024])
def test_script_prints_what_the_chapter_prints(capsys, name, seed):
    book = notebook(name, seed)
    ours = script(capsys, name, '--seed', str(seed), '--lang', 'en')
    assert ours.splitlines() == book.splitlines()
    epochs = [line for line in ours.splitlines() if line.startswith('epoch')]
    assert len(epochs) == 3
    assert (epochs[0] == FIRST_LOSS[name]) == (seed == 0)


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_the_zh_book_labels_by_flag_or_locale(capsys, monkeypatch, name):
    book = notebook(name, 1, lang='zh')
    assert '的估计误差' in book
    assert script(capsys, name, '--seed', '1', '--lang', 'zh') == book
    # Without the flag, the locale chooses as the flag does (on a small run:
    # the en labels against the book are the test above)
    small = ['--seed', '1', '--num-examples', '20']
    by_flag = {lang: script(capsys, name, *small, '--lang', lang)
               for lang in ('zh', 'en')}
    assert by_flag['zh'] != by_flag['en']
    for variable in ('LC_ALL', 'LC_MESSAGES'):
        monkeypatch.delenv(variable, raising=False)
    for lang, locale in (('zh', 'zh_CN.UTF-8'), ('en', 'en_US.UTF-8')):
        monkeypatch.setenv('LANG', locale)
        assert script(capsys, name, *small) == by_flag[lang]


def statements(source):
    """(key, text) for each statement, loops and branches opened; the key
    is its kind and names (`def sgd`, `assign lr`, `for epoch`, `call
    print`), the text its own line."""
    found = []

    def walk(body):
        for node in body:
            key = None
            if isinstance(node, ast.FunctionDef):
                key = f'def {node.name}'
            elif isinstance(node, ast.Assign):
                key = 'assign ' + ', '.join(
                    ast.unparse(t) for t in node.targets)
            elif isinstance(node, ast.AugAssign):
                key = f'augassign {ast.unparse(node.target)}'
            elif isinstance(node, (ast.For, ast.With)):
                target = (node.target if isinstance(node, ast.For) else
                          node.items[0].context_expr)
                key = f'{type(node).__name__.lower()} {ast.unparse(target)}'
            elif isinstance(node, ast.Expr) and isinstance(node.value,
                                                           ast.Call):
                key = f'call {ast.unparse(node.value.func)}'
            if key:
                found.append((key, ast.unparse(node).splitlines()[0]))
            if isinstance(node, (ast.For, ast.With)):
                walk(node.body)
            elif isinstance(node, ast.If):  # the en labels; zh: their twin
                walk(node.orelse or node.body)
    walk(ast.parse(source).body)
    return found


def is_subsequence(part, whole):
    rest = iter(whole)
    return all(key in rest for key in part)


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_the_script_keeps_the_books_order(name):
    """Every statement of the book's cells is in the script, in the book's
    order; what the script adds (`lab`, `args`, seeding) is in between."""
    book = [key for key, _ in statements(''.join(book_cells(name)))]
    # The book displays `next(iter(data_iter))`; the script prints it
    book = ['call print' if key == 'call next' else key
            for key in book]
    ours = statements(Path(lab.script_file(name)).read_text(
        encoding='utf-8'))
    assert is_subsequence(book, [key for key, _ in ours]), (book, ours)
    added = [text for key, text in ours if key not in book]
    assert added and all(
        'lab' in text or 'args' in text or '.seed(' in text
        for text in added), added


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_cells_run_one_at_a_time_in_a_kernel_print_the_script(
        capsys, monkeypatch, name):
    """The script split at its `# %%` markers, run cell by cell in one
    namespace with a kernel's argv (no flags, no `__file__`)."""
    source = Path(lab.script_file(name)).read_text(encoding='utf-8')
    cells = ['\n'.join(cell.splitlines()[1:]) for cell in
             ('\n' + source).split('\n# %%')[1:]]
    assert len(cells) >= 10
    monkeypatch.setattr(sys, 'argv', KERNEL_ARGV)
    hook = sys.excepthook
    shown = run_cells(cells, {'__name__': '__main__'}, name)
    assert sys.excepthook is hook  # a kernel's own handling is left alone
    as_cells = ''.join(out for cell, out in shown).splitlines()
    assert program(name) == 0
    as_script = capsys.readouterr().out.splitlines()
    # All but the training time, which differs from run to run
    assert as_cells[:-1] == as_script[:-1]
    assert as_cells[-1].endswith('sec training, 3 epochs (imports and '
                                 'data generation excluded)')
