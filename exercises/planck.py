"""zh 3.2 ex. 3, en 1.0 3.4 ex. 3: can Planck's law give an object's
temperature from its spectral energy density?

    python exercises/planck.py

Yes. Draw a noisy spectrum of a black body at 5,800 K (the Sun's
surface), then fit T by gradient descent with automatic differentiation,
as the chapter fits w and b. How T enters the loss decides whether it
works. In kelvin, on the densities themselves, the loss is about 1e26:
one learning rate, 1e-20, works from 3,000 K, crawls from 1,000 K and
blows up from 20,000 K, since the gradient's scale changes by orders of
magnitude with T. With log T as the parameter and the error of log B as
the loss, an ordinary learning rate gets within 0.1% from every start.
"""
# %%
import math

import torch

h, c, k = 6.62607015e-34, 2.99792458e8, 1.380649e-23  # SI units
c1, c2 = 2 * h * c ** 2, h * c / k  # 1.19e-16 W m^2 / sr, 1.44e-2 m K


def log_planck(lam, T):
    """log B(lam, T) for B = 2hc^2 / lam^5 / (exp(hc / (lam k T)) - 1).

    Two choices keep float32 finite. The constants are folded first: in
    hc / (lam k T) the backward pass squares lam k T, about 1e-26, to 0.
    And log(e^x - 1) is x + log(1 - e^-x): e^x itself passes float32's
    3.4e38 below about 800 K at 200 nm."""
    x = c2 / (lam * T)
    return math.log(c1) - 5 * torch.log(lam) - x - torch.log1p(-torch.exp(-x))


# %% The measurements: 100 wavelengths, 200 nm to 3 um, 1% noise
torch.manual_seed(0)
true_T = 5800.0
lam = torch.linspace(200e-9, 3000e-9, 100)
B = torch.exp(log_planck(lam, torch.tensor(true_T)))
B = B * (1 + 0.01 * torch.randn(lam.shape))
print(f'spectral density: {float(B.min()):.3g} to {float(B.max()):.3g} '
      'W / (m^2 sr m)')

# %% Gradient descent on one parameter, as the chapter's `sgd` does it


def fit(loss_of, param, lr, num_steps=300):
    for step in range(num_steps):
        l = loss_of(param)
        l.backward()
        with torch.no_grad():
            param -= lr * param.grad
            param.grad.zero_()
    return param.detach(), l.item()


# %% In kelvin, on the densities themselves: the loss is about 1e26 and its
# gradient 1e22, so only a learning rate near 1e-20 moves T sensibly
def density_loss(T):
    return ((torch.exp(log_planck(lam, T)) - B) ** 2).mean()


for start in (1000.0, 3000.0, 20000.0):
    for lr in (1e-20, 1e-19):
        T, l = fit(density_loss, torch.tensor(start, requires_grad=True), lr)
        print(f'kelvin, densities, lr {lr:g}, from {start:.0f} K: T '
              f'{float(T):.1f} K, loss {l:.3g}')


# %% log T as the parameter, the error of log B: the loss is of order 1 and
# an ordinary learning rate works, from any start
def log_loss(log_T):
    return ((log_planck(lam, torch.exp(log_T)) - torch.log(B)) ** 2).mean()


for start in (1000.0, 3000.0, 20000.0):
    log_T, l = fit(log_loss, torch.tensor(math.log(start),
                                          requires_grad=True), lr=0.01)
    fitted_T = float(torch.exp(log_T))
    off = abs(fitted_T - true_T) / true_T
    print(f'log T, log densities, lr 0.01, from {start:.0f} K: T '
          f'{fitted_T:.2f} K (off by {100 * off:.3f}%), loss {l:.3g}')

# %% A coarse check from another law, Wien's: lam_max T = 2.898e-3 m K,
# at the brightest of the 100 wavelengths
print(f'Wien, from the brightest wavelength: '
      f'{2.897771955e-3 / float(lam[B.argmax()]):.0f} K')
