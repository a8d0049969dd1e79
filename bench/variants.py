"""What the exercises' flags, and --device, change in the chapter's objects.

With the book's defaults each function hands back the very objects it was
given: the chapter's own. torch is imported inside the functions, so that
the flags are answered before it loads.
"""
from bench.faults import Refused


def resolve_device(name):
    """Map --device to an available device; `Refused` if it is not."""
    import torch
    available = {'cpu': True, 'cuda': torch.cuda.is_available(),
                 'mps': torch.backends.mps.is_available()}
    if name == 'auto':
        name = next(n for n in ('cuda', 'mps', 'cpu') if available[n])
    if not available[name]:
        raise Refused(f'argument --device: no {name} device is available '
                      f'to this torch {torch.__version__}')
    return name


def data(args, true_w, features, labels):
    """--outlier sets labels[5] (en 1.0 3.4 ex. 8); then all go to
    --device. The data were drawn on the CPU, so one seed gives the same
    data on every device."""
    args.device = resolve_device(args.device)
    if args.outlier is not None:
        labels[5] = args.outlier
    return tuple(t.to(args.device) for t in (true_w, features, labels))


def params(args, *params):
    """The parameters (`w, b`, or `net`) on --device; on the CPU, the same
    objects."""
    if len(params) == 1:
        return params[0].to(args.device)  # a module moves in place
    if args.device == 'cpu':
        return params
    return tuple(p.detach().to(args.device).requires_grad_()
                 for p in params)


def huber_loss(y_hat, y, sigma=1.0):
    """Huber loss as zh 3.3 ex. 2 writes it: (y_hat - y)^2 / (2 sigma) up to
    sigma, then |y_hat - y| - sigma / 2. That is `nn.SmoothL1Loss(beta=
    sigma)`; `nn.HuberLoss(delta=sigma)` is sigma times it."""
    import torch
    error = (y_hat - y.reshape(y_hat.shape)).abs()
    return torch.where(error > sigma, error - sigma / 2,
                       error ** 2 / (2 * sigma))


def abs_loss(y_hat, y):
    """Absolute loss, whose gradient is only the sign of the error."""
    return (y_hat - y.reshape(y_hat.shape)).abs()


def loss(args, book_loss):
    """`book_loss`, unless --loss or --reduction asks for an exercise's."""
    from torch import nn
    kind, sigma = args.loss, args.huber_sigma
    reduction = getattr(args, 'reduction', 'mean')
    if kind == 'squared' and reduction == 'mean':
        return book_loss
    if isinstance(book_loss, nn.Module):  # the concise script
        return {'squared': lambda: nn.MSELoss(reduction=reduction),
                'huber': lambda: nn.SmoothL1Loss(reduction=reduction,
                                                 beta=sigma),
                'abs': lambda: nn.L1Loss(reduction=reduction)}[kind]()
    if kind == 'abs':
        return abs_loss
    return lambda y_hat, y: huber_loss(y_hat, y, sigma)
