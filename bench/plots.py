"""The pictures of compare.sh and sweep.py, with matplotlib's Agg backend
(no display needed), written whole or not at all."""
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
    """Write `fig` to `path` whole or not at all: the exit status."""
    from matplotlib import pyplot as plt
    fig.tight_layout()
    try:
        faults.replace_whole(path, lambda f: fig.savefig(f, format='png'))
    except OSError as error:
        reason = error.strerror or error
        faults.say(prog, f'error: cannot write {path}: {reason}')
        return 1
    finally:
        plt.close(fig)
    return 0


def compare(comparison):
    """The chapter's scatter with the lines learned, and each MSE."""
    import torch
    fig, (data, losses) = figure(ncols=2, figsize=(11, 4.6))
    features, labels, true_w, true_b = comparison.runs[0].watch.data()
    X, y = features, labels.reshape(-1)
    data.scatter(X[:, 1], y, 1, color='lightgray',
                 label="the data, as the chapter's scatter cell draws them")
    x1, x2 = float(X[:, 0].mean()), X[:, 1]
    x2 = torch.linspace(float(x2.min()), float(x2.max()), 2)
    lines = [('true', true_w.tolist(), float(true_b), 'red', ':')]
    for k, (name, run) in enumerate(zip(comparison.names, comparison.runs)):
        lines.append((name, run.w, run.b[0], COLORS[k], STYLES[k]))
        mses = [run.initial_mse, *run.mse_per_epoch]
        losses.plot(range(len(mses)), mses, STYLES[k], marker='o',
                    color=COLORS[k], label=name)
    for name, w, b, color, style in lines:
        label = f'{name}: w2 {w[1]:.4f}, b {b:.4f}'
        data.plot(x2, w[1] * x2 + b + w[0] * x1, style, color=color,
                  label=label)
    data.set(xlabel='features[:, 1]', ylabel='labels',
             title='the data and the lines learned (x1 at its mean)')
    losses.axhline(comparison.lstsq['mse'], color='gray', lw=1,
                   label='lstsq: the lowest MSE on these data')
    losses.set(yscale='log', xlabel='epoch', ylabel='full-data MSE',
               title='both losses on one yardstick: the MSE, no 1/2')
    for ax in (data, losses):
        ax.legend(fontsize=7)
        ax.title.set_fontsize(9)
    return fig


def sweep_figure(rows, args):
    """The largest error in w and b against the swept setting."""
    fig, ax = figure(figsize=(6.4, 4.8))
    for k, name in enumerate(('scratch', 'concise', 'lstsq')):
        found = [p for p in rows if p.impl == name and p.mse is not None]
        points = sorted((p.value, max(p.w_error, p.b_error)) for p in found)
        style = ':s' if name == 'lstsq' else '-o'
        if points:
            ax.plot(*zip(*points), style, color=COLORS[k], label=name)
    if args.setting == 'num-examples':
        n = sorted({p.value for p in rows})
        ax.plot(n, [SIGMA / v ** 0.5 for v in n], color='lightgray', lw=3,
                zorder=0, label="sigma / sqrt(n): lstsq's expectation")
    if all(isinstance(v, (int, float)) and v > 0 for v in args.values):
        ax.set_xscale('log')
    ax.set(yscale='log', xlabel=args.setting,
           ylabel='largest error in w and b')
    ax.legend(fontsize=7)
    ax.set_title(f'sweep of {args.setting}, each point a fresh run (no '
                 'mark: diverged or failed)', fontsize=9)
    return fig
