"""When a campaign is sent: ``now``, ``at`` a date-time, or a ``loop`` (daily, weekly on
weekdays, monthly on days) at a wall-clock time in a time zone between two dates.

``execute`` says who keeps the clock: ``local`` (the pushflow daemon fires each occurrence) or
``server`` (mPaaS scheduled/loop tasks, strategyType 1/2; EMAS PushTime). The spec keeps human
values (``"08:00"``, ``[mon, fri]``, dates); turning them into occurrences and API values is the
timing and compile stages' job.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import AfterValidator, Discriminator, Field, Tag, WithJsonSchema

from pushflow.spec.base import RuleContext, SpecModel, Violation
from pushflow.spec.units import WEEKDAYS, Clock, Weekday


def _check_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        close = sorted(z for z in available_timezones() if z.lower().endswith(name.lower()))[:3]
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise ValueError(f"unknown IANA time zone {name!r}{hint}") from exc
    return name


TimeZone = Annotated[
    str,
    AfterValidator(_check_zone),
    WithJsonSchema(
        {"type": "string", "description": "An IANA time zone", "examples": ["Asia/Shanghai"]}
    ),
]

Execute = Literal["local", "server"]
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
    execute: Execute | None = Field(default=None, description=EXECUTE_DESCRIPTION)


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
