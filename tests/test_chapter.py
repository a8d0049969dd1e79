"""Each script prints what its chapter's own cells print, seed for seed.

The cells (tests/chapter/*_cells.py) are run as a notebook runs them: in
order, in one namespace, each cell's last expression displayed. The
previews draw from the random streams, so only a script that draws what the
chapter draws, in the chapter's order, can print the same losses.
"""
import ast
import contextlib
import io
import random
from pathlib import Path

import pytest
import torch

import linreg_concise as concise
import linreg_scratch as scratch

CELLS = Path(__file__).resolve().parent / 'chapter'
SCRIPTS = {'scratch': scratch, 'concise': concise}


def notebook(name, seed):
    """Run the chapter's cells after seeding; return what they showed."""
    random.seed(seed)
    torch.manual_seed(seed)
    namespace = {'__name__': '__notebook__'}
    shown = []
    for cell in (CELLS / f'{name}_cells.py').read_text().split('# %%\n')[1:]:
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
        # The init cell echoes `fill_`'s return value; the script shows
        # its numbers in the results instead.
        if not cell.rstrip().endswith('.fill_(0)'):
            shown.append(out.getvalue())
    return ''.join(shown)


def script(capsys, name, *argv):
    """What linreg_{name}.py prints, less its settings and timing lines."""
    assert SCRIPTS[name].main(list(argv)) == 0
    lines = capsys.readouterr().out.splitlines(keepends=True)
    assert lines[0].startswith(f'# linreg_{name}.py: ')
    assert lines[-1].endswith('sec training, 3 epochs (imports and data '
                              'generation excluded)\n')
    return ''.join(lines[1:-1])


# The epoch-1 losses the README quotes for seed 0
FIRST_LOSS = {'scratch': 'epoch 1, loss 0.039385',
              'concise': 'epoch 1, loss 0.000241'}


@pytest.mark.parametrize('name', ['scratch', 'concise'])
@pytest.mark.parametrize('seed', [0, 2024])
def test_script_prints_what_the_chapter_prints(capsys, name, seed):
    book = notebook(name, seed)
    ours = script(capsys, name, '--seed', str(seed))
    assert ours.splitlines() == book.splitlines()
    epochs = [line for line in ours.splitlines() if line.startswith('epoch')]
    assert len(epochs) == 3
    assert (epochs[0] == FIRST_LOSS[name]) == (seed == 0)
