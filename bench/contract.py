"""What the runners read of a script they watch, in one place: for each
thing they report, where they read it in the run, and what they do where
the script lacks it. No other module reads a script's names. The section
"What a watched script must have" of docs/reference.md is `table()`, and a
test keeps the two equal."""
import math
import re

from bench.faults import Failed, Refused

CONTRACT = [
    ('the data', '`features` and `labels`, drawn with `true_w` and '
     '`true_b`', 'stops: no `features` (say)'),
    ('the parameters', "`net`'s, where `net` is an `nn.Module`, else the "
     'tensors `w` and `b`', 'stops: no `net`, nor `w` and `b`'),
    ('the epochs and their losses', 'each line the script prints as '
     '`epoch N, loss X`; the parameters as it is printed',
     'stops: no such line; any other line is not read'),
    ('the steps', 'the in-place updates of the parameters (their '
     '`_version`) from the first `Timer.start()` or `backward()`',
     'says "not seen"'),
    ('the batch size', '`batch_size`, where each epoch took '
     '`ceil(examples / batch_size)` steps', 'says "not seen"'),
    ('the learning rate', "the `torch.optim` optimizer's `lr`, else `lr`",
     'says "not seen"'),
    ('the loss', 'the printed losses, each matched against the losses the '
     "runners know at that epoch's parameters", 'says "not seen"'),
    ('the times', "each call of the script's `Timer` (from its own `timer` "
     'module, or `d2l.Timer`), with its line', 'stops: never started or '
     'stopped, started twice, stopped without a start'),
    ('the flags', "what the script's own `parse_args()` parsed",
     'takes no flags'),
    ('the seed', 'the `torch.manual_seed` line of the script',
     'seeds the line `features, labels = ...` (a given edit)'),
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
    """CONTRACT as the rows of a Markdown table."""
    rows = ['| what the runners report | where they read it in the run '
            '| where the script lacks it, the runner |', '| --- | --- | --- |']
    rows += [f'| {what} | {where} | {lacking} |'
             for what, where, lacking in CONTRACT]
    return '\n'.join(rows)


def lacks(file, name, what):
    """The fault of a script without `name`, where the runners read
    `what`."""
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
    """[weight, bias]: `net`'s, else `w` and `b`; None where neither is
    there."""
    import torch
    net = ns.get('net')
    if isinstance(net, torch.nn.Module):
        return list(net.parameters())
    w, b = ns.get('w'), ns.get('b')
    if isinstance(w, torch.Tensor) and isinstance(b, torch.Tensor):
        return [w, b]
    return None


def impl(ns):
    """'concise' where `net` is an `nn.Module`, else 'scratch'."""
    import torch
    return 'concise' if isinstance(ns.get('net'), torch.nn.Module) \
        else 'scratch'


def learning_rate(ns):
    """(lr, optimizer): a `torch.optim` optimizer's, else `lr` and the
    script's own `sgd`; None for what is not there."""
    import torch
    for value in ns.values():
        if isinstance(value, torch.optim.Optimizer):
            name = f'torch.optim.{type(value).__name__}'
            return value.param_groups[0]['lr'], name
    lr = ns.get('lr')
    if not isinstance(lr, (int, float)):
        lr = None
    return lr, ('its own `sgd`' if callable(ns.get('sgd')) else None)


def batch_size(ns, examples, steps):
    """`batch_size`, where every epoch took the steps that it makes."""
    size = ns.get('batch_size')
    if not isinstance(size, int) or size < 1 or None in steps:
        return None
    if all(step == math.ceil(examples / size) for step in steps):
        return size
    return None


def loss_values(error, beta):
    """What each loss the runners know is on the residuals `error`."""
    import torch
    e = error.double().reshape(-1)
    huber = torch.where(e.abs() < beta, e ** 2 / (2 * beta),
                        e.abs() - beta / 2)
    return {'half': (e ** 2 / 2).mean(), 'mse': (e ** 2).mean(),
            'sum': (e ** 2).sum(), 'huber': huber.mean(),
            'abs': e.abs().mean()}


def loss_kind(printed, errors, beta, first=None):
    """The loss (a key of LOSSES) whose value at each epoch's parameters
    is what the script printed, `first` tried first; None where no epoch
    printed a finite loss."""
    pairs = []
    for loss, error in zip(printed, errors):
        if loss is not None and math.isfinite(loss) and error is not None:
            pairs.append((loss, loss_values(error, beta)))
    kinds = [kind for kind in LOSSES if kind != 'other']
    for kind in [first, *kinds] if first else kinds:
        # printed with `:f`, six decimals, from float32
        if pairs and all(abs(loss - float(values[kind]))
                         <= 1e-6 + 1e-5 * abs(float(values[kind]))
                         for loss, values in pairs):
            return kind
    return 'other' if pairs else None


def check_args(args, options):
    """Refuse, before anything trains, a value of the script's flags that
    no run can use."""
    given = vars(args)
    for name in ('num_examples', 'batch_size', 'lr', 'num_epochs'):
        if name in given and not given[name] > 0:  # NaN is not either
            raise Refused(f'argument --{flag(name)}: must be above 0')
    if not given.get('init_std', 0) >= 0:  # 0: every weight 0
        raise Refused('argument --init-std: must be at least 0')
    if options.outlier is not None and given.get('num_examples', 6) < 6:
        raise Refused('argument --outlier: labels[5] needs --num-examples '
                      '6 or more')


def flag(name):
    """`num_examples` as typed: `num-examples`."""
    return name.replace('_', '-')


def flags_given(parser, args):
    """The script's flags whose values are not their defaults, as typed."""
    given = {}
    for action in parser._actions:
        value = getattr(args, action.dest, action.default)
        if action.option_strings and value != action.default:
            given[action.option_strings[0]] = value
    return given


def contradictions(run, ns, args, options, loss):
    """What ran that the script's flags or the runner's edits (`loss`:
    the loss they make) did not ask for, each in words; [] where the run
    did what was asked."""
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
    if size and run.batch_size != size and None not in run.steps_per_epoch:
        found.append(f'epochs of {run.steps_per_epoch} steps, not the '
                     f'{math.ceil(run.num_examples / size)} of '
                     f'--batch-size {size}')
    lr = asked.get('lr')
    if lr and run.lr is not None and not math.isclose(run.lr, lr):
        found.append(f'lr {run.lr:g}, not --lr {lr:g}')
    if 'init_std' in asked and not init_fits(run, asked['init_std']):
        found.append(f'initial weights {run.initial[:-1]}, not drawn with '
                     f'--init-std {asked["init_std"]:g}')
    return found + edit_contradictions(run, ns, options, loss)


def init_fits(run, std):
    """Whether the initial weights look drawn from N(0, std)."""
    if not run.initial:
        return True  # not seen: nothing to contradict
    scale = max(abs(w) for w in run.initial[:-1])
    return scale == 0 if std == 0 else 0.02 * std < scale < 8 * std


def edit_contradictions(run, ns, options, loss):
    """What ran that the runner's edits did not ask for."""
    found = []
    if loss and run.loss not in (None, loss):
        found.append(f'its printed loss is {LOSSES[run.loss]}, not '
                     f'{LOSSES[loss]}: does a later line rebind `loss`?')
    labels = ns.get('labels')
    if options.outlier is not None and not math.isclose(  # float32's
            float(labels[5]), options.outlier, rel_tol=1e-6):
        found.append(f'labels[5] is {float(labels[5]):g}, not --outlier '
                     f'{options.outlier:g}')
    params = parameters(ns)
    if params and params[0].device.type != options.device:
        found.append(f'the parameters on {params[0].device}, not '
                     f'--device {options.device}')
    return found
