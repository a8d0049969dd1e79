"""Start the commands that the `background` tests read (tests/commands.py)
as the session starts, so that they run beside the suite; those tests go
last, so that they seldom wait."""
import os

import commands

# The defaults print the en 0.17 labels; a Chinese locale would print zh
# 2.0's (tests/test_chapter.py tests both, by flag and by locale)
for variable in ('LANGUAGE', 'LC_ALL', 'LC_MESSAGES'):
    os.environ.pop(variable, None)
os.environ['LANG'] = 'C.UTF-8'


def pytest_sessionstart(session):
    commands.start_all(full='not check' not in session.config.getoption(
        'markexpr', ''))
    from bench import runner
    runner.context()  # its server imports torch and d2l while tests run
    import torch  # after the commands start, so that they need not wait
    torch.set_num_threads(1)


def pytest_collection_finish(session):
    """The signal runs start only for a session that reads them, so that
    none is left running after a session that does not."""
    if os.name == 'posix' and any(
            item.name.startswith('test_every_ctrl_c_ends_the_run')
            for item in session.items):
        import test_signals
        test_signals.start_all()


def pytest_collection_modifyitems(items):
    # Last, so that their commands have had the whole suite's time
    items.sort(key=lambda item: item.get_closest_marker('background')
               is not None)
