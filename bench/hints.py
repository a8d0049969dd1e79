"""A hint for the classic mistakes of sections 3.2 and 3.3, after their
traceback, matched on the exception's type and message."""
import traceback

HINTS = [
    (ImportError, "No module named 'timer'",
     'the script imports `timer`: copy timer.py beside it (ours, or your '
     'own, as d2l 3.1 writes the Timer)'),
    (AttributeError, "'NoneType' object has no attribute 'zero_'",
     '`param = param - ...` makes a new tensor, which has no gradient; '
     'update the parameter in place: `param -= lr * param.grad / '
     'batch_size`'),
    (RuntimeError, 'leaf Variable that requires grad is being used in an '
                   'in-place operation',
     'autograd records every operation on `w` and `b`, the update too; '
     'run the update under `with torch.no_grad():`, as `sgd` does'),
    (RuntimeError, 'grad can be implicitly created only for scalar outputs',
     '`backward` needs a scalar, and the loss is one value per example: '
     'sum it first, `l.sum().backward()` (then `sgd` divides by the batch '
     'size)'),
    (RuntimeError, 'backward through the graph a second time',
     'one `backward` per forward pass: compute the loss again, `l = '
     'loss(...)`, before each `backward`'),
]
# `nn.MSELoss(net(X), y)`: the data go to (size_average, reduce), booleans
LOSS_CLASS = ('Boolean value of Tensor with more than one value is '
              'ambiguous', '_reduction.py',
              '`nn.MSELoss()` makes a loss function; call that on the data: '
              '`loss = nn.MSELoss()`, then `loss(net(X), y)`')


def hint(error):
    """The hint for `error`, or None."""
    text = str(error)
    for kind, message, advice in HINTS:
        if isinstance(error, kind) and message in text:
            return advice
    message, place, advice = LOSS_CLASS
    if isinstance(error, RuntimeError) and message in text and any(
            frame.filename.endswith(place)
            for frame in traceback.extract_tb(error.__traceback__)):
        return advice
    return None
