"""What a run did, as plain numbers and words: a worker reads it from the
computation (bench/computation.py), and the runners print it."""
import math
from dataclasses import dataclass, field

from bench.text import _

LOSSES = {  # each loss the runners know, on the residuals y_hat - y
    'half': _('`(y_hat - y) ** 2 / 2` (`squared_loss`)'),
    'squared': _('the squared error `(y_hat - y) ** 2`'),
    'abs': _('the absolute error `|y_hat - y|`'),
    'huber': _("Huber's loss (`nn.SmoothL1Loss()`)"),
}

REDUCTIONS = {'mean': _('mean'), 'sum': _('sum')}


@dataclass
class Run:
    """One run of a script, read from its steps."""
    script: str
    flags: list = field(default_factory=list)  # as typed
    edits: list = field(default_factory=list)  # the runner's, as shown
    num_examples: int = None
    steps_per_epoch: list = None
    batch_size: int = None  # the largest batch
    loss: str = None  # a key of LOSSES; None: none of these
    reduction: str = None  # over the batch: 'mean' or 'sum'
    loss_per_epoch: list = None  # its loss's mean on all the data
    mse_per_epoch: list = None
    printed: list = None  # after each epoch: the first line with a number
    printed_loss: list = None  # the column it is: 'loss', 'mse' or None
    lr_per_epoch: list = None  # None where a step is no fixed multiple
    initial: list = None
    initial_mse: float = None
    w: list = None
    b: float = None
    true_w: list = None
    true_b: float = None
    lstsq: dict = None  # the least-squares line on the data: w, b, mse
    data_sha256: str = None
    seeded: str = None  # by the script, or by the runner
    timer: str = None  # what the script's Timer timed, in words
    diverged_at_epoch: int = None
    out: str = ''  # what the script printed
    err: str = ''

    @property
    def epochs(self):
        return len(self.steps_per_epoch)

    @property
    def mse(self):
        return self.mse_per_epoch[-1]

    @property
    def lr(self):
        """The learning rate, where it was one for every step."""
        rates = self.lr_per_epoch or [math.nan]
        spread = max(rates) - min(rates)
        return rates[0] if spread <= 1e-3 * abs(rates[0]) else None

    @property
    def mse_step(self):
        """Each step as a multiple of the gradient of the batch's MSE."""
        if self.lr is None or self.loss not in ('half', 'squared'):
            return None
        return self.lr / 2 if self.loss == 'half' else self.lr
