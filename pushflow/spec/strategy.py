"""When a campaign is sent: ``now``, ``at`` a date-time, or a ``loop`` (daily, weekly on
weekdays, monthly on days) at a wall-clock time in a time zone between two dates.

``execute`` says who keeps the clock: ``local`` (the pushflow daemon fires each occurrence) or
``server`` (mPaaS scheduled/loop tasks, strategyType 1/2; EMAS PushTime). The spec keeps human
values (``"08:00"``, ``[mon, fri]``, dates); turning them into occurrences and API values is the
timing and compile stages' job.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import AfterValidator, Discriminator, Field, Tag, WithJsonSchema

from pushflow.spec.base import RuleContext, SpecModel, Violation
from pushflow.spec.units import WEEKDAYS, Clock, Weekday


@cache
def _zones() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


def zone_hint(name: str) -> str:
    """``"; did you mean Europe/Berlin?"`` for a zone name that is not one, or ``""``: the zone
    spelt in another case, else the zones ending with ``name`` (``Shanghai``), else the closest
    spelling (``Europe/Berln``)."""
    lower = name.lower()
    close = [z for z in _zones() if z.lower() == lower]
    close = close or [z for z in _zones() if z.lower().endswith(lower)][:3]
    close = close or difflib.get_close_matches(name, _zones(), n=1, cutoff=0.8)
    return f"; did you mean {', '.join(close)}?" if close else ""


def zone_problem(name: str) -> str | None:
    """Why ``name`` is not an IANA time zone (with a hint), or None when it is one."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"unknown IANA time zone {name!r}{zone_hint(name)}"
    return None


def _check_zone(name: str) -> str:
    problem = zone_problem(name)
    if problem is not None:
        raise ValueError(problem)
    return name


TimeZone = Annotated[
    str,
    AfterValidator(_check_zone),
    WithJsonSchema(
        {"type": "string", "description": "An IANA time zone", "examples": ["Asia/Shanghai"]}
    ),
]

Execute = Literal["local", "server"]
LOCAL_TIME_DESCRIPTION = (
    "Local-time delivery: send at this wall-clock time in each target's own time zone (the "
    "audience source's `timezone_column`; the campaign's `timezone` for rows that leave it "
    "empty), one occurrence per zone. Needs a list audience with `timezone_column`, an `at` "
    "without a UTC offset, and `execute: local` (the default with local_time)."
)
EXECUTE_DESCRIPTION = (
    "Who fires the occurrences: local (the pushflow daemon) or server (mPaaS scheduled and loop "
    "tasks; EMAS PushTime, at most 7 days ahead). Default: server for mPaaS, local for EMAS."
)


class AtStrategy(SpecModel):
    """One send at a given date and time."""

    at: datetime = Field(
        description="Date and time: with an offset (2026-12-01T08:00:00+08:00) or without one "
        "(2026-12-01 08:00), then read in the campaign's time zone."
    )
    local_time: bool = Field(
        default=False,
        # Left out of the revision when unset, so campaigns written before the field existed
        # keep their revision digest.
        exclude_if=lambda value: not value,
        description=LOCAL_TIME_DESCRIPTION,
    )
    execute: Execute | None = Field(default=None, description=EXECUTE_DESCRIPTION)

    def violations(self, ctx: RuleContext) -> Iterator[Violation]:
        if self.local_time and self.at.tzinfo is not None:
            yield Violation(
                ("at",),
                "local-time-offset",
                "with local_time, `at` is a wall-clock time read in each target's zone: write "
                "it without a UTC offset (2026-12-01 09:00)",
            )


class LoopStrategy(SpecModel):
    """A send repeated every day, every week on some weekdays, or every month on some days."""

    every: Literal["day", "week", "month"] = Field(description="How often: day, week or month.")
    on: list[Weekday] | list[Annotated[int, Field(ge=1, le=31)]] | None = Field(
        default=None,
        description="week: weekdays [mon … sun]; month: days of the month [1 … 31] (a day a "
        "month lacks is skipped in that month). Not used with day.",
    )
    at: Clock = Field(description='Wall-clock time of each send, "HH:MM" or "HH:MM:SS".')
    from_: date = Field(
        alias="from", description="First day of the loop (inclusive, in the time zone)."
    )
    until: date | None = Field(
        default=None,
        description="Last day of the loop (inclusive). Required for server loops (at most 180 "
        "days after today); local loops may run open-ended.",
    )
    local_time: bool = Field(
        default=False,
        exclude_if=lambda value: not value,
        description=LOCAL_TIME_DESCRIPTION,
    )
    execute: Execute | None = Field(default=None, description=EXECUTE_DESCRIPTION)

    def violations(self, ctx: RuleContext) -> Iterator[Violation]:
        if self.every == "day" and self.on:
            yield Violation(("on",), "loop-days-daily", "a daily loop takes no `on`")
        if self.every != "day" and not self.on:
            yield Violation(
                ("every",),
                "loop-days-required",
                f"a {self.every}ly loop needs `on` ("
                + ("weekdays, e.g. [mon, fri]" if self.every == "week" else "days, e.g. [1, 15]")
                + ")",
            )
        if self.on:
            weekly = all(isinstance(day, str) for day in self.on)
            if self.every == "week" and not weekly:
                yield Violation(
                    ("on",), "loop-days-kind", f"weekly `on` takes weekdays: {', '.join(WEEKDAYS)}"
                )
            if self.every == "month" and weekly:
                yield Violation(("on",), "loop-days-kind", "monthly `on` takes days 1 … 31")
            if len(set(self.on)) != len(self.on):
                yield Violation(("on",), "loop-days-unique", "`on` lists a day twice")
        if self.until is not None and self.until < self.from_:
            yield Violation(
                ("until",),
                "loop-end-before-start",
                f"until {self.until} is before from {self.from_}",
            )


def _strategy_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return value if value == "now" else None
    if isinstance(value, dict):
        return "loop" if "every" in value else "at"
    if isinstance(value, LoopStrategy):
        return "loop"
    if isinstance(value, AtStrategy):
        return "at"
    return None


Strategy = Annotated[
    Annotated[Literal["now"], Tag("now")]
    | Annotated[AtStrategy, Tag("at")]
    | Annotated[LoopStrategy, Tag("loop")],
    Discriminator(
        _strategy_kind,
        custom_error_type="strategy",
        custom_error_message="expected `now`, a mapping with `at`, or a loop with `every`",
    ),
]
