"""Start the commands that the `background` tests read (tests/commands.py)
as the session starts, so that they run beside the suite on the other core;
those tests go last, so that they seldom wait."""
import os
import tempfile
from pathlib import Path

import commands
from bench import cli

# The defaults print the en 0.17 labels; a Chinese locale would print zh
# 2.0's (tests/test_chapter.py tests both, by flag and by locale)
if cli.book_language() != 'en':
    for variable in ('LC_ALL', 'LC_MESSAGES'):
        os.environ.pop(variable, None)
    os.environ['LANG'] = 'C.UTF-8'


def pytest_sessionstart(session):
    args = session.config.args or ['tests']
    if any(Path(arg).is_dir() or 'test_commands' in arg for arg in args):
        commands.start_all(tempfile.mkdtemp())
    # After the commands start, so that they need not wait for this import.
    # The runs here are tiny: a second thread per op only contends with
    # the commands that test_commands.py runs beside them
    import torch
    torch.set_num_threads(1)


def pytest_collection_modifyitems(items):
    # Last, so that their commands have had the whole suite's time
    items.sort(key=lambda item: item.get_closest_marker('background')
               is not None)
