"""The pictures of compare.sh and sweep.py, written whole or not at all,
with matplotlib's Agg backend (no display needed), imported when asked for.
"""
from bench import faults

COLORS = ['tab:blue', 'tab:orange', 'gray']  # the first, second, lstsq
STYLES = ['-', '--', ':']
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


def compare(comparison):
    """The chapter's scatter, `features[:, 1]` against `labels`, with the
    true line and each script's, seen from that side (x1 at its mean);
    beside it, both scripts' full-data MSE at each epoch's end, on a log
    axis (epoch 0: the initial parameters)."""
    import torch
    fig, (ax, curves) = figure(ncols=2, figsize=(11, 4.6))
    features, labels, true_w, true_b = comparison.runs[0].watch.data()
    X, y = features.detach().cpu(), labels.detach().cpu().reshape(-1)
    ax.scatter(X[:, 1], y, 1, color='lightgray',
               label="the data, as the chapter's scatter cell draws them")
    x2 = torch.linspace(float(X[:, 1].min()), float(X[:, 1].max()), 2)
    lines = [('true', true_w.detach().cpu(), true_b, 'red', ':')]
    for k, (name, run) in enumerate(zip(comparison.names, comparison.runs)):
        lines.append((name, torch.tensor(run.w), run.b[0], COLORS[k],
                      STYLES[k]))
        epochs = range(len(run.mse_per_epoch) + 1)
        curves.plot(epochs, [run.initial_mse, *run.mse_per_epoch],
                    STYLES[k], marker='o', color=COLORS[k], label=name)
    for name, w, b, color, style in lines:
        ax.plot(x2, w[1] * x2 + b + w[0] * float(X[:, 0].mean()), style,
                color=color, label=f'{name}: w2 {float(w[1]):.4f}, b '
                f'{float(b):.4f}')
    ax.set(xlabel='features[:, 1]', ylabel='labels')
    ax.legend(fontsize=7)
    ax.set_title('the data and the lines learned (x1 at its mean)',
                 fontsize=9)
    curves.axhline(comparison.lstsq['mse'], color='gray', lw=1,
                   label='lstsq: the lowest MSE on these data')
    curves.set(yscale='log', xlabel='epoch', ylabel='full-data MSE')
    curves.legend(fontsize=7)
    curves.set_title('both losses on one yardstick: the MSE, no 1/2',
                     fontsize=9)
    return fig


def sweep_figure(rows, args):
    """The largest error in w and b of each script, and of lstsq, against
    the swept setting on log axes; a point that diverged or failed has no
    mark."""
    setting = args.setting
    fig, ax = figure(figsize=(6.4, 4.8))
    for k, name in enumerate(('scratch', 'concise', 'lstsq')):
        points = sorted((p.value, max(p.w_error, p.b_error)) for p in rows
                        if p.impl == name and p.mse is not None)
        if points:
            ax.plot(*zip(*points), ':s' if name == 'lstsq' else '-o',
                    color=COLORS[k], label=name)
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
