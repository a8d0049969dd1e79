"""What the runners read of a script, in one place: where in the run, and
what they do where it lacks that. No other module reads a script's names;
`table()` is docs/reference.md's "What a watched script must have"."""
import math
import re

from bench.faults import Failed, Refused

CONTRACT = [
    ('the data', '`features` and `labels`, drawn with `true_w` and '
     '`true_b`', 'stops, naming the one missing'),
    ('the parameters', "`net`'s, where `net` is an `nn.Module`, else the "
     'tensors `w` and `b`', 'stops'),
    ('the epochs and their losses', 'each line the script prints as '
     '`epoch N, loss X` (N from 1), and the parameters then',
     'stops; any other line is not read'),
    ('the steps', 'the in-place updates of the parameters since the first '
     '`Timer.start()` or `backward()`', 'says "not seen"'),
    ('the batch size', '`batch_size`, where each epoch took '
     '`ceil(examples / batch_size)` steps', 'says "not seen"'),
    ('the learning rate', "a `torch.optim` optimizer's `lr`, else `lr`",
     'says "not seen"'),
    ('the loss', 'the printed losses, matched against each loss the '
     "runners know at that epoch's parameters", 'says "not seen"'),
    ('the times', "each `start()` and `stop()` of the script's Timer (its "
     'own `timer` module\'s, or `d2l.Timer`), and their lines',
     'says "nothing"; stops at a misuse'),
    ('the flags', "what the script's own `parse_args()` parsed",
     'takes no flags'),
    ('the seed', "the script's `torch.manual_seed`", 'seeds the line '
     '`features, labels = ...` (a shown edit)'),
]
PRINTED_EPOCH = re.compile(r'epoch (\d+), loss (\S+)')
LOSSES = {
    'half': 'the mean of `(y_hat - y) ** 2 / 2` (`squared_loss`)',
    'mse': 'the mean squared error (`nn.MSELoss()`)',
    'sum': "the sum of squared errors (`reduction='sum'`)",
    'huber': "Huber's loss (`nn.SmoothL1Loss`)",
    'abs': 'the mean absolute error (`nn.L1Loss()`)',
    'other': 'none of these',
}


def table():
    """CONTRACT as a Markdown table."""
    rows = ['| the runners report | read in the run from | where it lacks '
            'that, the runner |', '| --- | --- | --- |']
    rows += [f'| {what} | {where} | {lacking} |'
             for what, where, lacking in CONTRACT]
    return '\n'.join(rows)


def lacks(file, name, what):
    """The fault of a script without `name`, where the runners read it."""
    return Failed(f'{file} has no `{name}`, where the runners read {what} '
                  '(docs/reference.md: what a watched script must have)')


def data(ns, file):
    """(features, labels, true_w, true_b) of the run."""
    for name in ('features', 'labels', 'true_w', 'true_b'):
        if name not in ns:
            raise lacks(file, name, 'the data')
    return ns['features'], ns['labels'], ns['true_w'], ns['true_b']


def drawn(ns):
    """Whether the run has drawn its data yet."""
    return 'features' in ns


def parameters(ns):
    """[weight, bias]: `net`'s, else `w` and `b`; None where neither is."""
    import torch
    net = ns.get('net')
    if isinstance(net, torch.nn.Module):
        return list(net.parameters())
    w, b = ns.get('w'), ns.get('b')
    if isinstance(w, torch.Tensor) and isinstance(b, torch.Tensor):
        return [w, b]
    return None


def learning_rate(ns):
    """(lr, optimizer): an optimizer's, else `lr` and the script's `sgd`."""
    import torch
    for value in ns.values():
        if isinstance(value, torch.optim.Optimizer):
            name = f'torch.optim.{type(value).__name__}'
            return value.param_groups[0]['lr'], name
    lr = ns.get('lr')
    if not isinstance(lr, (int, float)):
        lr = None
    return lr, 'its own `sgd`' if callable(ns.get('sgd')) else None


def batch_size(ns, examples, steps):
    """`batch_size`, where every epoch took the steps that it makes."""
    size = ns.get('batch_size')
    if not isinstance(size, int) or size < 1 or None in steps:
        return None
    if all(step == math.ceil(examples / size) for step in steps):
        return size
    return None


def loss_values(error):
    """Each loss the runners know, on the residuals `error`."""
    import torch
    size = error.double().reshape(-1).abs()
    square = size ** 2
    values = {'half': (square / 2).mean(), 'mse': square.mean()}
    values['sum'], values['abs'] = square.sum(), size.mean()
    values['huber'] = torch.where(size < 1, square / 2, size - 0.5).mean()
    return values


def loss_kind(printed, errors, first=None):
    """The key of LOSSES that gives each finite printed loss, or None."""
    pairs = []
    for loss, error in zip(printed, errors):
        if math.isfinite(loss):
            pairs.append((loss, loss_values(error)))
    if not pairs:
        return None
    kinds = [kind for kind in LOSSES if kind != 'other']
    for kind in [first, *kinds] if first else kinds:
        if all(close(loss, float(values[kind])) for loss, values in pairs):
            return kind
    return 'other'


def close(printed, value):
    """Whether `printed` is `value` printed with `:f`, from float32."""
    return abs(printed - value) <= 1e-6 + 1e-5 * abs(value)


def check_args(args, options):
    """Refuse a value of the script's flags that no run can use."""
    given = vars(args)
    for name in ('num_examples', 'batch_size', 'lr', 'num_epochs'):
        if name in given and not given[name] > 0:  # NaN is not either
            flag = name.replace('_', '-')
            raise Refused(f'argument --{flag}: must be above 0')
    if not given.get('init_std', 0) >= 0:  # 0: every weight 0
        raise Refused('argument --init-std: must be at least 0')
    if options.outlier is not None and given.get('num_examples', 6) < 6:
        raise Refused('argument --outlier: labels[5] needs --num-examples '
                      '6 or more')


def flags_given(parser, args):
    """The script's flags whose values are not their defaults, as typed."""
    given = {}
    for action in parser._actions:
        value = getattr(args, action.dest, action.default)
        if action.option_strings and value != action.default:
            given[action.option_strings[0]] = value
    return given


def contradictions(run, ns, args, options, loss):
    """What ran that the flags or the edits (`loss`) did not ask for."""
    asked = vars(args) if args else {}
    found = []
    if asked.get('num_examples', run.num_examples) != run.num_examples:
        found.append(f'{run.num_examples} examples, not --num-examples '
                     f'{asked["num_examples"]}')
    epochs = len(run.loss_per_epoch)
    if asked.get('num_epochs', epochs) != epochs:
        found.append(f'{epochs} epochs, not --num-epochs '
                     f'{asked["num_epochs"]}')
    size = asked.get('batch_size')
    if size and None not in run.steps_per_epoch and run.batch_size != size:
        found.append(f'epochs of {run.steps_per_epoch} steps, not the '
                     f'{math.ceil(run.num_examples / size)} of '
                     f'--batch-size {size}')
    lr = asked.get('lr')
    if lr and run.lr is not None and not math.isclose(run.lr, lr):
        found.append(f'lr {run.lr:g}, not --lr {lr:g}')
    if 'init_std' in asked and not init_fits(run, asked['init_std']):
        found.append(f'initial weights {run.initial[:-1]}, not drawn with '
                     f'--init-std {asked["init_std"]:g}')
    if loss and run.loss not in (None, loss):
        found.append(f'its printed loss is {LOSSES[run.loss]}, not '
                     f'{LOSSES[loss]}: does a later line rebind `loss`?')
    outlier = options.outlier
    if outlier is not None and not math.isclose(  # float32's
            float(ns['labels'][5]), outlier, rel_tol=1e-6):
        found.append(f'labels[5] is {float(ns["labels"][5]):g}, not '
                     f'--outlier {outlier:g}')
    return found


def init_fits(run, std):
    """Whether the initial weights look drawn from N(0, std)."""
    if not run.initial:
        return True  # not seen: nothing to contradict
    scale = max(abs(w) for w in run.initial[:-1])
    return scale == 0 if std == 0 else 0.02 * std < scale < 8 * std
