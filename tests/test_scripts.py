"""Both trainers, called as a user calls them: in-process `main(argv)` for
speed, and one subprocess each to check the command line itself."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

import linreg_concise as concise
import linreg_scratch as scratch

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = {'scratch': scratch, 'concise': concise}


def run_json(capsys, name, *argv):
    """Run one script's `main` with `--json`; return its status and JSON."""
    code = SCRIPTS[name].main([*argv, '--json'])
    out = capsys.readouterr().out
    return code, json.loads(out.splitlines()[-1]), out


@pytest.fixture(scope='module')
def book_runs():
    """Each script once at the book's defaults."""
    runs = {}
    for name, module in SCRIPTS.items():
        args = module.parse_args([])
        runs[name] = module.run(args, log=lambda *a: None)
    return runs


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_book_defaults_recover_w_and_b(book_runs, name):
    result = book_runs[name]
    book = {'num_examples': 1000, 'batch_size': 10, 'lr': 0.03,
            'num_epochs': 3, 'seed': 0, 'init': 'normal', 'init_std': 0.01,
            'loss': 'squared', 'device': 'cpu', 'print_grad': False}
    if name == 'concise':
        book.update(reduction='mean', loader='book')
    assert result['config'] == book
    assert len(result['loss_per_epoch']) == 3
    assert max(abs(e) for e in result['w_error']) < 0.01
    assert max(abs(e) for e in result['b_error']) < 0.01
    assert result['w'] == pytest.approx([2, -3.4], abs=0.01)
    assert result['b'] == pytest.approx([4.2], abs=0.01)


def test_final_losses_sit_at_sigma_squared_and_half_of_it(book_runs):
    sigma2 = 0.01 ** 2
    scratch_loss = book_runs['scratch']['loss_per_epoch'][-1]
    concise_loss = book_runs['concise']['loss_per_epoch'][-1]
    assert 0.6 * sigma2 / 2 < scratch_loss < 1.4 * sigma2 / 2
    assert 0.6 * sigma2 < concise_loss < 1.4 * sigma2
    # One yardstick: the MSE without the 1/2 is alike for both
    for name in SCRIPTS:
        assert 0.6 * sigma2 < book_runs[name]['mse'] < 1.4 * sigma2
    assert book_runs['scratch']['mse'] == pytest.approx(2 * scratch_loss)


def test_same_seed_gives_both_scripts_the_same_data(book_runs):
    assert (book_runs['scratch']['data_sha256']
            == book_runs['concise']['data_sha256'])


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_same_seed_same_output_other_seed_other_data(capsys, name):
    argv = ['--num-examples', '200', '--num-epochs', '2']
    _, first, text1 = run_json(capsys, name, *argv, '--seed', '7')
    _, again, text2 = run_json(capsys, name, *argv, '--seed', '7')
    _, other, _ = run_json(capsys, name, *argv, '--seed', '8')
    assert first['loss_per_epoch'] == again['loss_per_epoch']
    assert first['w'] == again['w'] and first['b'] == again['b']
    assert first['data_sha256'] == again['data_sha256']
    assert other['data_sha256'] != first['data_sha256']
    # The printed lines agree too, but for the training time
    assert text1.splitlines()[:-2] == text2.splitlines()[:-2]


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_output_in_the_books_format_and_json_fields(capsys, name):
    code, result, out = run_json(capsys, name, '--num-epochs', '2')
    assert code == 0
    lines = out.splitlines()
    assert lines[1].startswith('epoch 1, loss 0.')
    assert lines[2].startswith('epoch 2, loss 0.')
    assert lines[3].startswith('error in estimating w: tensor(')
    assert lines[4].startswith('error in estimating b: tensor(')
    assert 'sec training' in lines[5]
    assert result['impl'] == name
    for key in ('config', 'loss_per_epoch', 'mse', 'w', 'b', 'w_error',
                'b_error', 'train_seconds'):
        assert key in result, key
    assert f'{result["loss_per_epoch"][0]:f}' in lines[1]
    assert len(result['w']) == 2 and len(result['b']) == 1
    assert result['train_seconds'] > 0


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_batch_larger_than_data_is_fine(capsys, name):
    code, result, _ = run_json(capsys, name, '--num-examples', '5',
                               '--batch-size', '50', '--num-epochs', '1')
    assert code == 0 and len(result['loss_per_epoch']) == 1


BAD_ARGS = [
    ['--num-examples', '0'], ['--batch-size', '-3'], ['--num-epochs', '0'],
    ['--batch-size', '2.5'], ['--num-examples', 'many'], ['--lr', '0'],
    ['--lr', '-0.1'], ['--lr', 'nan'], ['--lr', 'inf'], ['--lr', 'fast'],
    ['--seed', '1.5'], ['--no-such-flag'],
]


@pytest.mark.parametrize('name', ['scratch', 'concise'])
@pytest.mark.parametrize('argv', BAD_ARGS, ids=' '.join)
def test_bad_arguments_exit_2_with_one_line(capsys, name, argv):
    with pytest.raises(SystemExit) as stop:
        SCRIPTS[name].main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert 'Traceback' not in err
    assert err.strip().splitlines()[-1].startswith(
        f'linreg_{name}.py: error: ')


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_huge_lr_reports_divergence(capsys, name):
    code = SCRIPTS[name].main(['--lr', '1e6', '--num-epochs', '3'])
    captured = capsys.readouterr()
    assert code == 1
    message = captured.err.strip().splitlines()
    assert len(message) == 1
    assert 'diverged at epoch 1' in message[0]
    assert 'smaller --lr' in message[0]
    assert 'epoch 2' not in captured.out


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_command_line_as_a_user_runs_it(name):
    script = ROOT / f'linreg_{name}.py'
    ok = subprocess.run([sys.executable, script, '--num-epochs', '1',
                         '--json'], capture_output=True, text=True,
                        cwd=ROOT, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout.splitlines()[-1])['impl'] == name
    bad = subprocess.run([sys.executable, script, '--lr', '-1'],
                         capture_output=True, text=True, cwd=ROOT,
                         timeout=120)
    assert bad.returncode == 2
    assert 'Traceback' not in bad.stderr
    assert 'error: argument --lr' in bad.stderr
    usage = subprocess.run([sys.executable, script, '--help'],
                           capture_output=True, text=True, cwd=ROOT,
                           timeout=120)
    assert usage.returncode == 0 and '(default: 0.03)' in usage.stdout


def test_scratch_does_not_import_d2l():
    probe = ('import sys, linreg_scratch; '
             'sys.exit("d2l" in sys.modules)')
    assert subprocess.run([sys.executable, '-c', probe], cwd=ROOT,
                          timeout=120).returncode == 0
