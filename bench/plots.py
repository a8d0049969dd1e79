"""The pictures of compare.sh and sweep.py, written whole or not at all,
with matplotlib's Agg backend (no display needed), imported when asked for.
"""
from bench import faults

COLORS = {'scratch': 'tab:blue', 'concise': 'tab:orange', 'lstsq': 'gray'}
SIGMA = 0.01  # the noise's std: lstsq's error is near SIGMA / sqrt(n)


def figure(**kwargs):
    """A new matplotlib figure that needs no display."""
    import matplotlib
    matplotlib.use('Agg')
    from matplotlib import pyplot as plt
    return plt.subplots(**kwargs)


def save(prog, fig, path):
    """Write `fig` to `path` whole or not at all; the exit status, and a
    fault in one line."""
    from matplotlib import pyplot as plt
    try:
        fig.tight_layout()
        faults.replace_whole(path, lambda f: fig.savefig(f, format='png',
                                                         dpi=120))
    except OSError as error:
        faults.say(prog, f'error: cannot write {path}: '
                         f'{error.strerror or error}')
        return 1
    finally:
        plt.close(fig)
    return 0


def compare(runs):
    """The chapter's figure, `features[:, 1]` against `labels`, with the
    true line and each trainer's, seen from that side (x1 at its mean)."""
    import torch
    fig, ax = figure(figsize=(6, 4.8))
    ns = runs['scratch'].seen.ns
    X, y = ns['features'].cpu(), ns['labels'].cpu().reshape(-1)
    ax.scatter(X[:, 1], y, 1, color='lightgray',
               label="the data, as the chapter's scatter cell draws them")
    x2 = torch.linspace(float(X[:, 1].min()), float(X[:, 1].max()), 2)
    mean_x1 = float(X[:, 0].mean())
    lines = [('true', ns['true_w'].cpu(), ns['true_b'], 'red', ':')] + [
        (name, torch.tensor(run.w), run.b[0], COLORS[name],
         '-' if name == 'scratch' else '--') for name, run in runs.items()]
    for name, w, b, color, style in lines:
        ax.plot(x2, w[1] * x2 + b + w[0] * mean_x1, style, color=color,
                label=f'{name}: w2 {float(w[1]):.4f}, b {float(b):.4f}')
    ax.set_xlabel('features[:, 1]')
    ax.set_ylabel('labels')
    ax.legend(fontsize=7)
    ax.set_title('the data and the lines learned (x1 at its mean)',
                 fontsize=9)
    return fig


def sweep_figure(rows, args):
    """The largest error in w and b of each script, and of lstsq, against
    the swept setting on log axes; a point that diverged or failed has no
    mark."""
    setting = args.setting
    fig, ax = figure(figsize=(6.4, 4.8))
    for name in ('scratch', 'concise', 'lstsq'):
        points = sorted((p.value, max(p.w_error, p.b_error)) for p in rows
                        if p.impl == name and p.mse is not None)
        if points:
            ax.plot(*zip(*points), ':s' if name == 'lstsq' else '-o',
                    color=COLORS[name], label=name)
    if setting == 'num-examples':
        n = sorted({p.value for p in rows})
        ax.plot(n, [SIGMA / v ** 0.5 for v in n], color='lightgray',
                lw=3, zorder=0, label="sigma / sqrt(n): lstsq's expectation")
    if all(isinstance(v, (int, float)) and v > 0 for v in args.values):
        ax.set_xscale('log')
    ax.set_yscale('log')
    ax.set_xlabel(setting)
    ax.set_ylabel('largest error in w and b')
    ax.legend(fontsize=7)
    ax.set_title(f'sweep of {setting}, each point a fresh run (no mark: '
                 'diverged or failed)', fontsize=9)
    return fig
