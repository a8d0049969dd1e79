"""Start the commands that test_commands.py checks as the session starts,
so that their imports of torch run beside the suite's; their tests go last,
so that they seldom wait."""
import tempfile
from pathlib import Path

import commands


def pytest_sessionstart(session):
    args = session.config.args or ['tests']
    if any(Path(arg).is_dir() or 'test_commands' in arg for arg in args):
        commands.start_all(tempfile.mkdtemp())


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: item.module.__name__ == 'test_commands')
