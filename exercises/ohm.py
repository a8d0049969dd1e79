"""zh 3.2 ex. 2, en 1.0 3.4 ex. 2: as Georg Ohm, can automatic
differentiation learn the parameters of a model that relates voltage and
current?

    python exercises/ohm.py

Yes: Ohm's law, V = R I, is a linear model with one weight (the
resistance) and no bias. Draw noisy measurements of a 4.7 ohm resistor,
fit R with the chapter's own loop (`linreg`, `squared_loss`, `sgd`,
`l.sum().backward()`), and compare with the closed-form least-squares
answer, R = sum(I V) / sum(I^2). A model with a bias, V = R I + V0, finds
a V0 near 0: the data say the line goes through the origin.
"""
# %%
import random

import torch
from d2l import torch as d2l

# %% The measurements: 50 currents from 0 to 1 A, the voltmeter's noise
# 0.05 V
random.seed(0)
torch.manual_seed(0)
true_R = 4.7
current = torch.linspace(0, 1, 50).reshape(-1, 1)
voltage = true_R * current + torch.normal(0, 0.05, current.shape)

# %% The chapter's training loop, with d2l's `linreg`, `squared_loss` and
# `sgd` (saved from section 3.2); the bias is a parameter too
R = torch.normal(0, 0.01, size=(1, 1), requires_grad=True)
V0 = torch.zeros(1, requires_grad=True)
lr, num_epochs, batch_size = 0.1, 200, 10
for epoch in range(num_epochs):
    for I, V in d2l.load_array((current, voltage), batch_size):
        l = d2l.squared_loss(d2l.linreg(I, R, V0), V)
        l.sum().backward()
        d2l.sgd([R, V0], lr, batch_size)
print(f'learned: R {R.item():.4f} ohm, V0 {V0.item():+.4f} V')

# %% Least squares in closed form, through the origin and with a bias
R_ls = float((current * voltage).sum() / (current ** 2).sum())
X = torch.cat([current, torch.ones_like(current)], 1)
R_b, V0_b = torch.linalg.lstsq(X, voltage).solution.reshape(-1).tolist()
print(f'least squares: R {R_ls:.4f} ohm through the origin; with a bias, '
      f'R {R_b:.4f} ohm and V0 {V0_b:+.4f} V (true: R {true_R} ohm, V0 0)')
