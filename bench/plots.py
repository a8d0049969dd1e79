"""The pictures of compare.sh and sweep.py, written whole or not at all,
with matplotlib's Agg backend (no display needed), imported when asked for.
"""
from bench import faults, flags

COLORS = {'scratch': 'tab:blue', 'concise': 'tab:orange', 'lstsq': 'gray'}
SIGMA2 = 0.01 ** 2  # the noise's variance: the MSE floor of the true line


def figure(**kwargs):
    """A new matplotlib figure that needs no display."""
    import matplotlib
    matplotlib.use('Agg')
    from matplotlib import pyplot as plt
    return plt.subplots(**kwargs)


def write_png(fig, path):
    """Save `fig` to `path` whole or not at all."""
    from matplotlib import pyplot as plt
    try:
        fig.tight_layout()
        faults.replace_whole(path, lambda f: fig.savefig(f, format='png',
                                                         dpi=120))
    finally:
        plt.close(fig)


def save(prog, draw, path):
    """Call `draw()`, which writes `path`: the exit status, a fault in one
    line."""
    try:
        draw()
    except OSError as error:
        faults.say(prog, f'error: cannot write {flags.printable(path)}: '
                         f'{error.strerror or error}')
        return 1
    return 0


def compare(runs, path):
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
    write_png(fig, path)


def sweep_figure(rows, args):
    """Final MSE, and the errors in w and b, against the swept setting on
    log axes; points with no value as marks at the top."""
    setting = args.setting
    fig, axes = figure(ncols=2, figsize=(11, 4.2))
    for name in ('scratch', 'concise', 'lstsq'):
        sweep_lines(axes, name, sorted(  # a line joins neighbours
            [r for r in rows if r['impl'] == name], key=lambda r: r[setting]),
            setting)
    axes[0].axhline(SIGMA2, color='tab:red', ls=':', lw=1.2,
                    label=f'sigma^2 = {SIGMA2:.1e}: the noise')
    axes[0].set_ylabel('final MSE (no 1/2)')
    axes[1].set_ylabel('error in estimating w and b')
    if setting == 'num-examples':
        n = sorted({r[setting] for r in rows})
        axes[1].plot(n, [SIGMA2 ** 0.5 / v ** 0.5 for v in n], '-',
                     color='lightgray', lw=3, zorder=0,
                     label='sigma / sqrt(n): lstsq\'s expected error')
    for ax in axes:
        ax.set_xscale('log')
        ax.set_yscale('log')
        ax.set_xlabel(setting)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7, loc='center left')
    typed = args.others.strip() or "none, the book's"
    fig.suptitle(f'sweep of {setting}, {args.impl}: each point a fresh run; '
                 f'other flags: {typed}', fontsize=9)
    write_png(fig, args.plot)


def sweep_lines(axes, name, rows, setting):
    """One script's (or lstsq's) points: MSE left, errors right."""
    if not rows:
        return
    good = [r for r in rows if 'diverged' not in r and 'failed' not in r]
    x, color = [r[setting] for r in good], COLORS[name]
    styles = ((':s', ':s', ':+') if name == 'lstsq' else ('-o', '-o', '--x'))
    what = 'lstsq: the best line' if name == 'lstsq' else name
    axes[0].plot(x, [r['mse'] for r in good], styles[0], color=color,
                 label=what)
    axes[1].plot(x, [r['w_error'] for r in good], styles[1], color=color,
                 label=f'{name}: max |w error|')
    axes[1].plot(x, [r['b_error'] for r in good], styles[2], color=color,
                 label=f'{name}: |b error|')
    bad = [r[setting] for r in rows if r not in good]
    for ax in axes if bad else ():  # both scripts' marks seen
        height = 0.97 if name == 'scratch' else 0.93
        ax.plot(bad, [height] * len(bad), '^', color=color, ms=8,
                transform=ax.get_xaxis_transform(), clip_on=False,
                label=f'{name}: diverged or failed (no value)')
