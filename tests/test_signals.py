"""Ctrl-C and SIGTERM at any moment of the first seconds, the imports
included, end each runner (compare.sh, sweep.py, `python -m bench`) at
once with one line and 130 or 143, every time, with no process left
running (POSIX signals). A chapter script run directly is plain Python.

Each runner is started beside the suite, and sent one signal at a moment
that steps through the import window, past the first epoch line: one
moment for each in `make test`, every 50 ms in `make check`. The runs go in a few
at a time and are read last."""
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
# Every 50 ms from 0.1 s to 1 s, where torch, d2l and matplotlib import,
# each script with each signal; then every second to the first epoch line,
# one signal each. (Before some 30 ms, more on a busy machine, Python
# itself is starting and the program has set no handler: on Linux, /proc
# tells those runs apart, and they are not judged.)
DENSE = [round(0.1 + 0.05 * i, 2) for i in range(19)]
LATE = [1.25 + i for i in range(5)]
FEW = [0.3, 0.6, 1.0]
PROGRAMS = {'compare.sh': ['bash', 'compare.sh'],
            'sweep.py': [sys.executable, 'sweep.py', 'lr'],
            'python -m bench': [sys.executable, '-m', 'bench',
                                'linreg_scratch.py']}
EXPECTED = {signal.SIGINT: (130, 'interrupted (Ctrl-C)'),
            signal.SIGTERM: (143, 'terminated')}
RESULTS = []


def as_from_a_terminal():
    """Ctrl-C and SIGTERM as a program started from a terminal has them,
    even where this suite runs as a background job, which ignores Ctrl-C
    (and so would its children: the nohup rule, tests/test_faults.py)."""
    for sig in EXPECTED:
        signal.signal(sig, signal.SIG_DFL)


def handled(pid):
    """Whether the program has set its handlers (Python itself has none
    for SIGTERM), as Linux's /proc tells; True where nothing tells."""
    try:
        with open(f'/proc/{pid}/status') as status:
            caught = next(line for line in status
                          if line.startswith('SigCgt:'))
    except (OSError, StopIteration):
        return True
    return bool(int(caught.split()[1], 16) >> (signal.SIGTERM - 1) & 1)


def one(program, sig, moment):
    """Start `program`, send `sig` at `moment` s; (status, stderr, out)."""
    process = subprocess.Popen(
        PROGRAMS[program], cwd=ROOT, env=dict(ENV, PYTHON=sys.executable), text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True, preexec_fn=as_from_a_terminal)
    time.sleep(moment)
    if process.poll() is not None:  # it finished before the moment came
        return 'finished first', '', ''
    starting = not handled(process.pid)
    process.send_signal(sig)
    try:
        out, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:  # the signal was swallowed
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        return 'still running', err, out
    # No process of the run's group is left behind (a helper that an
    # import started, ldconfig say, may take a moment to end by itself)
    for _ in range(50):
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return ('Python was starting' if starting
                    else process.returncode), err, out
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)
    return 'left a process running', err, out


def jobs(full):
    """(program, signal, moment): every program with both signals at
    every moment, or a few of each."""
    if full:
        return [(program, sig, moment) for moment in DENSE + LATE
                for program in PROGRAMS for sig in EXPECTED]
    return [(program, list(EXPECTED)[k % 2], FEW[k])
            for k, program in enumerate(PROGRAMS)]


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


def test_every_signal_ends_the_run_in_one_line():
    for thread in THREADS:
        thread.join(timeout=900)
    assert JOBS
    assert len(RESULTS) == len(JOBS)
    # A run that had printed its last line is done: a signal while Python
    # tears down (its handlers are reset then) ends it as the shell counts
    # 130 and 143, but with no line of ours
    late = [job for job, (status, _, out) in RESULTS
            if status == 'finished first' or status == -job[1]]
    # Sent before the program had set its handlers (a busy machine starts
    # Python slowly): what Python does then is not the program's to say
    starting = [job for job, (status, _, _) in RESULTS
                if status == 'Python was starting']
    late += starting
    wrong = [(job, status, err[-300:]) for job, (status, err, _) in RESULTS
             if job not in late and (status, err) != (
                 EXPECTED[job[1]][0], f'{job[0]}: {EXPECTED[job[1]][1]}\n')]
    assert not wrong, wrong
    assert len(late) < len(RESULTS) / 2  # most signals landed in the window
    if commands.FULL:  # so that the window is still exercised
        assert len(starting) <= len(RESULTS) / 4


@pytest.mark.parametrize('sig', list(EXPECTED))
def test_a_signal_inside_a_finalizer_still_ends_the_run(sig):
    """compare.sh and sweep.py raise a signal as an exception, so that they
    keep what they finished; raised inside a finalizer (here a `__del__`;
    weakrefs' callbacks while Python tears down), Python would print it
    and go on. It ends the run in one line instead."""
    code = ('import os, signal, time\n'
            'from bench import faults\n'
            'faults.raise_on_signals("compare.sh")\n'
            'class Finalized:\n'
            '    def __del__(self):\n'
            f'        os.kill(os.getpid(), {int(sig)})\n'
            '        time.sleep(0.1)\n'
            'Finalized()\n'
            'print("went on")\n')
    done = subprocess.run([sys.executable, '-c', code], cwd=ROOT, env=ENV,
                          capture_output=True, text=True, timeout=60,
                          preexec_fn=as_from_a_terminal)
    status, line = EXPECTED[sig]
    assert (done.returncode, done.stderr, done.stdout) == (
        status, f'compare.sh: {line}\n', '')
