"""The emulator's settings: keys, storage, strictness, latency, faults, quotas.

The default AccessKey pair, used when none is given, is public and documented in
``docs/emulator.md``: id ``pushflow-emulator-key``, secret ``pushflow-emulator-secret``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

DEFAULT_ACCESS_KEY_ID = "pushflow-emulator-key"
DEFAULT_ACCESS_KEY_SECRET = "pushflow-emulator-secret"


@dataclass(frozen=True)
class FaultSpec:
    """Shares of calls answered with a fault (each 0..1; they add up to at most 1).

    ``error``: HTTP 500 ``InternalError``; ``throttle``: HTTP 429 ``Throttling.User``;
    ``timeout``: the answer is held ``timeout_seconds`` (past the SDK's 10 s read timeout by
    default) and then given as a 500 ``Timeout``, nothing done; ``late``: the request is acted
    on (the push is made) and its answer held ``timeout_seconds`` before it is given, so a
    client with a shorter read timeout gives up on a call that was made. ``actions`` limits
    faults to those actions.
    """

    error: float = 0.0
    throttle: float = 0.0
    timeout: float = 0.0
    timeout_seconds: float = 15.0
    actions: frozenset[str] | None = None
    late: float = 0.0

    def __post_init__(self) -> None:
        shares = (self.error, self.throttle, self.timeout, self.late)
        if any(s < 0 or s > 1 for s in shares) or sum(shares) > 1 + 1e-9:
            raise ValueError("fault shares must each be in 0..1 and add up to at most 1")
        if self.timeout_seconds < 0:
            raise ValueError("timeout_seconds must not be negative")

    @property
    def active(self) -> bool:
        return self.error + self.throttle + self.timeout + self.late > 0

    @classmethod
    def parse(cls, text: str) -> FaultSpec:
        """Parse ``error=0.1,throttle=0.05,timeout=0.01,late=0.01,timeout_seconds=12,actions=A``
        (``actions=A|B`` for several)."""
        values: dict[str, Any] = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            name, sep, value = part.partition("=")
            if not sep:
                raise ValueError(f"fault {part!r} is not NAME=VALUE")
            values[name.strip()] = value.strip()
        return cls.from_mapping(values)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> FaultSpec:
        known = {"error", "throttle", "timeout", "late", "timeout_seconds", "actions"}
        unknown = set(values) - known - {"seed"}
        if unknown:
            raise ValueError(f"unknown fault setting(s): {', '.join(sorted(unknown))}")
        actions = values.get("actions")
        if isinstance(actions, str):
            actions = [a for a in actions.split("|") if a]
        return cls(
            error=float(values.get("error", 0.0)),
            throttle=float(values.get("throttle", 0.0)),
            timeout=float(values.get("timeout", 0.0)),
            timeout_seconds=float(values.get("timeout_seconds", 15.0)),
            actions=frozenset(actions) if actions else None,
            late=float(values.get("late", 0.0)),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "error": self.error,
            "throttle": self.throttle,
            "timeout": self.timeout,
            "late": self.late,
            "timeout_seconds": self.timeout_seconds,
            "actions": sorted(self.actions) if self.actions else None,
        }


_LATENCY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:(?:±|\+-|\+/-)\s*(\d+(?:\.\d+)?))?\s*$")


def parse_latency(text: str) -> tuple[float, float]:
    """Parse ``MS[±JITTER]`` (``+-`` and ``+/-`` also accepted) into milliseconds."""
    match = _LATENCY.match(text)
    if not match:
        raise ValueError(f"latency {text!r} is not MS[±JITTER]")
    return float(match.group(1)), float(match.group(2) or 0.0)


@dataclass
class EmulatorConfig:
    """Everything :func:`pushflow.emulator.create_app` needs."""

    access_keys: dict[str, str] = field(
        default_factory=lambda: {DEFAULT_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_SECRET}
    )
    db_path: str | Path | None = None
    templates_file: str | Path | None = None
    strict_msgkeys: bool = False
    quotas: bool = False
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    faults: FaultSpec | str | None = None
    seed: int = 0
    frozen_at: datetime | None = None
    broadcast_audience: int = 100
    service_timezone: str = "Asia/Shanghai"

    def fault_spec(self) -> FaultSpec:
        if self.faults is None:
            return FaultSpec()
        if isinstance(self.faults, str):
            return FaultSpec.parse(self.faults)
        return self.faults
