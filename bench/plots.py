"""The pictures of compare.sh and sweep.py, written whole or not at all.

matplotlib is imported only when a picture is asked for, with the Agg
backend, so that no display is needed.
"""
from bench import faults, flags

COLORS = {'scratch': 'tab:blue', 'concise': 'tab:orange', 'lstsq': 'gray',
          'noise': 'tab:red'}
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
    """Call `draw()`, which writes `path`; a failure to write is one line.
    Return the exit status."""
    try:
        draw()
    except OSError as error:
        faults.say(prog, f'error: cannot write {flags.printable(path)}: '
                         f'{error.strerror or error}')
        return 1
    return 0


def mse_along(run, path):
    """The full-data MSE at each point of a replayed path."""
    import torch
    features, labels = run.seen.ns['features'], run.seen.ns['labels']
    params = torch.stack(path).to(features.device)
    y_hat = features @ params[:, :-1].T + params[:, -1]
    return ((y_hat - labels.reshape(-1, 1)) ** 2).mean(0).tolist()


def compare(runs, replayed, lstsq, path):
    """Left: the chapter's scatter with the lines learned. Middle: the
    full-data MSE after every step of scratch at lr and at 2 lr and of
    concise at lr, from one init over one batch order. Right: the same
    runs' paths in (w1, w2). Without replays (an edit they cannot follow),
    the scatter alone."""
    fig, axes = figure(ncols=1 if replayed is None else 3,
                       figsize=(6 if replayed is None else 18, 4.8))
    scatter(axes if replayed is None else axes[0], runs)
    if replayed is not None:
        lr = replayed.lr
        paths = [(replayed.same, f'scratch, lr {lr:g}',
                  dict(color=COLORS['scratch'], lw=1.5)),
                 (replayed.concise, f'concise, lr {lr:g}',
                  dict(color=COLORS['concise'], lw=5, alpha=0.5)),
                 (replayed.double, f'scratch, lr {2 * lr:g}',
                  dict(color='black', lw=1, ls='--'))]
        mse_panel(axes[1], runs['scratch'], paths, lstsq)
        path_panel(axes[2], runs['scratch'], paths, lstsq)
    write_png(fig, path)


def mse_panel(ax, first, paths, lstsq):
    """The full-data MSE after every step of each replayed path."""
    for steps, text, style in paths:
        ax.plot(mse_along(first, steps), label=text + ': MSE', **style)
    floors(ax, lstsq['mse'])
    epochs = len(first.steps_per_epoch)
    per_epoch = (len(paths[0][0]) - 1) // max(epochs, 1)
    for epoch in range(1, epochs + 1):
        ax.axvline(epoch * per_epoch, color='lightgray', lw=0.8)
    ax.set_yscale('log')
    ax.set_xlabel('SGD step (0: the initial parameters; gray: epoch ends)')
    ax.set_ylabel('full-data loss (MSE: no 1/2)')
    ax.legend(fontsize=7)
    ax.set_title('one init, one batch order for all three\nconcise at lr '
                 'steps as scratch at 2 lr: nn.MSELoss has no 1/2',
                 fontsize=9)


def path_panel(ax, first, paths, lstsq):
    """Each replayed path in (w1, w2), at equal scales, framed on the true
    w, the lstsq fit and the start."""
    true_w = [round(w, 4) for w in first.seen.ns['true_w'].cpu().tolist()]
    points = [[(float(p[0]), float(p[1])) for p in steps
               if bool(p.isfinite().all())] for steps, _, _ in paths]
    start = points[0][0]
    view = frame([true_w, lstsq['w'][:2], start], points)
    for path, (_, text, style) in zip(points, paths):
        ax.plot([x for x, _ in path], [y for _, y in path], label=text,
                **style)
    ax.plot(*start, 'o', color='black', ms=4, label='the initial w')
    ax.plot(*true_w, '*', color='red', ms=12, label=f'true w {true_w}')
    ax.set_xlim(view[0], view[1], auto=None)
    ax.set_ylim(view[2], view[3], auto=None)
    ax.set_aspect('equal', adjustable='datalim')  # round is round
    ax.set_xlabel('w1')
    ax.set_ylabel('w2')
    ax.legend(fontsize=7, loc='best')
    ax.set_title('paths in parameter space, equal scales', fontsize=9)


def scatter(ax, runs):
    """The chapter's figure, `features[:, 1]` against `labels`, with the
    lines each trainer learned and the true one, seen from that side: at
    each x2, w2 x2 + b + w1 times the mean of x1."""
    import torch
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


def floors(ax, lstsq_mse):
    """The two floors, told apart: the noise's variance, which the true
    line scores on average, and the best line on these very data."""
    ax.axhline(SIGMA2, color=COLORS['noise'], ls=':', lw=1.2,
               label=f'sigma^2 = {SIGMA2:.1e}: the noise, the true '
                     'line\'s expected MSE')
    ax.axhline(lstsq_mse, color=COLORS['lstsq'], ls='-.', lw=1.2,
               label=f'lstsq = {lstsq_mse:.2e}: the best line on these data')


def frame(anchors, paths):
    """(x0, x1, y0, y1): the anchor points and every path point near
    them; a run that leaves for infinity leaves the frame rather than
    shrinking the rest to a dot."""
    xs, ys = [x for x, _ in anchors], [y for _, y in anchors]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1.0)
    near = [(x, y) for path in paths for x, y in path
            if abs(x - xs[0]) < 3 * span and abs(y - ys[0]) < 3 * span]
    xs, ys = xs + [x for x, _ in near], ys + [y for _, y in near]
    margin = 0.1 * max(max(xs) - min(xs), max(ys) - min(ys), 1.0)
    return (min(xs) - margin, max(xs) + margin, min(ys) - margin,
            max(ys) + margin)


def sweep_figure(rows, args):
    """Sweeps: final MSE, and the errors in w and b, against the swept
    setting on log axes; diverged or failed points as marks at the top."""
    setting = args.setting
    fig, axes = figure(ncols=2, figsize=(11, 4.2))
    for name in ('scratch', 'concise', 'lstsq'):
        sweep_lines(axes, name, sorted(  # a line joins neighbours
            [r for r in rows if r['impl'] == name], key=lambda r: r[setting]),
            setting)
    axes[0].axhline(SIGMA2, color=COLORS['noise'], ls=':', lw=1.2,
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
    """One script's (or lstsq's) points: MSE left, errors right; the points
    with no value as marks along the top."""
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
