"""zh 3.2 ex. 4, en 1.0 3.4 ex. 4: what goes wrong when computing second
derivatives of the loss, and how is it fixed?

    python exercises/second_derivatives.py

Three problems, each shown and then fixed on the chapter's own data and
model: the gradient that `backward` leaves has no graph to differentiate
(`create_graph=True`); one graph serves one backward pass
(`retain_graph=True`); and the Hessian of d parameters has d^2 entries
(Hessian-vector products). Then the answer itself: the squared loss is
quadratic in (w, b), so its Hessian is the constant A^T A / n, A = [X, 1],
checked against `torch.autograd.functional.hessian`; its largest
eigenvalue bounds the learning rate of full-batch gradient descent.
"""
# %%
import torch
from d2l import torch as d2l

# %% The chapter's data, model and loss (d2l's, saved from section 3.2)
torch.manual_seed(0)
true_w, true_b = torch.tensor([2, -3.4]), 4.2
features, labels = d2l.synthetic_data(true_w, true_b, 1000)
w = torch.normal(0, 0.01, size=(2, 1), requires_grad=True)
b = torch.zeros(1, requires_grad=True)


def mean_loss(w, b):
    return d2l.squared_loss(d2l.linreg(features, w, b), labels).mean()


# %% Problem 1: after `backward`, `w.grad` is a plain tensor, with no graph
mean_loss(w, b).backward()
try:
    torch.autograd.grad(w.grad.sum(), w)
except RuntimeError as error:
    print(f'problem 1: {error}')
# The fix: ask for the gradient's own graph
g_w, g_b = torch.autograd.grad(mean_loss(w, b), [w, b], create_graph=True)
print(f'fixed: d/dw of dl/dw1 = {torch.autograd.grad(g_w[0, 0], w)[0]}')

# %% Problem 2: one graph, one backward pass
g_w, g_b = torch.autograd.grad(mean_loss(w, b), [w, b], create_graph=True)
torch.autograd.grad(g_w[0, 0], w)
try:
    torch.autograd.grad(g_w[1, 0], w)
except RuntimeError as error:
    print(f'problem 2: {str(error).split(" (")[0]}')
# The fix: keep the graph for every row but the last
g_w, g_b = torch.autograd.grad(mean_loss(w, b), [w, b], create_graph=True)
g = torch.cat([g_w.reshape(-1), g_b])
rows = [torch.cat([d.reshape(-1) for d in torch.autograd.grad(
    g[i], [w, b], retain_graph=i < len(g) - 1)]) for i in range(len(g))]
H_rows = torch.stack(rows)

# %% Problem 3: the Hessian of d parameters is d x d; 3 x 3 here, 4e12
# bytes for a model of a million. A Hessian-vector product needs no matrix
params = torch.cat([w.detach().reshape(-1), b.detach()])


def loss_of(p):
    return mean_loss(p[:2].reshape(2, 1), p[2:])


v = torch.tensor([1.0, 0.0, 0.0])
_, Hv = torch.autograd.functional.hvp(loss_of, params, v)
print(f'problem 3: H v for v = e1, without H: {Hv}')

# %% The answer: for the mean of `squared_loss` (with its 1/2) the Hessian
# in (w1, w2, b) is A^T A / n, whatever w and b are
H = torch.autograd.functional.hessian(loss_of, params)
A = torch.cat([features, torch.ones(len(features), 1)], 1)
H_closed = A.T @ A / len(A)
print(f'Hessian, by autograd:\n{H}\nA^T A / n:\n{H_closed}')
print(f'largest difference: {float((H - H_closed).abs().max()):.2e} '
      f'(double backward: {float((H_rows - H_closed).abs().max()):.2e})')

# %% Its largest eigenvalue bounds full-batch gradient descent's learning
# rate: below 2 / lambda_max it converges. `nn.MSELoss` has no 1/2, so its
# Hessian is twice this one and its bound half (as `sweep.py lr` shows)
lambda_max = float(torch.linalg.eigvalsh(H_closed).max())
print(f'lambda_max {lambda_max:.3f}: stable lr below {2 / lambda_max:.2f} '
      f'for squared_loss, {1 / lambda_max:.2f} for nn.MSELoss')
