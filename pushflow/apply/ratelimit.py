"""Token buckets: at most ``rate`` calls per second per app and API.

Calls are spaced evenly, ``1 / rate`` apart, on a schedule (the generic cell rate algorithm, a
token bucket's exact equivalent): each call is due one interval after the previous call's due
time, not after the moment it woke up, so a sleep that overshoots (a busy event loop) is made up
by the next call and the achieved rate is the cap, not a little under it. A queue that ran dry
restarts from now: idle time is not saved up for a burst. ``burst`` > 1 lets that many calls go
back to back; the default, 1, never sends more than ``rate`` calls in any second, which is what a
service counting calls per second enforces.

The clock and the sleep are arguments, so tests drive them without real waiting.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class TokenBucket:
    """``rate`` calls a second, at most ``burst`` back to back; :meth:`acquire` waits for one."""

    def __init__(
        self,
        rate: float,
        burst: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.burst = max(1.0, burst if burst is not None else 1.0)
        self._interval = 1 / rate
        #: How far ahead of its due time a call may go: the room for a burst.
        self._tolerance = (self.burst - 1) * self._interval
        self._clock = clock
        self._sleep = sleep
        #: When the next call is due on the schedule.
        self._due = clock()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        """Take the next slot of the schedule, waiting for it (callers queue in order)."""
        async with self._lock:
            now = self._clock()
            start = max(now, self._due - self._tolerance)
            if start > now:
                await self._sleep(start - now)
            self._due = max(self._due, start) + self._interval

    def penalise(self, seconds: float) -> None:
        """The service said to slow down: no call for ``seconds``."""
        self._due = max(self._due, self._clock() + seconds + self._tolerance)
