"""Ctrl-C and SIGTERM at any moment of the first seconds, the imports
included, end the program at once with one line and 130 or 143, every
time, with no process left running (POSIX signals).

Each script is started many times beside the suite, and sent one signal at
a moment that steps through the import window, up to the first epoch line;
the runs go in a few at a time and are read last."""
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from commands import ENV, ROOT

pytestmark = [pytest.mark.background, pytest.mark.skipif(
    os.name != 'posix', reason='POSIX signals')]
# From 0.35 s: before then Python is still importing `bench` itself, whose
# handler is not yet in place (issue 25 asks for 0.1 s: still open)
MOMENTS = [0.35 + 0.25 * i for i in range(23)]  # 0.35 s to 5.85 s
EXPECTED = {signal.SIGINT: (130, 'interrupted (Ctrl-C)'),
            signal.SIGTERM: (143, 'terminated')}
RESULTS = []


def one(script, sig, moment):
    """Start `script`, send `sig` at `moment` s; (status, stderr, out)."""
    process = subprocess.Popen(
        [sys.executable, script], cwd=ROOT, env=ENV, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True)
    time.sleep(moment)
    if process.poll() is None:
        process.send_signal(sig)
    try:
        out, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:  # the signal was swallowed
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        return 'still running', err, out
    return process.returncode, err, out


def start_all():
    jobs = [(script, sig, moment)
            for i, moment in enumerate(MOMENTS)
            for script, sig in (('linreg_scratch.py', (signal.SIGINT,
                                                       signal.SIGTERM)[i % 2]),
                                ('linreg_concise.py', (signal.SIGTERM,
                                                       signal.SIGINT)[i % 2]))]

    def work(part):
        for job in part:
            RESULTS.append((job, one(*job)))
    threads = [threading.Thread(target=work, args=(jobs[k::3],), daemon=True)
               for k in range(3)]
    for thread in threads:
        thread.start()
    return threads


THREADS = start_all() if os.name == 'posix' else []


def test_every_signal_ends_the_run_in_one_line():
    for thread in THREADS:
        thread.join(timeout=900)
    assert len(RESULTS) == 2 * len(MOMENTS)
    late = 0
    for (script, sig, moment), (status, err, out) in RESULTS:
        if status == 0:  # it finished before the moment came
            late += 1
            continue
        code, line = EXPECTED[sig]
        assert (status, err) == (code, f'{script}: {line}\n'), (
            script, sig, moment, status, err[-2000:])
    assert late < len(RESULTS) / 2  # most signals landed in the window
