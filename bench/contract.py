"""What the runners read of a script, in one place: where in the run, and
what they do where it lacks that. No other module reads a script's names;
`table()` is docs/reference.md's "What a watched script must have"."""
import math
import re

from bench.faults import Failed, Refused

CONTRACT = [  # what the runners report, where they read it, if it lacks
    ('the data', '`features`, `labels`, `true_w`, `true_b` at the first '
     'step', 'stop'),
    ('the parameters', "`net`'s (an `nn.Module`), else `w` and `b`: a "
     'weight a feature and a bias', 'stop'),
    ('each epoch', 'a line printed as `epoch N, loss X`, after a step',
     'stop'),
    ('the steps', "the parameters' in-place updates since the first step",
     'say "not seen"'),
    ('the batch size', '`batch_size`, where each epoch took its steps',
     'say "not seen"'),
    ('the learning rate', "the `torch.optim` optimizer's, else `lr`",
     'say "not seen"'),
    ('the loss', 'the printed losses, against each loss the runners know',
     'say "none of these"'),
    ('the times', "each `start()` and `stop()` of the script's Timer (its "
     '`timer` module\'s, or `d2l.Timer`)', 'say "nothing"'),
    ('the flags', "what the script's own `parse_args()` parsed",
     'take none'),
    ('the seed', "`torch.manual_seed`, checked by `torch.initial_seed()`",
     'seed `features, labels = ...`'),
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
    rows = ['| the runners report | read from | without it, they |',
            '| --- | --- | --- |']
    rows += [f'| {what} | {where} | {lacking} |'
             for what, where, lacking in CONTRACT]
    return '\n'.join(rows)


def lacks(file, name, what):
    """The fault of a script without `name`, where the runners read it."""
    return Failed(f'{file} has no `{name}`, where the runners read {what} '
                  '(docs/reference.md: what a watched script must have)')


def data(ns, file):
    """(features, labels, true_w, true_b) of the run, as tensors."""
    import torch
    names = ('features', 'labels', 'true_w', 'true_b')
    for name in names:
        if name not in ns:
            raise lacks(file, name, 'the data')
    return [torch.as_tensor(ns[name]).detach().cpu() for name in names]


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
    found = [value for value in ns.values()
             if isinstance(value, torch.optim.Optimizer)]
    rates = {group['lr'] for value in found for group in value.param_groups}
    if found:  # two optimizers with two rates: which stepped is not seen
        lr = rates.pop() if len(rates) == 1 else None
        return lr, f'torch.optim.{type(found[0]).__name__}'
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


def loss_kind(printed, errors, prefer=None):
    """The key of LOSSES that gives each finite printed loss, `prefer`
    where it does (Huber's is the 1/2 squared on residuals under 1); None
    where no printed loss is finite."""
    pairs = []
    for loss, error in zip(printed, errors):
        if math.isfinite(loss):
            pairs.append((loss, loss_values(error)))
    if not pairs:
        return None
    kinds = [kind for kind in LOSSES if kind != 'other']
    found = [kind for kind in kinds
             if all(close(loss, float(values[kind])) for loss, values in pairs)]
    if prefer in found:
        return prefer
    return found[0] if found else 'other'


def loss_module(ns):
    """The kind of loss of `loss`, where it is a module the runners know."""
    modules = {'MSELoss': 'mse', 'SmoothL1Loss': 'huber', 'L1Loss': 'abs'}
    return modules.get(type(ns.get('loss')).__name__)


def close(printed, value):
    """Whether `printed` is `value` printed with `:f`, from float32."""
    return abs(printed - value) <= 1e-6 + 1e-5 * abs(value)


def timed(intervals, epochs, printed, file):
    """(what the Timer timed, in words; its seconds; whether each interval
    was an epoch); `Failed` for a Timer never stopped."""
    if not intervals:
        return 'nothing: the script starts no Timer', [], False
    if intervals[-1].stop is None:
        raise Failed(f'{file}:{intervals[-1].start}: the Timer started here '
                     'is never stopped')
    first, seconds = intervals[0], [i.seconds for i in intervals]
    where = 'Timer()' if first.by_constructor else 'start()'
    where += f' at line {first.start} to stop() at line {first.stop}'
    ends = [i.epochs_before for i in intervals[1:]] + [printed]
    held = [end - i.epochs_before for i, end in zip(intervals, ends)]
    count = f'{epochs} epoch' + 's' * (epochs != 1)
    if held == [1] * epochs:
        return f'each of the {count} alone, {where}', seconds, True
    if len(intervals) == 1:
        data = '' if first.data_before else 'the data generation and '
        return f'once, {where}: {data}all {count}', seconds, False
    what = f'{len(intervals)} intervals in {count}, {where} first'
    return what, seconds, False


def check_args(args):
    """Refuse a value of the script's flags that no run can use."""
    given = vars(args)
    for name in ('num_examples', 'batch_size', 'lr', 'num_epochs'):
        if name in given and not 0 < given[name] < math.inf:  # nor NaN
            flag = name.replace('_', '-')
            raise Refused(f'argument --{flag}: must be finite, above 0')
    if not 0 <= given.get('init_std', 0) < math.inf:  # 0: every weight 0
        raise Refused('argument --init-std: must be at least 0, and finite')


def flags_given(parser, args):
    """The script's flags whose values are not their defaults, as typed."""
    given = {}
    for action in parser._actions:
        value = getattr(args, action.dest, action.default)
        if action.option_strings and value != action.default:
            given[action.option_strings[0]] = value
    return given


def contradictions(run, ns, parsed, script):
    """What ran that the flags or the edits of `script` did not ask for."""
    import torch
    asked = vars(parsed[1]) if parsed else {}
    found = []
    if parsed and parsed[2] is not None and list(parsed[2]) != script.argv:
        found.append(f'parse_args({list(parsed[2])}), not the flags given')
    if asked.get('num_examples', run.num_examples) != run.num_examples:
        found.append(f'{run.num_examples} examples, not its --num-examples '
                     f'{asked["num_examples"]}')
    epochs = len(run.loss_per_epoch)
    if asked.get('num_epochs', epochs) != epochs:
        found.append(f'{epochs} epochs, not its --num-epochs '
                     f'{asked["num_epochs"]}')
    size = asked.get('batch_size')
    if size and None not in run.steps_per_epoch and run.batch_size != size:
        found.append(f'epochs of {run.steps_per_epoch} steps, not the '
                     f'{math.ceil(run.num_examples / size)} of its '
                     f'--batch-size {size}')
    lr = asked.get('lr')
    if lr and run.lr is not None and not math.isclose(run.lr, lr):
        found.append(f'lr {run.lr:g}, not its --lr {lr:g}')
    seed = asked.get('seed', torch.initial_seed())
    if seed != torch.initial_seed():
        found.append(f'seed {torch.initial_seed()}, not its --seed {seed}')
    return found + edits_undone(run, ns, script)


def edits_undone(run, ns, script):
    """What ran that the edits of `script` did not ask for."""
    found = []
    edited = [edit for edit in script.edits if 'loss = ' in edit.new]
    if edited and not made_by(ns.get('loss'), edited[0]):
        found.append(f'a `loss` not of line {edited[0].lineno}: does a '
                     'later line bind it again?')
    if script.loss and run.loss not in (None, script.loss):
        found.append(f'a printed loss that is {LOSSES[run.loss]}, not '
                     f'{LOSSES[script.loss]}')
    return found


def made_by(loss, edit):
    """Whether the object `loss` is what the edited line made."""
    code = getattr(loss, '__code__', None)
    if code is not None:
        return code.co_firstlineno == edit.lineno
    return f'nn.{type(loss).__name__}(' in edit.new

