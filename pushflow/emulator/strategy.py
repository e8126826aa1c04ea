"""mPaaS push strategies: validation of ``StrategyType``/``StrategyContent`` and their occurrences.

Rules from mpaas-server-api.zh.txt (strategyDetail 字段说明 and 说明), answered with 3028
INVALID_PARAM: ``fixedTime`` required for type 1 (and not in the past); ``startTime``,
``endTime``, ``circleType`` and ``time`` required for type 2, ``circleValue`` too unless daily;
the loop runs from the start day's 0:00 to the end day's 24:00; neither day may be before today,
the end not before the start, nor more than 180 days after today. Days are counted in the
service's time zone (``EmulatorConfig.service_timezone``, Asia/Shanghai by default).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pushflow.emulator.clock import from_millis
from pushflow.emulator.errors import MpaasError
from pushflow.emulator.limits import MPAAS_LOOP_END_MAX_DAYS

_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d):([0-5]\d)$")


@dataclass(frozen=True)
class Strategy:
    """A validated strategy: type 0 (now), 1 (fixed time) or 2 (loop) and its push instants."""

    type: int
    occurrences: tuple[datetime, ...] = ()


def _bad(detail: str) -> MpaasError:
    return MpaasError(3028, detail)


def _millis(content: dict[str, Any], name: str) -> int:
    value = content.get(name)
    if isinstance(value, bool) or value is None:
        raise _bad(f"StrategyContent.{name} is required")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _bad(f"StrategyContent.{name} must be a millisecond timestamp") from None


def parse(strategy_type: int | None, raw_content: str, now: datetime, tz: ZoneInfo) -> Strategy:
    """Validate a strategy; raise :class:`MpaasError` 3028 naming the broken rule."""
    kind = 0 if strategy_type is None else strategy_type
    if kind == 0:
        return Strategy(0)
    if kind not in (1, 2):
        raise _bad(f"StrategyType must be 0, 1 or 2, got {kind}")
    if not raw_content:
        raise _bad("StrategyContent is required when StrategyType is not 0")
    try:
        content = json.loads(raw_content)
    except ValueError:
        raise _bad("StrategyContent is not valid JSON") from None
    if not isinstance(content, dict):
        raise _bad("StrategyContent must be a JSON object")
    if kind == 1:
        at = from_millis(_millis(content, "fixedTime"))
        if at <= now:
            raise _bad("StrategyContent.fixedTime must be in the future")
        return Strategy(1, (at,))
    return Strategy(2, tuple(_loop(content, now, tz)))


def _loop(content: dict[str, Any], now: datetime, tz: ZoneInfo) -> list[datetime]:
    today = now.astimezone(tz).date()
    start = from_millis(_millis(content, "startTime")).astimezone(tz).date()
    end = from_millis(_millis(content, "endTime")).astimezone(tz).date()
    if start < today:
        raise _bad("StrategyContent.startTime must not be before today 0:00")
    if end < start:
        raise _bad("StrategyContent.endTime must not be before startTime")
    if end > today + timedelta(days=MPAAS_LOOP_END_MAX_DAYS):
        raise _bad(
            f"StrategyContent.endTime must be within {MPAAS_LOOP_END_MAX_DAYS} days of today"
        )
    circle_type = content.get("circleType")
    if circle_type not in (1, 2, 3):
        raise _bad("StrategyContent.circleType must be 1 (daily), 2 (weekly) or 3 (monthly)")
    at_time = _clock_time(content.get("time"))
    days = _days(circle_type, content.get("circleValue"))
    result = []
    day = start
    while day <= end:
        if days is None or (day.isoweekday() if circle_type == 2 else day.day) in days:
            instant = datetime.combine(day, at_time, tz)
            if instant > now:
                result.append(instant)
        day += timedelta(days=1)
    if not result:
        raise _bad("the loop has no push time left between startTime and endTime")
    return result


def _clock_time(value: Any) -> time:
    match = _TIME.match(value) if isinstance(value, str) else None
    if not match:
        raise _bad("StrategyContent.time must be HH:mm:ss")
    return time(int(match.group(1)), int(match.group(2)), int(match.group(3)))


def _days(circle_type: int, value: Any) -> set[int] | None:
    if circle_type == 1:
        return None
    top = 7 if circle_type == 2 else 31
    if not isinstance(value, list) or not value:
        raise _bad("StrategyContent.circleValue is required for weekly and monthly loops")
    days: set[int] = set()
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int) or not 1 <= item <= top:
            raise _bad(f"StrategyContent.circleValue items must be 1..{top}")
        days.add(item)
    return days


def day_bounds(start_ms: int, end_ms: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """``[start day 0:00, end day 24:00)`` in ``tz`` for millisecond timestamps "精确到天"."""
    first: date = from_millis(start_ms).astimezone(tz).date()
    last: date = from_millis(end_ms).astimezone(tz).date()
    return (
        datetime.combine(first, time(0), tz),
        datetime.combine(last + timedelta(days=1), time(0), tz),
    )
