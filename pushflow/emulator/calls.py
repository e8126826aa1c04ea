"""The call log: every request the emulator answered, for tests and the control API."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Call:
    """One answered request (or one scheduled push the clock fired: ``source='scheduler'``)."""

    seq: int
    time: str
    service: str
    action: str
    params: dict[str, str]
    status: int
    code: str
    request_id: str
    app: str = ""
    access_key_id: str = ""
    duplicate: bool = False
    fault: str | None = None
    source: str = "api"
    result: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class CallLog:
    """Append-only (until cleared) list of :class:`Call`."""

    def __init__(self) -> None:
        self._calls: list[Call] = []
        self._lock = threading.Lock()

    def append(self, call: Call) -> None:
        with self._lock:
            self._calls.append(call)

    def next_seq(self) -> int:
        with self._lock:
            return len(self._calls) + 1 if not self._calls else self._calls[-1].seq + 1

    def clear(self) -> int:
        with self._lock:
            count = len(self._calls)
            self._calls.clear()
            return count

    def all(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def filter(self, criteria: Mapping[str, str]) -> list[Call]:
        """Calls matching every criterion.

        ``action``, ``service``, ``app``, ``code``, ``status``, ``source``, ``duplicate``
        (``true``/``false``) match fields; any other key matches a request parameter exactly.
        """
        fields = {"action", "service", "app", "code", "status", "source", "duplicate", "fault"}
        result = []
        for call in self.all():
            ok = True
            for key, wanted in criteria.items():
                if key in fields:
                    value = getattr(call, key)
                    got = str(value).lower() if isinstance(value, bool) else str(value)
                    ok = got == (wanted.lower() if isinstance(value, bool) else wanted)
                else:
                    ok = call.params.get(key) == wanted
                if not ok:
                    break
            if ok:
                result.append(call)
        return result
