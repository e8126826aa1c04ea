"""Human units users write in YAML, parsed into Python values (never into API values: that is
compile's job).

- durations: ``30s``, ``90m``, ``6h``, ``3d``, ``1h30m``, or a bare integer of seconds;
- wall-clock times: ``"08:00"`` or ``"08:00:30"``;
- weekdays: ``mon`` … ``sun``.
"""

from __future__ import annotations

import re
from datetime import time, timedelta
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

_DURATION = re.compile(r"^(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?$")
DURATION_PATTERN = r"^(?=\d)(\d+d)?(\d+h)?(\d+m)?(\d+s)?$"
_CLOCK = re.compile(r"^(?P<h>[01]\d|2[0-3]):(?P<m>[0-5]\d)(?::(?P<s>[0-5]\d))?$")
CLOCK_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"


def parse_duration(value: Any) -> timedelta:
    """``"1h30m"`` → 1:30:00. Integers are seconds. Zero and negative durations are refused."""
    if isinstance(value, timedelta):
        result = value
    elif isinstance(value, bool):
        raise ValueError("expected a duration such as 30s, 90m, 6h or 3d, got a boolean")
    elif isinstance(value, int):
        result = timedelta(seconds=value)
    elif isinstance(value, str) and (match := _DURATION.match(value.strip())) and value.strip():
        parts = {k: int(v) for k, v in match.groupdict().items() if v is not None}
        result = timedelta(
            days=parts.get("d", 0),
            hours=parts.get("h", 0),
            minutes=parts.get("m", 0),
            seconds=parts.get("s", 0),
        )
    else:
        raise ValueError(f"expected a duration such as 30s, 90m, 6h, 3d or 1h30m, got {value!r}")
    if result <= timedelta(0):
        raise ValueError("a duration must be longer than zero")
    return result


def format_duration(value: timedelta) -> str:
    """The shortest human spelling of a duration: 5400 s → ``1h30m``."""
    seconds = int(value.total_seconds())
    out = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            out.append(f"{count}{unit}")
    return "".join(out) or "0s"


def parse_clock(value: Any) -> time:
    """``"08:00"`` → 08:00:00. Only 24-hour ``HH:MM`` or ``HH:MM:SS``."""
    if isinstance(value, time):
        return value
    if isinstance(value, str) and (match := _CLOCK.match(value.strip())):
        return time(int(match["h"]), int(match["m"]), int(match["s"] or 0))
    raise ValueError(f'expected a wall-clock time "HH:MM" or "HH:MM:SS" (24-hour), got {value!r}')


Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": DURATION_PATTERN},
                {"type": "integer", "minimum": 1},
            ],
            "examples": ["30s", "90m", "6h", "3d"],
        }
    ),
]

Clock = Annotated[
    time,
    BeforeValidator(parse_clock),
    PlainSerializer(lambda t: t.strftime("%H:%M:%S"), return_type=str),
    WithJsonSchema({"type": "string", "pattern": CLOCK_PATTERN, "examples": ["08:00"]}),
]

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
