"""Optional quota enforcement (``--quotas``): per-API rates and the push-to-all limits.

Time is the emulator's service clock, so a frozen clock makes throttling deterministic: two
push-to-all calls at the same frozen instant are always less than a second apart.
Refusals are HTTP 429 ``Throttling.User`` with an ``x-acs-retry-after`` hint (milliseconds).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping
from datetime import datetime, timedelta

from pushflow.emulator.errors import throttled
from pushflow.emulator.limits import (
    EMAS_ALL_PUSH_MAX_MESSAGES,
    EMAS_ALL_PUSH_MAX_NOTICES,
    EMAS_ALL_PUSH_MIN_INTERVAL,
    EMAS_ALL_PUSH_WINDOW,
    EMAS_RATE_PER_SECOND,
)

_SECOND = timedelta(seconds=1)


def _ms(delta: timedelta) -> int:
    return max(1, int(delta.total_seconds() * 1000))


class QuotaGate:
    """Counts calls and refuses those over a documented limit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rates: dict[tuple[str, str], deque[datetime]] = {}
        self._last_all: dict[tuple[str, str], datetime] = {}
        self._all_pushes: dict[str, deque[tuple[datetime, str]]] = {}

    def check_rate(self, account: str, action: str, now: datetime) -> None:
        """Per-account calls/second for the actions in :data:`EMAS_RATE_PER_SECOND`."""
        limit = EMAS_RATE_PER_SECOND.get(action)
        if limit is None:
            return
        with self._lock:
            window = self._rates.setdefault((account, action), deque())
            while window and now - window[0] >= _SECOND:
                window.popleft()
            if len(window) >= limit:
                raise throttled(
                    f"Request was denied due to user flow control: {action} allows {limit} "
                    "calls per second.",
                    _ms(_SECOND - (now - window[0])),
                )
            window.append(now)

    def check_push_all(self, app_key: str, device_type: str, push_type: str, now: datetime) -> None:
        """Push-to-all: 1 s apart per AppKey+DeviceType; 10 notices / 30 messages per 10 min."""
        with self._lock:
            last = self._last_all.get((app_key, device_type))
            if last is not None and now - last < EMAS_ALL_PUSH_MIN_INTERVAL:
                raise throttled(
                    "Request was denied due to user flow control: pushes to ALL of the same "
                    "DeviceType must be at least 1 second apart.",
                    _ms(EMAS_ALL_PUSH_MIN_INTERVAL - (now - last)),
                )
            history = self._all_pushes.setdefault(app_key, deque())
            while history and now - history[0][0] >= EMAS_ALL_PUSH_WINDOW:
                history.popleft()
            limits: Mapping[str, int] = {
                "NOTICE": EMAS_ALL_PUSH_MAX_NOTICES,
                "MESSAGE": EMAS_ALL_PUSH_MAX_MESSAGES,
            }
            limit = limits.get(push_type)
            same = [t for t, kind in history if kind == push_type]
            if limit is not None and len(same) >= limit:
                raise throttled(
                    f"Request was denied due to user flow control: at most {limit} "
                    f"{push_type} pushes to ALL per 10 minutes.",
                    _ms(EMAS_ALL_PUSH_WINDOW - (now - same[0])),
                )
            self._last_all[(app_key, device_type)] = now
            history.append((now, push_type))

    def reset(self) -> None:
        with self._lock:
            self._rates.clear()
            self._last_all.clear()
            self._all_pushes.clear()
