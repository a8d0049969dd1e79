"""Ctrl-C at any moment of the first seconds, the imports included, ends
each runner (compare.sh, sweep.py, `python -m bench`) at once with one line
and 130, every time, with no process left running (POSIX signals). A
chapter script run directly is plain Python, and SIGTERM ends a runner as
it ends Python.

Each runner is started beside the suite, and sent Ctrl-C at a moment that
steps through the import window, past the first epoch line: one moment for
each in `make test`, every 100 ms in `make check`. The runs go in a few at
a time and are read last."""
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

import commands
from commands import ENV, ROOT

pytestmark = [pytest.mark.background, pytest.mark.skipif(
    os.name != 'posix', reason='POSIX signals')]
# Every 100 ms from 0.1 s to 1 s, where torch, d2l and matplotlib import;
# then every second to the first epoch line. (Before some 40 ms, more on a
# busy machine, Python itself is starting and the program has set no
# handler: Python's own KeyboardInterrupt, from no frame of the program's
# `main`, tells those runs apart, and they are not judged.)
DENSE = [round(0.1 + 0.1 * i, 2) for i in range(10)]
LATE = [1.25 + i for i in range(5)]
FEW = [0.3, 0.6, 1.0]
PROGRAMS = {'compare.sh': ['bash', 'compare.sh'],
            'sweep.py': [sys.executable, 'sweep.py', 'lr'],
            'python -m bench': [sys.executable, '-m', 'bench',
                                'linreg_scratch.py']}
LINE = 'interrupted (Ctrl-C)\n'
RESULTS = []


def as_from_a_terminal():
    """Ctrl-C as a program started from a terminal has it, even where this
    suite runs as a background job, which ignores Ctrl-C (and so would its
    children: the nohup rule, tests/test_faults.py)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def one(program, moment):
    """Start `program`, press Ctrl-C at `moment` s; (status, stderr)."""
    process = subprocess.Popen(
        PROGRAMS[program], cwd=ROOT, env=dict(ENV, PYTHON=sys.executable),
        text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True, preexec_fn=as_from_a_terminal)
    time.sleep(moment)
    if process.poll() is not None:  # it finished before the moment came
        return 'finished first', ''
    process.send_signal(signal.SIGINT)
    try:
        out, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:  # the signal was swallowed
        os.killpg(process.pid, signal.SIGKILL)
        return 'still running', process.communicate()[1]
    # No process of the run's group is left behind (a helper that an
    # import started, ldconfig say, may take a moment to end by itself)
    for _ in range(50):
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            starting = process.returncode == -signal.SIGINT and \
                'in main' not in err
            return ('Python was starting' if starting
                    else process.returncode), err
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)
    return 'left a process running', err


def jobs(full):
    """(program, moment): every program at every moment, or a few."""
    if full:
        return [(program, moment) for moment in DENSE + LATE
                for program in PROGRAMS]
    return [(program, FEW[k]) for k, program in enumerate(PROGRAMS)]


def start_all():
    """Start the runs, two at a time, in threads; conftest.py calls this
    once the session is known to run the test below."""
    def work(part):
        for job in part:
            RESULTS.append((job, one(*job)))
    JOBS[:] = jobs(commands.FULL)
    THREADS[:] = [threading.Thread(target=work, args=(JOBS[k::2],),
                                   daemon=True) for k in range(2)]
    for thread in THREADS:
        thread.start()


JOBS, THREADS = [], []


def test_every_ctrl_c_ends_the_run_in_one_line():
    every_ctrl_c_ends_the_run_in_one_line()


@pytest.mark.check
def test_every_ctrl_c_ends_the_run_in_one_line_every_100_ms():
    every_ctrl_c_ends_the_run_in_one_line()


def every_ctrl_c_ends_the_run_in_one_line():
    for thread in THREADS:
        thread.join(timeout=900)
    assert JOBS
    assert len(RESULTS) == len(JOBS)
    # A run that had printed its last line is done; one sent Ctrl-C before
    # the program had set its handler (a busy machine starts Python
    # slowly): what Python does then is not the program's to say
    late = [job for job, (status, _) in RESULTS
            if status in ('finished first', 'Python was starting')]
    wrong = [(job, status, err[-300:]) for job, (status, err) in RESULTS
             if job not in late and (status, err) != (130,
                                                      f'{job[0]}: {LINE}')]
    assert not wrong, wrong
    assert len(late) < len(RESULTS) / 2  # most landed in the window
