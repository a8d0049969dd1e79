"""The runners say what ran, or say nothing: a script watched from
outside, as the learner edited it. Every time is the script's own Timer's;
a run that diverges shows its epochs as the book does, then one line."""
import json

import pytest

import compare
import timer
from bench import __main__ as bench
from bench import runner
from helpers import edited, run

def copies(tmp_path, monkeypatch, name, *edits):
    """The checkout's scripts, as the runners find them, with `edits`
    (old, new) made to linreg_{name}.py, as a learner edits the file."""
    other = 'concise' if name == 'scratch' else 'scratch'
    path = edited(tmp_path, name, *edits[0])
    for old, new in edits[1:]:
        text = path.read_text(encoding='utf-8')
        assert old in text
        path.write_text(text.replace(old, new), encoding='utf-8')
    (tmp_path / f'linreg_{other}.py').write_text(
        open(runner.script_file(other), encoding='utf-8').read())
    monkeypatch.setattr(runner, 'ROOT', str(tmp_path))


def compared(capsys, *argv):
    code = compare.main(['--repeats', '1', *argv, '--json'])
    out, err = capsys.readouterr()
    return code, json.loads(out.splitlines()[-1]), out, err


def test_equivalence_runs_the_concise_script_as_the_learner_edited_it(
        tmp_path, monkeypatch, capsys):
    """An lr typed into the script is not the flag's: the run at twice the
    lr is not, and the gap says so."""
    copies(tmp_path, monkeypatch, 'concise', ('lr=args.lr', 'lr=0.03'))
    code, summary, out, _ = compared(capsys, '--equivalence',
                                     '--num-examples', '200')
    assert code == 0 and summary['equivalence']['double_lr_gap'] > 1e-2


def test_equivalence_without_the_books_loss_line_says_so(
        tmp_path, monkeypatch, capsys):
    copies(tmp_path, monkeypatch, 'concise',
           ('loss = nn.MSELoss()', "loss = nn.MSELoss(reduction='mean')"))
    code, summary, out, _ = compared(capsys, '--equivalence',
                                     '--num-examples', '200')
    assert code == 0 and summary['equivalence'] is None
    assert 'equivalence: cannot run it: --equivalence changes the line' in out


def test_epochs_typed_into_one_script_show_per_column(tmp_path, monkeypatch,
                                                      capsys):
    copies(tmp_path, monkeypatch, 'scratch',
           ('num_epochs = args.num_epochs', 'num_epochs = 5'),
           ('batch_size = args.batch_size', 'batch_size = 1000'))
    code, summary, out, _ = compared(capsys, '--num-examples', '200')
    assert code == 0
    assert ('# scratch: 200 examples, 5 epochs of 1 steps (batch 1000); '
            'concise: 200 examples, 3 epochs of 20 steps (batch 10)') in out
    rows = [line.split() for line in out.splitlines()
            if line[:5].strip().isdigit()]
    assert [len(row) for row in rows] == [5, 5, 5, 3, 3]  # blanks: none
    assert 'the two ran different epochs' in out
    assert summary['scratch']['steps_per_epoch'] == [1] * 5


def test_a_bug_under_compare_keeps_its_traceback_and_the_plot_its_file(
        tmp_path, monkeypatch, capsys):
    copies(tmp_path, monkeypatch, 'scratch',
           ('l.sum().backward()', 'l.backward()'))
    keep = tmp_path / 'keep.png'
    keep.write_bytes(b'kept')
    assert compare.main(['--plot', str(keep)]) == 1
    err = capsys.readouterr().err
    assert err.startswith('Traceback') and '    l.backward()\n' in err
    assert 'compare.py' not in err and 'runner.py' not in err
    assert err.splitlines()[-1].startswith(
        'linreg_scratch.py: hint: `backward` needs a scalar')
    assert keep.read_bytes() == b'kept'


def test_a_bug_under_sweep_keeps_its_traceback(tmp_path, monkeypatch,
                                              capsys):
    import sweep
    copies(tmp_path, monkeypatch, 'concise',
           ('l = loss(net(X), y)', 'l = nn.MSELoss(net(X), y)'))
    assert sweep.main(['lr', '--values', '0.03', '--impl', 'concise']) == 1
    err = capsys.readouterr().err
    assert err.startswith('Traceback') and 'sweep.py' not in err
    assert '    l = nn.MSELoss(net(X), y)\n' in err
    assert err.splitlines()[-1].startswith(
        'linreg_concise.py: hint: `nn.MSELoss()` makes a loss function')


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_every_time_is_the_scripts_timer(monkeypatch, capsys, name):
    """Timer.stop adds a known 7 s: the script's line, the JSON and
    compare.sh's rows all carry it."""
    stop = timer.Timer.stop

    def slow_stop(self):
        self.tik -= 7.0
        return stop(self)
    monkeypatch.setattr(timer.Timer, 'stop', slow_stop)
    assert bench.main([runner.script_file(name), '--num-epochs', '2',
                       '--json']) == 0
    lines = capsys.readouterr().out.splitlines()
    seconds = float(lines[-3].split()[0])
    assert 14 < seconds < 15 and lines[-3].endswith(
        'sec training, 2 epochs (imports and data generation excluded)')
    assert 14 < json.loads(lines[-1])['train_seconds'] < 15
    if name == 'concise':
        assert compare.main(['--num-examples', '50', '--repeats', '1']) == 0
        median = capsys.readouterr().out.split('per epoch, median (range)')
        assert all(7000 < float(v) < 7500 for v in median[1].split()[::3][:2])


@pytest.mark.parametrize('name,lr', [('scratch', '3'), ('concise', '1')])
def test_divergence_shows_every_epoch_then_one_line(capsys, name, lr):
    assert bench.main([runner.script_file(name), '--lr', lr]) == 1
    out, err = capsys.readouterr()
    epochs = [line for line in out.splitlines() if line.startswith('epoch')]
    assert len(epochs) == 3 and 'error in estimating b:' in out
    assert 'epoch 1' in err and 'try a smaller learning rate' in err
    assert len(err.strip().splitlines()) == 1 and 'Traceback' not in err


def test_an_outlier_that_overflows_is_blamed_on_the_outlier(capsys):
    assert bench.main([runner.script_file('scratch'), '--outlier', '1e20',
                       '--init-std', '0', '--json']) == 1
    out, err = capsys.readouterr()
    assert '--outlier' in err and 'init' not in err
    result = json.loads(out.splitlines()[-1])  # strict JSON: null
    assert result['diverged_at_epoch'] == 1 and result['mse'] is None


def test_the_watch_reads_nothing_while_the_timer_runs(monkeypatch):
    """Its reads come before `start` reads the clock and after `stop` has:
    nothing of it is timed."""
    from bench import watch
    events = []
    monkeypatch.setattr(timer, 'synchronizer',  # called before each reading
                        lambda device: lambda: events.append('clock'))
    for name in ('started', 'stopped'):
        method = getattr(watch.Watch, name)
        monkeypatch.setattr(watch.Watch, name, lambda self, method=method: (
            events.append('watch'), method(self)))
    run('concise', '--num-epochs', '2', '--num-examples', '50')
    assert events == ['watch', 'clock', 'clock', 'watch'] * 2


def test_the_watch_counts_the_steps_each_epoch_took():
    result = run('scratch', '--num-examples', '95', '--batch-size', '10')
    assert result.steps_per_epoch == [10, 10, 10]
    assert len(result.epoch_seconds) == 3


@pytest.mark.check
@pytest.mark.background
def test_run_in_ipython_is_the_plain_script():
    from commands import finished
    code, out, err = finished('%run')
    assert 'Traceback' not in out + err
    assert 'epoch 3, loss inf' in out  # --lr 1 took effect
