"""The data a script trains on, read from its tensors: the tensors that
autograd saved for a step, and their rows in the data."""
import torch


class Data:
    """The data that a batch came from, and the index of their rows."""

    def __init__(self, features, labels, batch):
        self.features = as_tensor(features)
        self.labels = as_tensor(labels).reshape(len(self.features), -1)
        self.dtype = batch.dtype
        rows = self.features.to(self.dtype).numpy()
        self.index = {row.tobytes(): k for k, row in enumerate(rows)}
        self.held = None  # the ids of what holds them
        self.true = None  # the true line

    def rows(self, batch):
        """The rows of `batch` in the data, or None if it has others."""
        if batch.shape[1:] != self.features.shape[1:]:
            return None
        batch = batch.detach().cpu().to(self.dtype).numpy()
        found = [self.index.get(row.tobytes()) for row in batch]
        return None if None in found else found


def matched(features, labels, saved):
    """The `Data` that a tensor of `saved` has the rows of, or None."""
    for tensor in saved:
        try:
            data = Data(features, labels, tensor)
        except Exception:  # not numbers in rows: no candidate
            return None
        if data.labels.shape[1] == 1 and data.rows(tensor):
            return data
    return None


def graph(loss):
    """(autograd's leaves, the 2-D tensors saved) of the graph of `loss`."""
    leaves = []
    saved = []
    seen = set()
    todo = [loss.grad_fn]
    while todo and len(seen) < 1000:
        node = todo.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        if hasattr(node, 'variable'):
            leaves.append(node.variable)
        for name in vars(type(node)):  # its class: faster than dir()
            value = getattr(node, name) if name[:7] == '_saved_' else None
            if isinstance(value, torch.Tensor) and value.dim() == 2:
                saved.append(value)
        todo += [node for node, _ in node.next_functions]
    return leaves, [tensor for tensor in saved if not tensor.requires_grad]


def flat(tensors):
    """`tensors` as one flat float64 tensor on the CPU."""
    flats = [tensor.detach().reshape(-1) for tensor in tensors]
    return torch.cat(flats).double().cpu()


def as_list(value):
    """A number, a tensor or an array as a flat list of numbers."""
    return as_tensor(value).reshape(-1).tolist()


def as_tensor(value):
    """A tensor, array or frame as a tensor of floats on the CPU."""
    if hasattr(value, 'to_numpy'):
        value = value.to_numpy()
    value = torch.as_tensor(value).detach().cpu()
    return value if value.is_floating_point() else value.float()
