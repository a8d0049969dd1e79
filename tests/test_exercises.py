"""The chapters' exercises as options: each changes what it should."""
import json

import pytest
import torch
from torch import nn

import linreg_concise as concise
import linreg_scratch as scratch
import sweep
import timer

SCRIPTS = {'scratch': scratch, 'concise': concise}
QUIET = {'log': lambda *a: None}


def run(name, *argv):
    module = SCRIPTS[name]
    return module.run(module.parse_args(list(argv)), **QUIET)


@pytest.mark.parametrize('ours,theirs', [
    (scratch.huber_loss, nn.HuberLoss()), (scratch.abs_loss, nn.L1Loss())])
def test_hand_written_losses_match_torch(ours, theirs):
    torch.manual_seed(0)
    y_hat, y = 3 * torch.randn(50, 1), torch.randn(50)  # some beyond delta
    torch.testing.assert_close(ours(y_hat, y).mean(),
                               theirs(y_hat, y.reshape(y_hat.shape)))


@pytest.mark.parametrize('name', ['scratch', 'concise'])
@pytest.mark.parametrize('loss', ['huber', 'abs'])
def test_other_losses_train_and_say_which(name, loss):
    result = run(name, '--loss', loss, '--num-epochs', '5')
    book = run(name, '--num-epochs', '5')
    assert result['config']['loss'] == loss
    assert result['loss_name'] != book['loss_name']
    assert result['loss_per_epoch'] != book['loss_per_epoch']
    assert max(abs(e) for e in result['w_error']) < 0.05
    assert result['mse'] < 1e-3


def test_sum_reduction_with_lr_over_batch_size_reproduces_the_mean_run():
    mean = run('concise', '--lr', '0.03', '--batch-size', '10')
    total = run('concise', '--reduction', 'sum', '--lr', '0.003',
                '--batch-size', '10')
    assert total['w'] == pytest.approx(mean['w'], abs=1e-5)
    assert total['b'] == pytest.approx(mean['b'], abs=1e-5)
    assert total['mse'] == pytest.approx(mean['mse'], rel=1e-3)
    # The printed loss is now the sum over all 1000 examples
    assert total['loss_per_epoch'][-1] == pytest.approx(
        1000 * mean['loss_per_epoch'][-1], rel=1e-3)
    # The wrong direction, multiplying the lr by the batch size, diverges
    with pytest.raises(FloatingPointError, match='diverged at epoch 1'):
        run('concise', '--reduction', 'sum', '--lr', '0.3')


def test_sum_reduction_help_says_which_way_to_scale(capsys):
    with pytest.raises(SystemExit):
        concise.parse_args(['--help'])
    help_text = ' '.join(capsys.readouterr().out.split())
    assert 'divide --lr by --batch-size' in help_text
    assert '--reduction sum --lr 0.003 at batch 10' in help_text


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_zero_init_still_recovers_w_and_b(name):
    result = run(name, '--init', 'zeros')
    assert max(abs(e) for e in result['w_error']) < 0.01
    assert max(abs(e) for e in result['b_error']) < 0.01


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_init_std_changes_the_start(name):
    wide = run(name, '--init-std', '31.6', '--num-epochs', '1')
    book = run(name, '--num-epochs', '1')
    assert wide['mse_per_epoch'][0] > 10 * book['mse_per_epoch'][0]


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_init_std_with_zero_init_is_an_error(name, capsys):
    with pytest.raises(SystemExit) as stop:
        SCRIPTS[name].main(['--init', 'zeros', '--init-std', '5'])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert '--init-std: applies to --init normal only' in err


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_print_grad_is_the_full_data_gradient(name, capsys):
    assert SCRIPTS[name].main(['--print-grad', '--json']) == 0
    out = capsys.readouterr().out
    assert '.grad' in out
    result = json.loads(out.splitlines()[-1])
    # Oracle: autograd on the full data at the learned parameters
    torch.manual_seed(0)
    features, labels = scratch.synthetic_data(torch.tensor([2, -3.4]), 4.2,
                                              1000)
    w = torch.tensor(result['w']).reshape(2, 1).requires_grad_()
    b = torch.tensor(result['b']).requires_grad_()
    y_hat = features @ w + b
    if name == 'scratch':
        scratch.squared_loss(y_hat, labels).mean().backward()
    else:
        nn.MSELoss()(y_hat, labels).backward()
    assert result['w_grad'] == pytest.approx(w.grad.reshape(-1).tolist(),
                                             abs=1e-6)
    assert result['b_grad'] == pytest.approx(b.grad.tolist(), abs=1e-6)
    assert max(abs(g) for g in result['w_grad']) < 0.01  # near a minimum


def test_batched_loader_trains_like_the_book_loader():
    batched = run('concise', '--loader', 'batched')
    assert batched['config']['loader'] == 'batched'
    assert max(abs(e) for e in batched['w_error']) < 0.01
    assert 0.6e-4 < batched['mse'] < 1.4e-4


@pytest.mark.parametrize('num_examples,batch_size', [(23, 7), (3, 10)])
def test_batched_loader_yields_every_example_once(num_examples, batch_size):
    torch.manual_seed(0)
    features = torch.arange(num_examples).float().reshape(-1, 1)
    labels = -torch.arange(num_examples).float()
    loader = concise.load_array((features, labels), batch_size,
                                loader='batched')
    for _ in range(2):  # every epoch
        batches = list(loader)
        assert len(batches) == len(loader)
        sizes = [len(X) for X, _ in batches]
        assert sizes == [len(b) for b in
                         torch.arange(num_examples).split(batch_size)]
        seen = torch.cat([X.reshape(-1) for X, _ in batches]).long()
        assert sorted(seen.tolist()) == list(range(num_examples))
        for X, y in batches:
            torch.testing.assert_close(y.reshape(-1), -X.reshape(-1))
    if num_examples > batch_size:
        first = torch.cat([X for X, _ in loader]).reshape(-1)
        assert not torch.equal(first, features.reshape(-1)), 'not shuffled'


@pytest.mark.parametrize('name', ['scratch', 'concise'])
@pytest.mark.parametrize('device', ['cuda', 'mps'])
def test_missing_device_is_one_line_and_exit_2(name, device, capsys,
                                                monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    monkeypatch.setattr(torch.backends.mps, 'is_available', lambda: False)
    with pytest.raises(SystemExit) as stop:
        SCRIPTS[name].main(['--device', device])
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err == (f'linreg_{name}.py: error: argument --device: no '
                   f'{device} device is available to this torch '
                   f'{torch.__version__}')


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_auto_device_falls_back_to_cpu_and_prefers_cuda(name, monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    monkeypatch.setattr(torch.backends.mps, 'is_available', lambda: False)
    result = run(name, '--device', 'auto', '--num-epochs', '1')
    assert result['config']['device'] == 'cpu'
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    assert SCRIPTS[name].parse_args(['--device', 'auto']).device == 'cuda'


def test_timer_synchronizes_cuda(monkeypatch):
    calls = []
    monkeypatch.setattr(torch.cuda, 'synchronize', calls.append)
    t = timer.Timer(sync=timer.synchronizer('cuda'))
    t.start()
    t.stop()
    assert calls == ['cuda', 'cuda']


@pytest.mark.parametrize('name', ['scratch', 'concise'])
def test_device_code_path_runs_on_cpu(name):
    explicit = run(name, '--device', 'cpu', '--num-epochs', '1')
    assert explicit['config']['device'] == 'cpu'


def test_sweep_re_initialises_every_point(capsys):
    assert sweep.main(['lr', '--values', '0.01,0.03', '--num-epochs', '2',
                       '--json']) == 0
    captured = capsys.readouterr()
    rows = json.loads(captured.out.splitlines()[-1])
    assert [(r['impl'], r['lr']) for r in rows] == [
        ('scratch', 0.01), ('concise', 0.01),
        ('scratch', 0.03), ('concise', 0.03)]
    for row in rows:  # each equals a fresh run of the script at that lr
        alone = run(row['impl'], '--lr', str(row['lr']), '--num-epochs', '2')
        assert row['mse'] == alone['mse']
        assert row['loss'] == alone['loss_per_epoch'][-1]
    assert '[4/4] concise lr=0.03' in captured.err  # progress


def test_sweep_size_marks_divergence_and_plots(tmp_path, capsys):
    plot = tmp_path / 'sweep.png'
    assert sweep.main(['num-examples', '--values', '20,50', '--impl',
                       'scratch', '--lr', '1e6', '--plot', str(plot),
                       '--json']) == 0
    out = capsys.readouterr().out
    rows = json.loads(out.splitlines()[-1])
    assert [r['num-examples'] for r in rows] == [20, 50]
    assert all('diverged' in r and r['mse'] is None for r in rows)
    assert 'training diverged at epoch' in out
    assert plot.read_bytes()[:4] == b'\x89PNG'


@pytest.mark.parametrize('argv', [
    ['lr', '--values', '0.1,-1'], ['num-examples', '--values', '10,2.5'],
    ['size'], ['lr', '--batch-size', '0'], ['lr', '--values', ',']])
def test_sweep_bad_arguments_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as stop:
        sweep.main(argv)
    assert stop.value.code == 2
    assert 'error: ' in capsys.readouterr().err.strip().splitlines()[-1]
