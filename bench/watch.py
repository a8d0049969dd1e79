"""One run of a script, watched in its own process: each `backward()` (loss,
parameters, batch rows), Timer, seeds, flags, output; a timed run: a clock."""
import argparse
import builtins
import io
import sys
import time
from pathlib import Path

import torch

from bench import contract
from bench.data import flat, graph, matched
from bench.faults import Failed, Refused
from bench.text import _


class Scouted(BaseException):
    """Ends an unseeded run at its first step: (where its data were drawn,)."""


class Lines(io.StringIO):
    """A stdout or stderr that keeps each line with the steps before it."""

    def __init__(self, watch):
        super().__init__()
        self.watch = watch
        self.lines = []  # (each line, the steps before its end)
        self.rest = ''  # of a line not yet ended

    def reconfigure(self, **settings):
        """As a script may set up its stdout: nothing to set up here."""

    def write(self, text):
        *ended, self.rest = (self.rest + text).split('\n')
        self.lines += [(line, len(self.watch.seconds)) for line in ended]
        return super().write(text)


class Watch:
    """What a run did, read from outside; `timed`: only the clock."""

    def __init__(self, path, timed=False, scout=False, half=False):
        self.path = path
        self.timed = timed
        self.scout = scout
        self.half = half  # --equivalence: half the loss in each backward()
        self.file = Path(path).name
        self.seconds = []  # the clock at each backward()
        self.losses = []
        self.params = []  # before each step
        self.rows = []  # each batch's rows in the data
        self.seeds = []  # (seed, steps before it)
        self.timers = []  # (start or stop, line, by Timer(), steps, ids)
        self.traced = []  # before the first step: (frame, depth, line, ids)
        self.leaves = self.data = self.parsed = None
        self.out = Lines(self)
        self.err = Lines(self)
        self.restore = []
        self.watched = set()  # the Timer classes

    def patch(self, owner, name, new):
        """Set `owner.name` to `new` for the run."""
        self.restore.append((owner, name, getattr(owner, name)))
        setattr(owner, name, new)

    def end(self):
        """Put back what the run patched, last first."""
        sys.settrace(None)
        for owner, name, old in reversed(self.restore):
            setattr(owner, name, old)
        self.restore = []

    def frames(self):
        """The script's own frames that run now, innermost first."""
        frame = sys._getframe(1)
        found = []
        while frame is not None:
            if frame.f_code.co_filename == self.path:
                found.append(frame)
            frame = frame.f_back
        return found

    def spaces(self):
        """The namespaces of the script's frames, innermost first."""
        found = []
        for frame in self.frames():
            found += [frame.f_locals, frame.f_globals]
        return found

    def trace(self, frame, event, arg):
        """Before the first step, what each line of the script's sees."""
        if frame.f_code.co_filename != self.path:
            return None
        if event == 'line':
            depth = len(self.frames())
            values = list(frame.f_locals.values())  # kept: ids stay theirs
            self.traced.append((frame, depth, frame.f_lineno, values))
        return self.trace

    def hook(self):
        """Watch `backward()`, seeds, parsed flags and output for the run."""
        if self.scout:
            sys.settrace(self.trace)
        backward = torch.Tensor.backward
        seed = torch.manual_seed
        parse = argparse.ArgumentParser.parse_known_args

        def watched(tensor, *args, **kwargs):
            self.seconds.append(time.perf_counter())
            if self.half:  # d2l's Trainer runs backward() under no_grad()
                with torch.enable_grad():
                    tensor = tensor / 2
            if not self.timed and tensor.numel() == 1:
                self.step(tensor)
            return backward(tensor, *args, **kwargs)

        def seeding(value):
            self.seeds.append((int(value), len(self.seconds)))
            return seed(value)

        def parsing(parser, args=None, namespace=None):
            parser.error = refuse
            parsed = parse(parser, args, namespace)
            contract.check_args(parsed[0])
            self.parsed = parsed[0], args
            return parsed
        self.patch(torch.Tensor, 'backward', watched)
        self.patch(torch, 'manual_seed', seeding)
        self.patch(torch.random, 'manual_seed', seeding)
        self.patch(argparse.ArgumentParser, 'parse_known_args', parsing)
        self.patch(sys, 'stdout', self.out)
        self.patch(sys, 'stderr', self.err)

    def step(self, loss):
        """A step begins: its loss, parameters (the bias last), batch rows."""
        leaves, saved = graph(loss)
        self.leaves = sorted(leaves, key=lambda p: p.shape in ((), (1,)))
        if self.data is None:
            self.find_data(saved)
        self.losses.append(loss.item())
        self.params.append(flat(self.leaves))
        batches = [self.data.rows(tensor) for tensor in saved]
        self.rows.append(next(filter(None, batches), None))

    def find_data(self, saved):
        """The data the first batch came from, and what they tell."""
        sys.settrace(None)
        for frame in self.frames():
            frame.f_trace = None
        spaces = self.spaces()
        for features, labels in contract.data(spaces):
            self.data = matched(features, labels, saved)
            if self.data:
                break
        if not self.data:
            raise Failed(_("{0}: no tensor it holds has its first batch's "
                           'rows: the runners read the data there',
                           self.file))
        base = getattr(features, '_base', None)
        base = features if base is None else base
        values = contract.objects(spaces)
        holders = [value for value in values if contract.holds(value, base)]
        self.data.held = {id(base), *map(id, holders)}
        self.data.true = contract.true_line(spaces, holders)
        if self.scout and not self.seeds:
            raise Scouted(drawn_at(self.traced, self.data.held))

    def timer(self, cls):
        """Watch the Timer class `cls`: each start() and stop()."""
        if cls not in self.watched:
            self.watched.add(cls)
            self.patch(cls, 'start', self.timing(cls.start, 'start'))
            self.patch(cls, 'stop', self.timing(cls.stop, 'stop'))

    def timing(self, method, kind):
        def timed(timer, *args, **kwargs):
            by_init = sys._getframe(1).f_code.co_name == '__init__'
            ids = set(map(id, contract.objects(self.spaces())))
            line = self.frames()[0].f_lineno
            while kind == 'start' and self.timers and self.timers[-1][2]:
                self.timers.pop()  # Timer() started it, and it starts again
            self.timers.append((kind, line, by_init, len(self.seconds), ids))
            return method(timer, *args, **kwargs)
        return timed

    def builtins(self, seed_all):
        """The script's builtins: a Timer watched, no keyboard, a seed."""
        def import_(name, *args, **kwargs):
            module = builtins.__import__(name, *args, **kwargs)
            for cls in contract.timers(module):
                self.timer(cls)
            return module

        def build_class(*args, **kwargs):
            made = builtins.__build_class__(*args, **kwargs)
            for cls in contract.timers(made):
                self.timer(cls)
            return made

        def no_input(prompt=''):
            line = self.frames()[0].f_lineno
            raise Failed(_('{0}:{1}: input() waits for the keyboard, '
                           'which a runner does not give a script',
                           self.file, line))
        found = dict(vars(builtins), __import__=import_, input=no_input)
        found.update(__build_class__=build_class, runner_seed=seed_all)
        return found


def drawn_at(traced, held):
    """The line after which the outermost frame first held the data."""
    holding = []  # (depth, k) of each line whose frame held the data
    for k, (frame, depth, line, values) in enumerate(traced):
        if held.intersection(map(id, values)):
            holding.append((depth, k))
    if not holding:
        return None
    depth, first = min(holding)  # the outermost frame's first
    outer = traced[first][0]
    before = [line for frame, _, line, _ in traced[:first] if frame is outer]
    return before[-1] if before else None


def refuse(message):
    """A bad flag of the script's, in one line."""
    raise Refused(message)
