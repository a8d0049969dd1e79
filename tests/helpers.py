"""What the tests share: run a script's chapter code in-process, quietly."""
import contextlib
import io

import cli
import lab
import linreg_concise as concise
import linreg_scratch as scratch

SCRIPTS = {'scratch': scratch, 'concise': concise}


def run(name, *argv, **options):
    """linreg_{name}.py's chapter code with these flags; return its Lab."""
    args = cli.parse_args(name, list(argv))
    args.device = lab.resolve_device(args.device)
    with contextlib.redirect_stdout(io.StringIO()):
        return lab.run(name, SCRIPTS[name], args, **options)


def results(name, *argv):
    """What linreg_{name}.py --json would print, as a dict."""
    return run(name, *argv).results()


def one_line(text):
    """The only line of `text`; fails unless there is exactly one."""
    lines = text.strip().splitlines()
    assert len(lines) == 1, lines
    assert 'Traceback' not in text
    return lines[0]
