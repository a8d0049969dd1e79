"""The runners read what ran from the computation, whatever a learner named
things or printed: pairs typed along the chapter, changed as learners
change them, each run in a process of its own as `python` runs it. Where
something cannot be seen, they say so; a fault is one line."""
import ast
import shutil
from pathlib import Path

import pytest

from bench import faults, runner
from commands import ROOT
from helpers import TYPED, edited, run, typed

SCRATCH, CONCISE = 'scratch', 'concise'
LOOP = '    for X, y in minibatches(batch_size, features, labels):\n'
PRINT = "    print(f'epoch {epoch + 1}, loss {l:f}')"
FULL = '    l = loss(net(features), labels)\n'
SGD = 'trainer = torch.optim.SGD(net.parameters(), lr=0.03)'
DRAWN = 'features, labels = d2l.synthetic_data(true_w, true_b, 1000)'
SHAPES = {  # (a typed-along script, its edits (old, new), its flags)
    'other names': (SCRATCH, [('features', 'x_train'), ('labels', 'y_train'),
                              ('true_w', 'ture_w')], []),
    'inline truth': (CONCISE, [('true_w = torch.tensor([2, -3.4])\n', ''),
                               ('true_b = 4.2\n', ''),
                               ('true_w, true_b, 1000', 'torch.tensor([2, '
                                '-3.4]), 4.2, 1000')], []),
    'one feature': (CONCISE, [('[2, -3.4]', '[2.]'),
                              ('nn.Linear(2, 1)', 'nn.Linear(1, 1)')], []),
    'epoch: N': (CONCISE, [(PRINT, "    print(f'epoch: {epoch}, loss: "
                            "{l:.5f}')")], []),
    'Epoch [N/3]': (CONCISE, [(PRINT, "    print(f'Epoch [{epoch + 1}/"
                               "{epochs}], Loss: {l.item():.4f}')")], []),
    'a minibatch': (CONCISE, [(FULL, '')], []),
    'nothing': (CONCISE, [(PRINT, '    pass')], []),
    'L1, MSE printed': (CONCISE, [('        l = loss(net(X), y)',
                                   '        l = nn.L1Loss()(net(X), y)')],
                        []),
    '.data': (SCRATCH, [('with torch.no_grad():', 'if True:'),
                        ('p -= lr', 'p.data -= lr')], []),
    'Adam': (CONCISE, [('optim.SGD', 'optim.Adam')], []),
    'StepLR': (CONCISE, [(SGD, SGD.replace('0.03', '0.1') + '\nsched = '
                          'torch.optim.lr_scheduler.StepLR(trainer, 1, 0.1)'),
                         (FULL, '    sched.step()\n' + FULL)], []),
    'noise 0.1': (CONCISE, [(DRAWN, 'X = torch.normal(0, 1, (1000, 2))\ny = '
                             'X @ true_w + true_b + torch.normal(0, 0.1, '
                             '(1000,))\nfeatures, labels = X, y[:, None]')],
                  []),
    'a Timer an epoch': (SCRATCH, [(LOOP, '    t.start()\n' + LOOP),
                                   ('    with torch.no_grad():\n        '
                                    'train_l', '    t.stop()\n    with torch'
                                    '.no_grad():\n        train_l'),
                                   ('t.stop():.4f', 't.sum():.4f')], []),
    'main()': (SCRATCH, [(DRAWN.replace('d2l.synthetic_data', 'make_data'),
                          'if __name__ == "__main__":  # torch.manual_seed('
                          '0)\n    features, labels = make_data(\n        '
                          'true_w, true_b, 1000)')], []),
    'print(a, b), a gradient': (CONCISE, [
        (PRINT, "    print('epoch', epoch + 1, 'loss', float(l))"),
        ("print(f'took", 'l = loss(net(features), labels)\nl.backward()\n'
                         "print(f'took")], []),
    'logging': (CONCISE, [('import torch\n', 'import logging\nimport torch'
                           '\n'), ('print(f', 'logging.warning(f')], []),
    'batch 32, workers': (CONCISE, [('batch_size = 10', 'batch_size = 32'),
                                    ('shuffle=is_train)', 'shuffle=is_train'
                                     ', num_workers=2)')], []),
}


@pytest.fixture(scope='module')
def shapes(tmp_path_factory):
    """{shape: its run, or the fault raised}, all run side by side, each
    of 2 epochs (fewer than the chapter's, for time)."""
    scripts = {}
    for shape, (name, edits, argv) in SHAPES.items():
        folder = tmp_path_factory.mktemp('shape')
        path = typed(folder, name, *edits, ('epochs = 3', 'epochs = 2'))
        scripts[shape] = runner.load(str(path), argv)
    workers = [runner.Worker(script) for script in scripts.values()]
    for worker in workers:
        worker.send('analyse')
    found = {}
    for shape, worker in zip(scripts, workers):
        try:
            found[shape] = worker.answer()
        except faults.Failed as error:
            found[shape] = error
    return found


def test_every_shape_is_read(shapes):
    assert not [shape for shape, ran in shapes.items()
                if isinstance(ran, Exception)], shapes
    for shape, ran in shapes.items():
        batch = 32 if shape == 'batch 32, workers' else 10
        assert ran.steps_per_epoch == [-(-1000 // batch)] * 2, shape
        assert ran.num_examples == 1000 and ran.batch_size == batch
        assert ran.seeded == 'runner' and ran.lr != 0, shape


def test_other_names_and_an_inline_truth_are_read_or_said_unseen(shapes):
    other, inline = shapes['other names'], shapes['inline truth']
    assert (other.loss, other.reduction, other.true_w) == ('half', 'sum',
                                                           None)
    assert other.lr == pytest.approx(0.03, rel=1e-3)
    assert inline.true_w is None and inline.mse < 2e-4


def test_one_feature_is_a_line(shapes):
    one = shapes['one feature']
    assert len(one.w) == len(one.true_w) == len(one.lstsq['w']) == 1
    assert abs(one.w[0] - 2) < 0.01


@pytest.mark.parametrize('shape,said', [
    ('epoch: N', ['loss'] * 2), ('Epoch [N/3]', ['loss'] * 2),
    ('a minibatch', [None] * 2), ('nothing', [None] * 2),
    ('L1, MSE printed', ['mse'] * 2)])
def test_a_print_in_any_format_or_none_changes_no_column(shapes, shape,
                                                         said):
    book = run('concise')
    ran = shapes[shape]
    assert ran.printed_loss == said, ran.printed
    if shape != 'L1, MSE printed':
        assert ran.mse_per_epoch == pytest.approx(
            shapes['nothing'].mse_per_epoch)
        assert ran.loss == 'squared' and book.loss == 'squared'
    else:  # trained on L1, whatever it printed
        assert (ran.loss, ran.reduction) == ('abs', 'mean')


def test_a_line_printed_in_pieces_a_late_backward_and_logging(shapes):
    """`print('epoch', 1, ...)` writes in pieces: read as one line; a
    `backward()` that no step follows (a look at a gradient) is no step;
    a DataLoader's workers run; the seeded rerun logs as the first did."""
    pieces = shapes['print(a, b), a gradient']
    assert pieces.printed[0].startswith('epoch 1 loss 0.000')
    assert pieces.printed_loss == ['loss'] * 2
    assert pieces.lr == pytest.approx(0.03, rel=1e-3)
    assert 'WARNING:root:epoch 2, loss 0.0000' in shapes['logging'].err


def test_a_short_last_batch_leaves_the_lr_as_typed(shapes):
    """Batches of 32 over 1000 examples, from a DataLoader's workers: the
    last holds 8, whose step is not the others' multiple of its gradient;
    the full batches' lr."""
    assert shapes['batch 32, workers'].lr == pytest.approx(0.03, rel=1e-3)


def test_the_steps_are_measured_not_inferred(shapes):
    assert shapes['.data'].lr == pytest.approx(0.03, rel=1e-3)
    assert shapes['.data'].mse_per_epoch == pytest.approx(
        shapes['other names'].mse_per_epoch)
    assert shapes['Adam'].lr is None and shapes['Adam'].mse_step is None
    rates = shapes['StepLR'].lr_per_epoch
    assert rates == pytest.approx([0.1, 0.01], rel=1e-2)
    assert shapes['StepLR'].lr is None


def test_the_noise_is_read_from_the_data(shapes):
    """Drawn on two lines, with noise 0.1: seeded where X was drawn, and
    lstsq's MSE near 0.1 ** 2, where the book's data give 0.01 ** 2."""
    assert shapes['noise 0.1'].lstsq['mse'] == pytest.approx(0.01, rel=0.2)
    assert run('concise').lstsq['mse'] == pytest.approx(1e-4, rel=0.2)
    assert 'X = torch.normal' in shapes['noise 0.1'].edits[0]


def test_a_timer_is_said_as_it_timed(shapes):
    assert shapes['a Timer an epoch'].timer.startswith(
        'each of the 2 epochs alone, start() at line')
    assert shapes['nothing'].timer.endswith(
        ': the data generation and all 2 epochs')
    assert shapes['nothing'].timer.startswith('once, Timer() at line 7 ')


def test_the_seed_goes_where_the_data_were_drawn(shapes):
    """In `if __name__ == '__main__':`, over two lines, beside a seed that
    is commented out: the statement's first line, as it is indented."""
    edit = shapes['main()'].edits[0]
    assert ':19  runner_seed(0); features, labels = make_data(' in edit


def test_the_1_0_classes_are_read_as_the_steps_they_take(tmp_path):
    """d2l 1.0's `SyntheticRegressionData`, `Module` and `Trainer`, which
    print no epoch: the data the loader drew from, batch 32, the same data
    for both once seeded where `data` is made, and twice the step."""
    shutil.copytree(ROOT / 'tests' / 'typed_along_1_0', tmp_path / 'pair')
    scratch, concise = runner.analyse([runner.load(str(tmp_path / 'pair' /
                                                       f'{name}.py'))
                                       for name in (SCRATCH, CONCISE)])[1]
    assert scratch.steps_per_epoch == [32] * 3 and scratch.batch_size == 32
    assert scratch.num_examples == 1000  # of the 2000: the training part
    assert scratch.data_sha256 == concise.data_sha256
    assert (scratch.loss, concise.loss) == ('half', 'squared')
    assert concise.mse_step == pytest.approx(2 * scratch.mse_step, rel=1e-3)
    assert scratch.true_w == pytest.approx([2, -3.4])
    # LazyLinear's `normal_` and `fill_` never take effect: PyTorch's init
    assert max(map(abs, concise.initial)) > 0.1 > max(map(abs,
                                                          scratch.initial))


def test_a_helper_in_the_parent_folder_and_two_same_named_modules(tmp_path):
    """The seed post's layout: `sys.path.append('..')` and the Timer in the
    parent folder; and two folders each with its own `utils.py`, one of
    which sets torch's default dtype: neither run sees the other's."""
    for name in (SCRATCH, CONCISE):
        path = typed(tmp_path / 'post' / 'pair', name, timer=False)
        path.write_text("import sys\nsys.path.append('..')\n" +
                        path.read_text())
    shutil.copy(TYPED / 'timer.py', tmp_path / 'post')
    for folder, noise in (('a', '0.01'), ('b', '0.1')):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / 'utils.py').write_text(
            'import torch\nX = torch.normal(0, 1, (500, 2))\ny = X @ '
            f'torch.tensor([2, -3.4]) + 4.2 + torch.normal(0, {noise}, '
            '(500,))\n')
        (tmp_path / folder / 'scratch.py').write_text(
            'import torch\nfrom torch import nn\n' + (
                'torch.set_default_dtype(torch.float64)\n' * (folder == 'a'))
            + 'from utils import X, y\nnet = nn.Linear(2, 1)\nopt = '
            'torch.optim.SGD(net.parameters(), 0.03)\nfor epoch in range(2):'
            '\n    for k in range(0, 500, 10):\n        opt.zero_grad()\n'
            '        nn.MSELoss()(net(X[k:k + 10]), y[k:k + 10, None])'
            '.backward()\n        opt.step()\n')
    found = runner.analyse([runner.load(str(path)) for path in (
        tmp_path / 'post' / 'pair' / 'scratch.py', tmp_path / 'post' /
        'pair' / 'concise.py', tmp_path / 'a' / 'scratch.py', tmp_path /
        'b' / 'scratch.py')])[1]
    post, a, b = found[:2], found[2], found[3]
    assert post[0].data_sha256 == post[1].data_sha256
    assert post[0].timer.startswith('once, Timer() at line 8')
    assert a.lstsq['mse'] < 2e-4 < 5e-3 < b.lstsq['mse']
    assert b.data_sha256 == runner.analyse([runner.load(str(
        tmp_path / 'b' / 'scratch.py'))])[1][0].data_sha256


@pytest.mark.parametrize('source,says', [
    ('import torch\nx = torch.ones(3, requires_grad=True)\n',
     'took no step'),
    ('import torch\nfrom torch import nn\nX = torch.randn(100, 2)\ny = X '
     '@ torch.tensor([2., -3.4])\nnet = nn.Sequential(nn.Linear(2, 8), '
     'nn.Linear(8, 1))\nnn.MSELoss()(net(X), y[:, None]).backward()\n',
     'trains 33 parameters'),
    ('input()\n', 'input() waits for the keyboard'),
    ('import sys\nsys.exit(3)\n', 'ended early: sys.exit(3)'),
    ('import torch\nw = torch.ones(2, requires_grad=True)\n(torch.randn(5, 2)'
     ' @ w).sum().backward()\n', 'no tensor it holds'),
])
def test_what_no_run_can_read_is_one_line(tmp_path, source, says):
    path = tmp_path / 'mine.py'
    path.write_text(source)
    with pytest.raises(faults.Failed) as raised:
        runner.analyse([runner.load(str(path))])
    assert says in str(raised.value) and '\n' not in str(raised.value)
    assert not isinstance(raised.value, faults.Bug)


RATE = [("('--lr', 0.03), ", ''), ('lr=args.lr', 'lr=args.rate'),
        ('locale = (', "parser.add_argument('--lr', dest='rate', type=float, "
         "default=0.03)\nlocale = (")]  # its own parser: the lr elsewhere
NOT_ASKED = {  # what the run says: (its edits, the flags typed)
    '42 for its --seed 5': ([('torch.manual_seed(args.seed)',
                              'torch.manual_seed(42)')], ['--seed', '5']),
    'parse_args([]), not the flags given': (
        [('args = parser.parse_args(sys.argv[1:] if as_script else [])',
          'args = parser.parse_args([])')], ['--lr', '0.1']),
    '0.01 for its --lr 0.1': ([('lr=args.lr', 'lr=0.01')], ['--lr', '0.1']),
    'without parse_args(), not --lr 0.1': (
        [('args = parser.parse_args(sys.argv[1:] if as_script else [])',
          "args = argparse.Namespace(num_examples=1000, batch_size=10, lr="
          "0.03, num_epochs=3, seed=0, init_std=0.01, lang='en')  # no "
          'parse_args() yet')], ['--lr', '0.1']),
}
AS_ASKED = {  # runs that are what was asked: (its edits, the flags typed)
    'a number typed in': ([('lr=args.lr', 'lr=0.01')], []),
    'its own lr': (RATE, []),
    'its own lr, typed, a batch of all': (RATE, ['--lr', '0.1',
                                                 '--num-examples', '5',
                                                 '--batch-size', '10']),
}


@pytest.fixture(scope='module')
def flagged(tmp_path_factory):
    """{case: its run, or the fault raised}, all run side by side."""
    workers = {}
    for case, (edits, argv) in {**NOT_ASKED, **AS_ASKED}.items():
        path = edited(tmp_path_factory.mktemp('flags'), 'concise', *edits)
        workers[case] = runner.Worker(runner.load(str(path), argv))
        workers[case].send('analyse')
    found = {}
    for case, worker in workers.items():
        try:
            found[case] = worker.answer()
        except faults.Failed as error:
            found[case] = error
    return found


@pytest.mark.parametrize('says', NOT_ASKED)
def test_a_typed_flag_the_run_did_not_honour_is_one_line(flagged, says):
    assert isinstance(flagged[says], faults.Failed)
    assert says in str(flagged[says]) and '\n' not in str(flagged[says])


def test_a_flag_the_run_cannot_be_checked_against_is_no_fault(flagged):
    """A parser of its own that keeps the lr elsewhere, or a batch larger
    than the data: what ran is no contradiction."""
    assert flagged['its own lr'].num_examples == 1000
    assert flagged['its own lr, typed, a batch of all'].num_examples == 5


def test_a_number_typed_into_the_script_is_what_ran(flagged):
    """Nobody asked for another lr: the run is what ran, and says so."""
    assert flagged['a number typed in'].lr == pytest.approx(0.01, rel=1e-3)


@pytest.mark.parametrize('write,says', [
    (lambda path: path.write_bytes(b'\x80\x81\x82'), 'not UTF-8'),
    (lambda path: (path.parent / 'torch.py').write_text(''), 'hides'),
    (lambda path: path.rename(path.with_suffix('.ipynb')), 'notebook'),
    (lambda path: path.unlink(), 'no script'),
])
def test_a_file_that_is_no_script_is_refused_in_one_line(tmp_path, write,
                                                         says):
    path = tmp_path / 'mine.py'
    path.write_text('print(1)\n')
    write(path)
    if says == 'notebook':
        path = path.with_suffix('.ipynb')
    with pytest.raises(faults.Refused) as raised:
        runner.load(str(path))
    assert says in str(raised.value)


def test_flags_for_a_script_that_parses_none_are_refused(tmp_path):
    with pytest.raises(faults.Refused) as raised:
        runner.load(str(TYPED / 'scratch.py'), ['--lr', '0.1'])
    assert 'takes no flags' in str(raised.value)


def test_only_the_contract_knows_a_scripts_names():
    """The chapter's names, lines and flags are bench/contract.py's: no
    other module of the runners holds one as a string."""
    names = {'features', 'labels', 'true_w', 'true_b', 'net', 'lr',
             'batch_size', 'num_epochs', 'data_iter', 'trainer', 'X', 'y',
             'num_examples', 'Timer', '--lr', '--num-epochs'}
    for path in [*(ROOT / 'bench').glob('*.py'), ROOT / 'compare.py',
                 ROOT / 'sweep.py']:
        if path.name == 'contract.py':
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
            if isinstance(node, ast.Constant) and isinstance(node.value,
                                                              str):
                assert node.value not in names, (path.name, node.value)


def test_a_learners_timer_is_watched_not_replaced():
    """The script's own Timer class runs, and is put back as it was."""
    source = Path(TYPED / 'timer.py').read_text(encoding='utf-8')
    assert 'time.time()' in source  # the book's 3.1 Timer, not ours
    ran = run('scratch')
    assert ran.timer.startswith('each of the 3 epochs alone')
