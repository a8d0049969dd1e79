"""Start the commands that the `background` tests read (tests/commands.py)
as the session starts, so that they run beside the suite; those tests go
last, so that they seldom wait."""
import os

import commands
from bench import flags

# The defaults print the en 0.17 labels; a Chinese locale would print zh
# 2.0's (tests/test_chapter.py tests both, by flag and by locale)
if flags.book_language() != 'en':
    for variable in ('LC_ALL', 'LC_MESSAGES'):
        os.environ.pop(variable, None)
    os.environ['LANG'] = 'C.UTF-8'


def pytest_sessionstart(session):
    commands.start_all()
    import torch  # after the commands start, so that they need not wait
    torch.set_num_threads(1)


def pytest_collection_modifyitems(items):
    # Last, so that their commands have had the whole suite's time
    items.sort(key=lambda item: item.get_closest_marker('background')
               is not None)
