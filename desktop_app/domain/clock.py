"""Hybrid logical clock.

A timestamp is the string ``"{ms:015d}.{counter:05d}.{device}"``: comparing two strings
orders them by physical time, then logical counter, then device id, which gives every
replica the same deterministic winner for concurrent writes.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable

COUNTER_MAX = 99_999


@dataclass(frozen=True, order=True)
class Timestamp:
    ms: int
    counter: int
    device: str

    def __str__(self) -> str:
        return f"{self.ms:015d}.{self.counter:05d}.{self.device}"

    @classmethod
    def parse(cls, text: str) -> "Timestamp":
        ms, counter, device = text.split(".", 2)
        return cls(int(ms), int(counter), device)


class HybridClock:
    def __init__(self, device: str, last: str | None = None,
                 wall: Callable[[], int] | None = None):
        self.device = device
        self._wall = wall or (lambda: time.time_ns() // 1_000_000)
        if last:
            ts = Timestamp.parse(last)
            self._ms, self._counter = ts.ms, ts.counter
        else:
            self._ms, self._counter = 0, 0

    def now(self) -> str:
        """A new timestamp for a local event, later than anything seen so far."""
        return self.now_many(1)[0]

    def now_many(self, count: int) -> list[str]:
        """``count`` new timestamps, each later than the one before (one reading of the
        wall clock: a batch of writes made together). The counter keeps to its five
        digits: past 99999 the clock moves on to the next millisecond."""
        wall = self._wall()
        ms, counter = self._ms, self._counter
        if wall > ms:
            ms, counter = wall, -1
        device = self.device
        out = []
        for _ in range(count):
            counter += 1
            if counter > COUNTER_MAX:
                ms, counter = ms + 1, 0
            out.append(f"{ms:015d}.{counter:05d}.{device}")
        self._ms, self._counter = ms, counter
        return out

    def observe(self, remote: str) -> None:
        """Advance past a timestamp received from another device."""
        ts = Timestamp.parse(remote)
        if (ts.ms, ts.counter) > (self._ms, self._counter):
            self._ms, self._counter = ts.ms, ts.counter

    @property
    def last(self) -> str:
        return str(Timestamp(self._ms, self._counter, self.device))
