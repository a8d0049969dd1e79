"""A hint for the classic mistakes of sections 3.2 and 3.3, after their
traceback, found in the exception's message."""
import traceback

from bench.text import _

HINTS = {
    "No module named 'timer'": _(
        'the script imports `timer`: copy timer.py beside it (ours, or your '
        'own, as d2l 3.1 writes the Timer)'),
    "'NoneType' object has no attribute 'zero_'": _(
        '`param = param - ...` makes a new tensor, which has no gradient; '
        'update the parameter in place: `param -= lr * param.grad / '
        'batch_size`'),
    'leaf Variable that requires grad is being used in an in-place': _(
        'autograd records every operation on `w` and `b`, the update too; '
        'run the update under `with torch.no_grad():`, as `sgd` does'),
    'grad can be implicitly created only for scalar outputs': _(
        '`backward` needs a scalar, and the loss is one value per example: '
        'sum it first, `l.sum().backward()` (then `sgd` divides by the '
        'batch size)'),
    'backward through the graph a second time': _(
        'one `backward` per forward pass: compute the loss again, `l = '
        'loss(...)`, before each `backward`'),
    # `nn.MSELoss(net(X), y)`: the data go to (size_average, reduce)
    'legacy_get_string': _(
        '`nn.MSELoss()` makes a loss function; call that on the data: '
        '`loss = nn.MSELoss()`, then `loss(net(X), y)`'),
}


def hint(error):
    """The hint for `error`, from its message or traceback, or None."""
    frames = traceback.format_tb(error.__traceback__)
    text = str(error) + ''.join(frames)
    for message, advice in HINTS.items():
        if message in text:
            return advice
    return None
