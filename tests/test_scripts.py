"""Both trainers, called as a user calls them: in-process `main(argv)` for
speed; the command line itself is run once per script in test_commands.py.
"""
import json

import pytest

from helpers import SCRIPTS, one_line, results

BOOK = {'num_examples': 1000, 'batch_size': 10, 'lr': 0.03, 'num_epochs': 3,
        'seed': 0, 'init': 'normal', 'init_std': 0.01, 'loss': 'squared',
        'huber_sigma': 1.0, 'outlier': None, 'sorted': False,
        'no_shuffle': False, 'device': 'cpu', 'print_grad': False,
        'lang': 'en'}


def main_json(capsys, name, *argv):
    """Run one script's `main` with `--json`; return its JSON and output."""
    assert SCRIPTS[name].main([*argv, '--json']) == 0
    out = capsys.readouterr().out
    return json.loads(out.splitlines()[-1]), out


@pytest.fixture(scope='module')
def book_runs():
    """Each script once at the book's defaults."""
    return {name: results(name) for name in SCRIPTS}


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_book_defaults_recover_w_and_b(book_runs, name):
    result = book_runs[name]
    book = dict(BOOK)
    if name == 'concise':
        book.update(reduction='mean', loader='book')
    assert result['config'] == book
    assert len(result['loss_per_epoch']) == 3
    assert result['w'] == pytest.approx([2, -3.4], abs=0.002)
    assert result['b'] == pytest.approx([4.2], abs=0.002)
    assert result['w_error'] == pytest.approx(
        [2 - result['w'][0], -3.4 - result['w'][1]], abs=1e-6)


def test_final_losses_sit_at_sigma_squared_and_half_of_it(book_runs):
    sigma2 = 0.01 ** 2
    scratch_loss = book_runs['scratch']['loss_per_epoch'][-1]
    concise_loss = book_runs['concise']['loss_per_epoch'][-1]
    assert 0.8 * sigma2 / 2 < scratch_loss < 1.2 * sigma2 / 2
    assert 0.8 * sigma2 < concise_loss < 1.2 * sigma2
    # One yardstick: the MSE without the 1/2 is alike for both
    for name in SCRIPTS:
        assert 0.8 * sigma2 < book_runs[name]['mse'] < 1.2 * sigma2
    assert book_runs['scratch']['mse'] == pytest.approx(2 * scratch_loss,
                                                        rel=1e-5)
    assert book_runs['concise']['mse'] == pytest.approx(concise_loss,
                                                        rel=1e-5)


def test_same_seed_gives_both_scripts_the_same_data(book_runs):
    assert (book_runs['scratch']['data_sha256']
            == book_runs['concise']['data_sha256'])


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_same_seed_same_output_other_seed_other_data(capsys, name):
    argv = ['--num-examples', '200', '--num-epochs', '2']
    first, text1 = main_json(capsys, name, *argv, '--seed', '7')
    again, text2 = main_json(capsys, name, *argv, '--seed', '7')
    other, _ = main_json(capsys, name, *argv, '--seed', '8')
    assert first['loss_per_epoch'] == again['loss_per_epoch']
    assert first['w'] == again['w'] and first['b'] == again['b']
    assert first['data_sha256'] == again['data_sha256']
    assert other['data_sha256'] != first['data_sha256']
    assert other['loss_per_epoch'] != first['loss_per_epoch']
    # The printed lines agree too, but for the training time
    assert text1.splitlines()[:-2] == text2.splitlines()[:-2]


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_output_in_the_books_order_and_json_fields(capsys, name):
    result, out = main_json(capsys, name, '--num-epochs', '2')
    lines = out.splitlines()
    epochs = [i for i, line in enumerate(lines) if line.startswith('epoch')]
    assert [lines[i][:8] for i in epochs] == ['epoch 1,', 'epoch 2,']
    preview = '\n'.join(lines[:epochs[0]])  # features[0], first minibatch
    assert preview.count('tensor(') >= 2
    assert lines[epochs[-1] + 1].startswith('error in estimating w: tensor(')
    assert lines[epochs[-1] + 2].startswith('error in estimating b: tensor(')
    # What ran, read from the run
    assert lines[-3] == (
        f'# linreg_{name}.py ran: num_examples=1000 batch_size=10 lr=0.03 '
        f'num_epochs=2 seed=0 loss={result["loss_name"].replace(" ", "")} '
        f'optimizer={"SGD" if name == "concise" else "sgd"} initial=['
        + ','.join(f'{v:.4g}' for v in result['initial']) + ']')
    assert lines[-2].endswith('sec training, 2 epochs (imports and data '
                              'generation excluded)')
    assert result['impl'] == name
    for i, loss in zip(epochs, result['loss_per_epoch']):
        assert lines[i] == f'epoch {i - epochs[0] + 1}, loss {loss:f}'
    assert len(result['epoch_seconds']) == 2
    assert result['train_seconds'] == pytest.approx(
        sum(result['epoch_seconds']))
    assert f'{result["train_seconds"]:.3f} sec' in lines[-2]
    assert len(result['data_sha256']) == 64


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_a_batch_larger_than_the_data_is_one_batch(name):
    result = results(name, '--num-examples', '5', '--batch-size', '50',
                     '--num-epochs', '1')
    assert len(result['loss_per_epoch']) == 1


BAD_ARGS = [
    ['--num-examples', '0'], ['--batch-size', '-3'], ['--num-epochs', '0'],
    ['--batch-size', '2.5'], ['--num-examples', 'many'], ['--lr', '0'],
    ['--lr', '-0.1'], ['--lr', 'nan'], ['--lr', 'inf'], ['--lr', 'fast'],
    ['--seed', '1.5'], ['--no-such-flag'], ['--seed', str(2 ** 64)],
    ['--seed', str(-2 ** 63 - 1)], ['--batch-size', str(2 ** 63)],
    ['--init', 'zeros', '--init-std', '5'], ['--huber-sigma', '2'],
    ['--outlier', '1e4', '--num-examples', '5'], ['--outlier', 'inf'],
    ['--num-examples', str(10 ** 12)], ['--loader'],
]


@pytest.mark.parametrize('name', ['scratch', 'concise'])
@pytest.mark.parametrize('argv', BAD_ARGS, ids=' '.join)
def test_bad_arguments_exit_2_with_one_line(capsys, name, argv):
    assert SCRIPTS[name].main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ''  # refused before anything ran
    assert one_line(captured.err).startswith(f'linreg_{name}.py: error: ')


def test_a_size_that_cannot_fit_says_what_it_needs(capsys):
    assert SCRIPTS['scratch'].main(['--num-examples', str(10 ** 12)]) == 2
    line = one_line(capsys.readouterr().err)
    assert '10' in line and 'GB of memory' in line and 'try at most' in line


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_extreme_but_valid_values_run(name):
    top = results(name, '--num-examples', '3', '--num-epochs', '1',
                  '--batch-size', str(2 ** 63 - 1), '--seed', str(2 ** 64 - 1))
    low = results(name, '--num-examples', '3', '--num-epochs', '1',
                  '--seed', str(-2 ** 63))
    assert top['config']['seed'] == 2 ** 64 - 1 and low['loss_per_epoch']


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_huge_lr_reports_divergence(capsys, name):
    code = SCRIPTS[name].main(['--lr', '1e6', '--num-epochs', '3'])
    captured = capsys.readouterr()
    assert code == 1
    line = one_line(captured.err)
    assert line.startswith(f'linreg_{name}.py: error: training diverged at '
                           'epoch 1 (')
    assert 'smaller --lr than 1e+06' in line
    assert 'epoch 1, loss' in captured.out
    assert 'epoch 2' not in captured.out


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_an_init_that_overflows_is_named(capsys, name):
    code = SCRIPTS[name].main(['--init-std', '1e25', '--loss', 'abs',
                               '--json'])
    captured = capsys.readouterr()
    assert code == 1
    line = one_line(captured.err)
    assert 'initial weights' in line and 'smaller --init-std' in line
    assert '--lr' not in line
    assert 'Infinity' not in captured.out and 'NaN' not in captured.out


FLOAT32 = [('--init-std', '1e308', 'overflows float32'),
           ('--lr', '1e39', 'overflows float32'),
           ('--lr', '1e-50', 'is 0 in float32'),
           ('--huber-sigma', '1e-46', 'is 0 in float32'),
           ('--outlier', '1e39', 'overflows float32'),
           ('--outlier', '-1e39', 'overflows float32')]


@pytest.mark.parametrize('name', ['scratch', 'concise'])
@pytest.mark.parametrize('flag,value,says', FLOAT32,
                         ids=[f'{f} {v}' for f, v, _ in FLOAT32])
def test_numbers_are_checked_as_float32_holds_them(capsys, name, flag,
                                                   value, says):
    argv = [flag, value] + (['--loss', 'huber'] if 'huber' in flag else [])
    assert SCRIPTS[name].main(argv) == 2
    line = one_line(capsys.readouterr().err)
    assert line.startswith(f'linreg_{name}.py: error: argument {flag}: ')
    assert says in line


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_labels_that_overflow_are_blamed_on_the_outlier(capsys, name):
    assert SCRIPTS[name].main(['--outlier', '1e38']) == 1
    line = one_line(capsys.readouterr().err)
    assert 'labels' in line and '--outlier' in line
    assert 'init' not in line


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_a_negative_value_is_a_value_not_a_flag(name):
    result = results(name, '--outlier', '-1e4', '--num-epochs', '1')
    assert result['config']['outlier'] == -1e4


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_mse_blowing_up_is_divergence_even_if_own_loss_is_finite(name):
    from bench.lab import Diverged
    with pytest.raises(Diverged, match=r'diverged at epoch 1 \(MSE inf\)'):
        results(name, '--lr', '1e19', '--loss', 'abs', '--num-epochs', '1')
