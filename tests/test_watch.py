"""The runners report what ran, or say they cannot see it: scripts edited
as learners edit them, run as typed where the runners look. Every label is
read from the run or checked against it (bench/contract.py); the script's
own Timer is watched, never replaced; a fault is one line, never a
traceback from bench/."""
import ast
import json
import re
from pathlib import Path

import pytest

import compare
import sweep
from bench import __main__ as bench
from bench import contract, runner
from commands import ROOT
from helpers import edited, one_line, run, status

TYPED = Path(__file__).resolve().parent / 'typed_along'
SMALL = ['--num-examples', '100']


def copy(tmp_path, name, *edits):
    """helpers.edited's copy, as the path a runner's argv holds."""
    return str(edited(tmp_path, name, *edits))


def pair(tmp_path, name, *edits):
    """Both scripts where compare.sh looks, one of them edited."""
    other = 'concise' if name == 'scratch' else 'scratch'
    return [copy(tmp_path, name, *edits), copy(tmp_path, other)]


def watched(capsys, *argv):
    """`python -m bench *argv`: (status, stdout, stderr)."""
    code = status(bench.main, list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# -- the contract, in one place ---------------------------------------------

def test_only_the_contract_reads_a_scripts_names():
    """No other module of the bench looks a name up in a script's
    namespace (`ns`): it asks bench/contract.py."""
    for path in (ROOT / 'bench').glob('*.py'):
        for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
            if isinstance(node, ast.Subscript) and isinstance(
                    node.ctx, ast.Load):
                read = ast.unparse(node.value)
            elif isinstance(node, ast.Attribute) and node.attr in (
                    'get', 'values', 'items'):
                read = ast.unparse(node.value)
            else:
                continue
            assert read.split('.')[-1] != 'ns' or path.name == 'contract.py', (
                path.name, ast.unparse(node))


# -- every label read from the run, or checked against it -------------------

def test_a_later_line_that_rebinds_the_edited_loss_fails_in_one_line(
        tmp_path, capsys):
    path = copy(tmp_path, 'concise', ('loss = nn.MSELoss()\n',
                                      'loss = nn.MSELoss()\nloss = nn.L1Loss()\n'))
    code, out, err = watched(capsys, path, '--loss', 'huber', *SMALL)
    assert code == 1 and "not Huber's loss" in one_line(err)
    assert 'the mean absolute error' in err
    code, out, err = watched(capsys, path, *SMALL)  # nothing asked: a label
    assert code == 0 and 'loss: the mean absolute error' in out


@pytest.mark.parametrize('typed,setting,says', [
    (('num_epochs = args.num_epochs', 'num_epochs = 5'), 'num-epochs',
     '5 epochs, not its --num-epochs 1'),
    (('batch_size = args.batch_size', 'batch_size = 10'), 'batch-size',
     'not the 1 of its --batch-size 100'),
    (('lr = args.lr', 'lr = 0.03'), 'lr', 'lr 0.03, not its --lr 1'),
])
def test_a_number_typed_into_the_script_fails_the_sweeps_rows(
        tmp_path, monkeypatch, capsys, typed, setting, says):
    copy(tmp_path, 'scratch', typed)
    monkeypatch.setattr(runner, 'ROOT', str(tmp_path))
    values = {'num-epochs': '1,5', 'batch-size': '100,10', 'lr': '1,0.03',
              'init-std': '0,0.01'}[setting]
    argv = [setting, '--values', values, '--impl', 'scratch', '--json']
    assert sweep.main(argv + SMALL) == 0
    out = capsys.readouterr().out
    rows = json.loads(out.splitlines()[-1])
    assert says in rows[0]['failed'] and 'typed into the script' in out
    assert 'failed' not in rows[1] and rows[1]['impl'] == 'scratch'


def test_compare_fails_where_a_run_is_not_what_its_flags_asked(
        tmp_path, capsys):
    paths = pair(tmp_path, 'concise', ('lr=args.lr', 'lr=0.03'))
    code = compare.main([*paths, '--lr', '0.1', '--repeats', '1', *SMALL])
    assert code == 1
    assert 'lr 0.03, not its --lr 0.1' in one_line(capsys.readouterr().err)


def test_an_extra_printed_line_never_shifts_a_table(tmp_path, capsys):
    paths = pair(tmp_path, 'scratch', (
        'timer = Timer()\n', "timer = Timer()\nprint('epoch 0, loss 1.0')\n"
        "print('epoch 2 of 3, loss so far')\n"))
    code = compare.main([*paths, '--repeats', '1', '--json', *SMALL])
    out = capsys.readouterr().out
    summary = json.loads(out.splitlines()[-1])
    book = run('scratch', *SMALL).loss_per_epoch
    assert code == 0 and summary['scratch']['loss_per_epoch'] == book
    rows = [line.split() for line in out.splitlines()
            if line[:5].strip().isdigit()]
    assert [float(row[1]) for row in rows] == book


def test_what_the_runner_cannot_see_it_says(tmp_path, capsys):
    path = copy(tmp_path, 'scratch', ('net = linreg\n', 'net = linreg\nlr = '
                                      'str(lr)\nrate = float(lr)\n'),
                ('sgd([w, b], lr, batch_size)', 'sgd([w, b], rate, '
                                                'batch_size)'))
    code, out, err = watched(capsys, path, *SMALL)
    assert code == 0 and 'lr not seen' in out.splitlines()[-1]


# -- the Timer, checked -------------------------------------------------------

LOOP = ('    timer.start()\n    for X, y in data_iter(batch_size, features, '
        'labels):\n')


@pytest.mark.parametrize('edits,says', [
    ([('        l = loss(net(X', '        timer.start()\n        l = loss('
                                  'net(X')],
     'Timer.start() again before a stop() of the start() at line'),
    ([('    timer.stop()\n', '')], 'Timer.start() again before a stop()'),
    ([('    timer.start()\n', '')], 'Timer.stop() without a start()'),
    ([('    timer.start()\n', ''), ('    timer.stop()\n', ''),
      ('timer = Timer()\n', 'timer = Timer()\ntimer.start()\n')],
     'the Timer started here is never stopped'),
])
def test_a_misused_timer_is_one_line_naming_its_line(tmp_path, capsys,
                                                     edits, says):
    code, out, err = watched(capsys, copy(tmp_path, 'scratch', *edits),
                             *SMALL)
    assert code == 1 and says in one_line(err)
    assert 'linreg_scratch.py' in err


@pytest.mark.parametrize('edits,timed', [
    ([('    timer.start()\n', ''), ('    timer.stop()\n', ''),
      ('timer = Timer()\n', 'timer = Timer()\ntimer.start()\n'),
      ("\n# %%\nif args.lang", "timer.stop()\n\n# %%\nif args.lang")],
     'once, start() at line 139 to stop() at line 152: all 3 epochs'),
    ([('    timer.start()\n', ''), ('    timer.stop()\n', ''),
      ('        sgd([w, b]', '        timer.start()\n        sgd([w, b]'),
      ('  # Update parameters using their gradient\n',
       '  # Update parameters using their gradient\n        timer.stop()\n')],
     '30 intervals in 3 epochs, start() at line 146 to stop() at line 148 '
     'first'),
    ([('timer = Timer()\n', 'timer = Timer(); timer.times = [0.0]\n'),
      ('    timer.start()\n', ''), ('    timer.stop()\n', '')],
     'nothing: the script starts no Timer'),
])
def test_a_timer_around_something_else_is_said_so(tmp_path, capsys, edits,
                                                  timed):
    code, out, err = watched(capsys, copy(tmp_path, 'scratch', *edits),
                             *SMALL, '--json')
    result = json.loads(out.splitlines()[-1])
    assert code == 0 and result['timed'] == timed
    assert result['steps_per_epoch'][1:] == [10, 10]
    assert result['epoch_seconds'] is None


# -- never a traceback from bench/ --------------------------------------------

@pytest.mark.parametrize('edit,code,says', [
    (('net = nn.Sequential', 'model = nn.Sequential'), 1,
     "has no `net`"),
    (('timer = Timer()\n', 'timer = Timer()\nsys.exit(0)\n'), 1,
     'ended early, at line 96: sys.exit(0)'),
    (('timer = Timer()\n', "timer = Timer()\ninput('go on? ')\n"), 1,
     'input() waits for the keyboard'),
    (("print(f'epoch {epoch + 1}, loss {l:f}')",
      "print(f'Epoch {epoch + 1}: {l:f}')"), 1,
     'printed no line `epoch N, loss X`'),
])
def test_a_script_that_runs_alone_is_one_line_under_a_runner(
        tmp_path, capsys, edit, code, says):
    path = copy(tmp_path, 'concise', edit)
    if 'model' in edit[1]:  # renamed everywhere: it runs alone
        text = Path(path).read_text(encoding='utf-8')
        Path(path).write_text(re.sub(r'\bnet\b', 'model', text))
    found, out, err = watched(capsys, path, *SMALL)
    assert found == code and says in one_line(err)


def test_a_model_that_is_not_a_line_is_one_line(tmp_path, capsys):
    """No bias (a model the script runs alone): not a line's parameters."""
    path = copy(tmp_path, 'concise', ('nn.Linear(2, 1)',
                                      'nn.Linear(2, 1, bias=False)'),
                ('net[0].bias.data.fill_(0)\n', ''),
                ('b = net[0].bias.data', 'b = torch.zeros(1)'))
    code, out, err = watched(capsys, path, *SMALL)
    assert code == 1 and 'a weight a feature and a bias (3 numbers), not 2' \
        in one_line(err)


def test_files_that_are_no_chapter_script_are_one_line(tmp_path, capsys):
    (tmp_path / 'book.ipynb').write_text('{}')
    (tmp_path / 'data.py').write_bytes(b'\x89PNG\x00\xff')
    for path, code, says in [
            (ROOT / 'exercises' / 'ohm.py', 1, 'has no `features`'),
            (tmp_path / 'book.ipynb', 2, 'is a notebook'),
            (tmp_path / 'data.py', 2, 'not a Python script')]:
        found, out, err = watched(capsys, str(path))
        assert found == code and says in one_line(err)


@pytest.mark.parametrize('module', ['d2l', 'torch'])
def test_a_module_beside_the_script_that_hides_the_books_is_one_line(
        tmp_path, capsys, module):
    path = copy(tmp_path, 'scratch')
    (tmp_path / f'{module}.py').write_text('')
    code, out, err = watched(capsys, path)
    assert code == 2 and f'{module}.py hides the {module} package' in \
        one_line(err)


def test_a_bad_flag_is_refused_before_training_without_cell_markers(
        tmp_path, capsys):
    text = (ROOT / 'linreg_scratch.py').read_text(encoding='utf-8')
    path = copy(tmp_path, 'scratch', *[(line + '\n', '') for line in set(
        text.splitlines()) if line.startswith('# %%')])
    assert '# %%' not in Path(path).read_text(encoding='utf-8')
    code, out, err = watched(capsys, path, '--lr', '-1')
    assert code == 2 and 'must be finite, above 0' in one_line(err)
    assert 'epoch' not in out and 'features:' not in out


def test_a_plot_goes_where_it_was_asked_though_the_script_moves(
        tmp_path, monkeypatch, capsys):
    paths = pair(tmp_path, 'scratch', ('timer = Timer()\n', 'timer = Timer()'
                                       '\nos.chdir(os.path.expanduser("~"))\n'))
    monkeypatch.chdir(tmp_path)
    assert compare.main([*paths, '--plot', 'q.png', '--repeats', '1',
                         *SMALL]) == 0
    assert (tmp_path / 'q.png').read_bytes()[:4] == b'\x89PNG'
    assert f'wrote {tmp_path / "q.png"}' in capsys.readouterr().out


# -- the learner's own pair -----------------------------------------------------

def test_a_pair_typed_along_the_chapter_has_its_four_artefacts_named(
        tmp_path, capsys):
    """tests/typed_along: the chapter typed by hand, own names, no seed,
    the book's 3.1 Timer: compared as typed, each artefact named."""
    code = compare.main([str(TYPED / 'scratch.py'),
                         str(TYPED / 'concise.py'), '--repeats', '2',
                         '--json'])
    *out, last = capsys.readouterr().out.splitlines()
    out, summary = '\n'.join(out), json.loads(last)
    assert code == 0
    # different data: the runner's seed, a shown edit; the same data then
    assert out.count('(seeded by the runner: the script sets no seed)') == 2
    assert 'same data in both: yes' in out
    # the 1/2 in one loss and not the other, read from what they printed
    assert [summary[k]['loss'] for k in ('scratch', 'concise')] == [
        'half', 'mse']
    assert 'scratch prints the mean of `(y_hat - y) ** 2 / 2`' in out
    # twice the step at the same lr, the lr read from what ran
    assert 'At the same lr, 0.03' in out and 'concise steps twice' in out
    # what each Timer timed: the data generation and every epoch, once
    for name, (start, stop) in (('scratch', (6, 61)), ('concise', (7, 34))):
        assert summary[name]['timed'] == (
            f'once, Timer() at line {start} to stop() at line {stop}: the '
            'data generation and all 3 epochs')
    assert 'not the training alone: what each Timer timed' in out
    assert summary['scratch']['flags'] == {}


def test_the_learners_own_timer_is_the_one_that_runs(tmp_path, monkeypatch,
                                                    capsys):
    """A timer.py on the script's path that adds 7 s to every interval:
    the script's line, the JSON and compare.sh's rows all carry it."""
    slow = (TYPED / 'timer.py').read_text().replace(
        'self.times.append(time.time() - self.tik)',
        'self.times.append(time.time() - self.tik + 7)')
    (tmp_path / 'timer.py').write_text(slow)
    folder = tmp_path / 'mine'
    folder.mkdir()
    for name in ('scratch', 'concise'):
        text = (TYPED / f'{name}.py').read_text()
        (folder / f'{name}.py').write_text(
            'import sys\nsys.path.append("..")\n' + text)
    pairs = [str(folder / 'scratch.py'), str(folder / 'concise.py')]
    monkeypatch.chdir(folder)  # where ".." is the parent, as typed
    assert compare.main([*pairs, '--repeats', '1', '--json']) == 0
    out = capsys.readouterr().out
    summary = json.loads(out.splitlines()[-1])
    for name in ('scratch', 'concise'):
        assert 7 < summary[name]['timer_seconds'][0] < 8
        assert 7 < summary['timing'][name]['median'] < 8
    assert 'Timer() at line 8' in summary['scratch']['timed']


def test_a_flag_that_a_script_without_a_parser_cannot_take_is_refused(
        capsys):
    code = compare.main([str(TYPED / 'scratch.py'), str(TYPED /
                                                        'concise.py'),
                         '--lr', '1'])
    assert code == 2
    assert 'scratch.py takes no flags' in one_line(capsys.readouterr().err)


# -- what the runners read, and how they watch --------------------------------

def test_the_watch_reads_nothing_while_the_timer_runs(monkeypatch):
    """Its reads come before `start` reads the clock and after `stop` has:
    nothing of it is timed."""
    import time
    from bench import watch
    events = []
    clock = time.perf_counter
    monkeypatch.setattr(time, 'perf_counter',
                        lambda: events.append('clock') or clock())
    for name in ('started', 'stopped', 'printed', 'begin'):
        method = getattr(watch.Watch, name)
        monkeypatch.setattr(watch.Watch, name, lambda self, *args, m=method: (
            events.append('watch'), m(self, *args))[1])
    run('concise', '--num-epochs', '2', '--num-examples', '50')
    timed = ''.join('c' if e == 'clock' else 'w' for e in events)
    assert 'cwc' not in timed and timed.count('c') == 4


def test_the_watch_counts_the_steps_each_epoch_took():
    result = run('scratch', '--num-examples', '95')
    assert result.steps_per_epoch == [10, 10, 10]
    assert result.batch_size == 10 and result.lr == 0.03
    assert result.optimizer == 'its own `sgd`'
    concise = run('concise', '--num-examples', '95', '--lr', '0.1')
    assert concise.optimizer == 'torch.optim.SGD' and concise.lr == 0.1


@pytest.mark.parametrize('name,lr', [('scratch', '3'), ('concise', '1')])
def test_divergence_shows_every_epoch_then_one_line(capsys, name, lr):
    code, out, err = watched(capsys, runner.script_file(name), '--lr', lr)
    epochs = [line for line in out.splitlines() if line.startswith('epoch')]
    assert code == 1 and len(epochs) == 3
    assert 'error in estimating b:' in out
    assert 'epoch 1' in err and 'try a smaller learning rate' in one_line(err)


def test_an_init_that_overflows_is_blamed_on_the_init(capsys):
    code, out, err = watched(capsys, runner.script_file('scratch'),
                             '--init-std', '1e30', '--json')
    assert code == 1 and 'try a smaller --init-std' in one_line(err)
    result = json.loads(out.splitlines()[-1])  # strict JSON: null
    assert result['diverged_at_epoch'] == 1 and result['mse'] is None


def test_each_loss_is_told_apart_by_what_it_prints():
    kinds = {}
    for name in ('scratch', 'concise'):
        for loss in ('squared', 'huber', 'abs'):
            kinds[name, loss] = run(name, '--loss', loss, *SMALL).loss
    assert kinds == {('scratch', 'squared'): 'half',
                     ('concise', 'squared'): 'mse',
                     ('scratch', 'huber'): 'huber', ('concise', 'huber'):
                     'huber', ('scratch', 'abs'): 'abs',
                     ('concise', 'abs'): 'abs'}
    total = run('concise', '--reduction', 'sum', '--lr', '0.003')
    assert total.loss == 'sum'
    assert set(contract.LOSSES) >= set(kinds.values()) | {'sum'}


def test_the_readmes_gpu_copies_run_and_compare(tmp_path, capsys):
    """The README's recipe for a GPU, with `.cpu()` for `.cuda()` here (no
    GPU in CI): copies that move their data and parameters where it says,
    and a device's Timer, compare as the book's pair does, number for
    number."""
    move = ('features, labels, true_w = features.cpu(), labels.cpu(), '
            'true_w.cpu()')
    drawn = 'args.num_examples)\n'
    scratch = copy(tmp_path, 'scratch', (
        "labels.detach().numpy(), 1);\n", "labels.detach().numpy(), 1);\n"
        f"{move}\n"), ('size=(2, 1), requires_grad=True)',
                       'size=(2, 1)).cpu().requires_grad_()'),
        ('torch.zeros(1, requires_grad=True)',
         'torch.zeros(1).cpu().requires_grad_()'),
        ('timer = Timer()', "timer = Timer('cpu')"))
    concise = copy(tmp_path, 'concise', (drawn, f'{drawn}{move}\n'), (
        'net[0].bias.data.fill_(0)\n', 'net[0].bias.data.fill_(0)\n'
        'net.cpu()\n'), ('timer = Timer()', "timer = Timer('cpu')"))
    assert compare.main([scratch, concise, '--repeats', '1', '--json']) == 0
    found = json.loads(capsys.readouterr().out.splitlines()[-1])
    for name in ('scratch', 'concise'):
        book = run(name)
        assert found[name]['loss_per_epoch'] == book.loss_per_epoch
        assert found[name]['w'] == book.w and found[name]['timed'].startswith(
            'each of the 3 epochs alone')


@pytest.mark.parametrize('edit,argv,says', [
    (('torch.manual_seed(args.seed)', 'torch.manual_seed(42)'),
     ['--seed', '5'], 'seed 42, not its --seed 5'),
    (('args = parser.parse_args(sys.argv[1:] if as_script else [])',
      'args = parser.parse_args([])'), ['--lr', '0.1'],
     'parse_args([]), not the flags given'),
])
def test_flags_the_run_did_not_take_are_a_contradiction(tmp_path, capsys,
                                                        edit, argv, says):
    code, out, err = watched(capsys, copy(tmp_path, 'concise', edit),
                             *argv)
    assert code == 1 and says in one_line(err)


@pytest.mark.parametrize('edit,ran', [
    (('import sys\n', 'import sys\nsys.stdout.reconfigure(errors="strict")'
      '\n'), 'lr 0.03'),  # a stdout set up by the script: the runner's stays
    (("print(f'epoch {epoch + 1}, loss {l:f}')",
      "print(f'epoch {epoch}, loss {l:f}')"), '3 epochs of 10 steps'),
    (('trainer = torch.optim.SGD(net.parameters(), lr=args.lr)',
      'trainer = torch.optim.SGD(net.parameters(), lr=args.lr); other = '
      'torch.optim.SGD(net.parameters(), lr=1.0)'), 'lr not seen'),
    (("      '(imports and data generation excluded)')",
      "      '(imports and data generation excluded)'); sys.exit(0)"),
     '3 epochs of 10 steps'),
])
def test_what_a_learner_adds_is_read_or_said_unseen(tmp_path, capsys, edit,
                                                     ran):
    path = copy(tmp_path, 'concise', edit)
    Path(path).write_bytes(b'\xef\xbb\xbf' + Path(path).read_bytes())  # BOM
    code, out, err = watched(capsys, path, *SMALL)
    assert code == 0 and ran in out.splitlines()[-1], err
