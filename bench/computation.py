"""What ran, read from the steps a watch saw (bench/watch.py): epochs,
loss, learning rate, the line after each epoch, the least-squares line."""
import hashlib
import math

import torch

from bench import contract
from bench.faults import Failed
from bench.results import LOSSES, Run
from bench.text import _, _n
from bench.data import as_list, flat


def per_example(kind, error):
    """(each example's loss, its derivative) at the residuals `error`."""
    size = error.abs()
    if kind == 'half':
        return error ** 2 / 2, error
    if kind == 'squared':
        return error ** 2, 2 * error
    if kind == 'abs':
        return size, error.sign()
    huber = torch.where(size < 1, error ** 2 / 2, size - 0.5)
    return huber, error.clamp(-1, 1)


def close(a, b, tolerance=1e-3, least=1e-7):
    return abs(a - b) <= tolerance * max(abs(a), abs(b)) + least


def residuals(line, A, y):
    """y_hat - y of the line (w..., b) on the rows `A` ([X, 1]), `y`."""
    return A @ line - y


def mse(line, A, y):
    return float((residuals(line, A, y) ** 2).mean())


def read(watch, script):
    """The `Run` that `watch` saw of `script`."""
    if not watch.losses:
        raise Failed(_('{0} took no step: no `backward()` ran', watch.file))
    final = flat(watch.leaves)
    while len(watch.params) > 1 and torch.equal(watch.params[-1], final):
        for steps in (watch.params, watch.losses, watch.rows):
            del steps[-1]  # a backward() no step followed: a look at a grad
    params = torch.stack(watch.params + [final])
    features = watch.data.features.double()
    A = torch.nn.functional.pad(features, (0, 1), value=1)  # [X, 1]
    labels = watch.data.labels.double().reshape(-1)
    if params.shape[1] != A.shape[1]:
        raise Failed(_('{0} trains {1} parameters; the runners compare a '
                       'line: a weight a feature, and a bias', watch.file,
                       params.shape[1]))
    epochs = passes(watch)
    used = sorted(set().union(*watch.rows))
    X = A[used]
    y = labels[used]
    run = Run(script.path, edits=script.shown)
    run.num_examples = len(X)
    run.steps_per_epoch = [len(epoch) for epoch in epochs]
    run.batch_size = max(map(len, watch.rows))
    run.initial = params[0].tolist()
    run.initial_mse = mse(params[0], X, y)
    finals = ends(watch)
    run.mse_per_epoch = [mse(line, X, y) for line in finals]
    *run.w, run.b = finals[-1].tolist()
    errors = []  # each step's residuals, on its batch
    for line, rows in zip(params, watch.rows):
        errors.append(residuals(line, A[rows], labels[rows]))
    run.loss, run.reduction = trained(watch.losses, errors)
    if run.loss:
        run.loss_per_epoch = [float(per_example(run.loss, residuals(
            line, X, y))[0].mean()) for line in finals]
        run.lr_per_epoch = rates(run, watch, params, errors, A, epochs)
    return describe(run, watch, epochs, X, y)


def describe(run, watch, epochs, X, y):
    """`run` with the true and the least-squares lines, what it printed."""
    start = run.initial_mse
    past = [not math.isfinite(m) or m > start for m in run.mse_per_epoch]
    if past[-1]:  # it ended past where it started
        run.diverged_at_epoch = past.index(True) + 1
    if watch.data.true is not None:
        run.true_w = as_list(watch.data.true[0])
        run.true_b = as_list(watch.data.true[1])[0]
    line = torch.linalg.lstsq(X, y[:, None]).solution[:, 0]
    *w, b = line.tolist()
    run.lstsq = {'w': w, 'b': b, 'mse': mse(line, X, y)}
    digest = hashlib.sha256(X.float().numpy().tobytes())
    digest.update(y.float().numpy().tobytes())
    run.data_sha256 = digest.hexdigest()
    run.printed, run.printed_loss = printed(watch, epochs, run)
    run.timer = timer(watch, epochs)
    return run


def passes(watch):
    """Each epoch's steps: it ends before a batch repeats its examples."""
    epochs = []
    seen = set()
    for k, rows in enumerate(watch.rows):
        if rows is None:
            raise Failed(_("{0}: step {1}'s batch holds rows that are "
                           'not in the data of the first step', watch.file,
                           k + 1))
        if not epochs or seen.intersection(rows):
            epochs.append([])
            seen = set()
        epochs[-1].append(k)
        seen.update(rows)
    return epochs


def trained(losses, errors):
    """(kind, reduction) of the loss that each step's value is, or None:
    also where two kinds are alike (at batch 2, a sum of halves)."""
    matches = []
    for kind in LOSSES:
        for reduce in (torch.mean, torch.sum):
            found = (float(reduce(per_example(kind, error)[0]).float())
                     for error in errors)  # inf where float32 overflows
            matched = (loss == value or close(loss, value) for loss, value
                       in zip(losses, found) if not math.isnan(loss))
            if all(matched) and not all(map(math.isnan, losses)):
                matches.append((kind, reduce.__name__))
    kinds = {kind for kind, reduction in matches}
    return matches[0] if len(kinds) == 1 else (None, None)


def rates(run, watch, params, errors, A, epochs):
    """Each epoch's lr: its full batches' steps against the gradients of
    their mean loss at `errors`; None where the steps have no one lr."""
    gradients = []
    for error, rows in zip(errors, watch.rows):
        slope = per_example(run.loss, error)[1]
        gradients.append((slope[:, None] * A[rows]).mean(0))
    gradients = torch.stack(gradients)
    steps = params[1:] - params[:-1]
    found = []
    for epoch in epochs:  # a short last batch aside
        epoch = [k for k in epoch if len(watch.rows[k]) == run.batch_size]
        changes = steps[epoch]
        slopes = gradients[epoch]
        keep = changes.isfinite().all(1) & slopes.isfinite().all(1)
        changes = changes[keep]
        slopes = slopes[keep]
        rate = -float((changes * slopes).sum() / (slopes ** 2).sum())
        off = float(((changes + rate * slopes) ** 2).sum())
        if not math.isfinite(rate) or off > 1e-2 * float((changes ** 2).sum()):
            return None  # not along the gradient: no one lr
        found.append(rate)
    return found


def printed(watch, epochs, run):
    """([each epoch's line], [the column it printed: 'loss', 'mse'])."""
    lines = []
    kinds = []
    for k, epoch in enumerate(epochs):
        after = [line for line, steps in watch.out.lines
                 if steps == epoch[-1] + 1]
        line, numbers = contract.printed(after)
        columns = {'mse': run.mse_per_epoch[k]}
        if run.loss_per_epoch:
            columns['loss'] = run.loss_per_epoch[k]
        found = None  # the column of a number, as it was rounded
        for kind, value in columns.items():
            if any(said(number, value) for number in numbers):
                found = kind
        lines.append(line)
        kinds.append(found)
    return lines, kinds


def said(text, value):
    """Whether the printed number `text` is `value`, rounded as printed."""
    mantissa, _, exponent = text.lower().partition('e')
    places = len(mantissa.partition('.')[2])
    unit = 10.0 ** (int(exponent or 0) - places)
    return abs(float(text) - value) <= unit / 2 + 1e-3 * abs(value)


def timer(watch, epochs):
    """What the script's Timer timed, in words."""
    events = watch.timers
    starts = [event for event in events if event[0] == 'start']
    stops = [event for event in events if event[0] == 'stop']
    if not starts or len(starts) != len(stops):
        return _('{0} start() and {1} stop()', len(starts), len(stops))
    kind, line, by_init, steps, ids = starts[0]
    first = 'Timer()' if by_init else 'start()'
    where = _('{0} at line {1} to stop() at line {2}', first, line,
              stops[0][1])
    held = [(start[3], stop[3]) for start, stop in zip(starts, stops)]
    drawn = watch.data.held.intersection(ids)
    if held == [(epoch[0], epoch[-1] + 1) for epoch in epochs]:
        return _n('its {n} epoch alone, {0}',
                  'each of the {n} epochs alone, {0}', len(epochs), where)
    if held == [(0, len(watch.rows))]:
        what = _n('its {n} epoch', 'all {n} epochs', len(epochs))
        if not drawn:
            what = _n('the data generation and its {n} epoch',
                      'the data generation and all {n} epochs', len(epochs))
        return _('once, {0}: {1}', where, what)
    return _n('{n} interval, {0}', '{n} intervals, {0} first', len(held),
              where)


def check(run, watch, argv):
    """`Failed` where the run was not what the flags typed asked for."""
    found = contradictions(run, watch, argv)
    if found:
        raise Failed(_('{0} ran {1}: not what was asked', watch.file,
                       '; '.join(found)))


def contradictions(run, watch, argv):
    """What ran that the flags typed did not ask for."""
    if not watch.parsed:  # a `parse_args(` in a comment, say
        typed = ' '.join(argv)
        return [_('without parse_args(), not {0}', typed)] if typed else []
    args, given = watch.parsed
    found = []
    if given is not None and list(given) != list(argv):
        found.append(_('parse_args({0}), not the flags given', list(given)))
    typed = {arg.split('=')[0] for arg in argv}
    seeds = [seed for seed, steps in watch.seeds if not steps] or [None]
    lr = run.lr and round(run.lr, 6)
    ran = [run.num_examples, run.epochs, run.batch_size, lr, seeds[-1]]
    for name, value in zip(contract.CHECKED, ran):
        flag = '--' + name.replace('_', '-')
        asked = getattr(args, name, None)
        if flag not in typed or asked is None or value is None and \
                flag == contract.LR:
            continue  # not typed, parsed elsewhere, or not seen
        if flag == contract.BATCH:  # a batch of all the data, at most
            asked = min(asked, run.num_examples)
        took = value or math.nan
        summed = flag == contract.LR and run.reduction == 'sum'
        if summed and not close(took, asked):
            took /= run.batch_size  # an optimizer's lr, on the batch's sum
        if not close(took, asked):
            found.append(_('{0} for its {1} {2}', value, flag, asked))
    return found


def gap(watch, again):
    """The largest |a - b| / max(1, |a|, |b|) at the epochs' ends."""
    a = torch.cat(ends(watch))
    b = torch.cat(ends(again))
    return float(((a - b).abs() / a.abs().maximum(b.abs()).clamp(min=1)).max())


def ends(watch):
    """The parameters at the end of each epoch."""
    params = watch.params + [flat(watch.leaves)]
    return [params[epoch[-1] + 1] for epoch in passes(watch)]
