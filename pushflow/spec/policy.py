"""The ``policy:`` section of ``pushflow.yaml``: rules every plan must pass (docs/policy.md).

The spec holds the rules as a user writes them; :mod:`pushflow.plan.policy` evaluates them
against a plan, and a broken rule fails ``pushflow plan`` and ``pushflow apply`` with its name
(``policy.quiet-hours`` …). The rules checked here are only about the section itself: a window
that is empty, a freeze window that ends before it starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, StringConstraints

from pushflow.spec.base import RuleContext, SpecModel, Violation
from pushflow.spec.strategy import TimeZone
from pushflow.spec.units import Clock, Duration

#: The vivo push service runs on China Standard Time: its window is read there by default.
VIVO_ZONE = "Asia/Shanghai"

CampaignRef = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")]


class DailyWindow(SpecModel):
    """A wall-clock window repeated every day, ``from`` (inclusive) to ``to`` (exclusive); it
    crosses midnight when ``to`` is earlier than ``from`` (22:00 → 08:00)."""

    from_: Clock = Field(alias="from", description='Start, "HH:MM" (inclusive).')
    to: Clock = Field(description='End, "HH:MM" (exclusive); before `from` crosses midnight.')

    def violations(self, ctx: RuleContext) -> Iterator[Violation]:
        if self.from_ == self.to:
            yield Violation(
                ("to",),
                "policy-window-empty",
                f"`from` and `to` are both {self.to.strftime('%H:%M')}: the window is empty; "
                "a window covering the whole day is no rule at all",
            )


class QuietHours(DailyWindow):
    """Hours of the day in which nothing may be sent."""

    timezone: TimeZone | None = Field(
        default=None,
        description="Read the hours in this IANA zone for every send. Default: the targets' "
        "own zone when the audience has one, else the campaign's time zone (UTC without one).",
    )


class FrequencyCap(SpecModel):
    """At most ``max`` sends to one target within any ``per``, across all campaigns."""

    max: int = Field(ge=1, description="Sends one target may receive within `per`.")
    per: Duration = Field(description="The rolling window, e.g. 1d, 12h, 7d.")
    unlisted: Literal["allow", "refuse"] = Field(
        default="allow",
        description="Campaigns whose audience the service expands (tag, all, broadcast) cannot be "
        "counted: allow sends them uncounted (the plan says so), refuse fails them.",
    )


class FreezeWindow(SpecModel):
    """A period in which no occurrence may be sent or scheduled, except by the campaigns it
    allows."""

    from_: datetime = Field(
        alias="from",
        description="Start (inclusive): a date-time with an offset, or without one read in "
        "`timezone`.",
    )
    to: datetime = Field(description="End (exclusive), written like `from`.")
    timezone: TimeZone | None = Field(
        default=None, description="IANA zone for `from` and `to` without an offset."
    )
    reason: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        description="Why, shown in every refusal (e.g. year-end change freeze)."
    )
    allow: list[CampaignRef] = Field(
        default_factory=list, description="Campaigns that may still send during the window."
    )

    def violations(self, ctx: RuleContext) -> Iterator[Violation]:
        for key in ("from_", "to"):
            value: datetime = getattr(self, key)
            if value.tzinfo is None and self.timezone is None:
                yield Violation(
                    (key.rstrip("_"),),
                    "policy-freeze-timezone",
                    "no UTC offset and no `timezone`: add one (…T00:00:00+08:00) or set "
                    "`timezone` on the window",
                )
                return
        if self.start() >= self.end():
            yield Violation(
                ("to",),
                "policy-freeze-order",
                f"`to` {self.to.isoformat(sep=' ')} is not after `from` "
                f"{self.from_.isoformat(sep=' ')}",
            )

    def start(self) -> datetime:
        return _aware(self.from_, self.timezone)

    def end(self) -> datetime:
        return _aware(self.to, self.timezone)


def _aware(value: datetime, zone: str | None) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=ZoneInfo(zone or "UTC"))


class VendorWindow(DailyWindow):
    """The daily window in which a vendor channel accepts a class of messages."""

    timezone: TimeZone = Field(
        default=VIVO_ZONE,
        description="IANA zone of the vendor's clock. Default: Asia/Shanghai (China Standard "
        "Time, the vendors' own).",
    )


class VivoWindows(SpecModel):
    """vivo's windows, by message class (vivo classifies messages as operational 运营消息 or
    system 系统消息)."""

    operational: VendorWindow | None = Field(
        default=None,
        description='When vivo accepts operational messages, e.g. {from: "07:00", to: "23:00"} '
        "(vivo's published window); system messages are not restricted.",
    )


class VendorWindows(SpecModel):
    """Daily windows imposed by vendor channels, per vendor."""

    vivo: VivoWindows | None = Field(default=None, description="vivo push (Android).")


class Policy(SpecModel):
    """Rules every plan must pass; a violation fails `pushflow plan` and `pushflow apply` with the
    rule's name (docs/policy.md)."""

    quiet_hours: QuietHours | None = Field(
        default=None,
        description="policy.quiet-hours: hours in which nothing is sent, e.g. "
        '{from: "22:00", to: "08:00"}.',
    )
    frequency_cap: FrequencyCap | None = Field(
        default=None,
        description="policy.frequency-cap: sends per target within a rolling window, across "
        "campaigns and the state's history.",
    )
    max_audience: int | None = Field(
        default=None,
        gt=0,
        description="policy.max-audience: targets a campaign may reach without "
        "`confirm_large: true` (campaigns the service expands always need it).",
    )
    freeze_windows: list[FreezeWindow] = Field(
        default_factory=list,
        description="policy.freeze-window: periods in which nothing is sent or scheduled.",
    )
    vendor_windows: VendorWindows | None = Field(
        default=None,
        description="policy.vendor-window: daily windows of vendor channels, e.g. vivo "
        'operational messages {from: "07:00", to: "23:00"}.',
    )

    @property
    def empty(self) -> bool:
        return self == Policy()
