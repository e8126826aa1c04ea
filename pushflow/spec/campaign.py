"""A campaign: one YAML document saying what to send, to whom, through which app, and when.

The provider (``mpaas`` or ``emas``) selects the shape of everything else, so the JSON Schema
offers editors exactly the fields that provider understands. Rules that relate sections (the
strategy to the provider, the API to the audience…) live here; each section's own rules live in
its module.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, RootModel, StringConstraints

from pushflow.spec.audience import AudienceSource, EmasAudience, MpaasAudience, MpaasBroadcast
from pushflow.spec.base import RuleContext, SpecModel, Violation
from pushflow.spec.channels_emas import EmasChannels
from pushflow.spec.channels_mpaas import (
    MPAAS_RESERVED_EXTENDED_PARAMS,
    MpaasChannels,
    extended_params_set,
)
from pushflow.spec.limits import (
    EMAS_CONTINUOUS_TARGETS,
    EMAS_PUSH_TIME_MAX_AHEAD,
    MPAAS_EXTENDED_PARAMS_MAX,
    MPAAS_LOOP_MAX_AHEAD,
)
from pushflow.spec.message import (
    EmasMessage,
    MpaasMessage,
    MpaasSimpleMessage,
    MpaasTemplateMessage,
)
from pushflow.spec.strategy import AtStrategy, Execute, LoopStrategy, Strategy, TimeZone
from pushflow.spec.units import Duration

CampaignName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")]
#: How late the daemon still sends an occurrence it could not fire on time (it was down): later
#: than this it records the occurrence ``missed`` instead (``catch_up`` overrides it).
DEFAULT_CATCH_UP = timedelta(hours=1)


class CampaignBase(SpecModel):
    """Fields every campaign has, whatever its provider."""

    name: CampaignName = Field(
        description="Unique name of the campaign in the project: lower-case letters, digits, "
        "'.', '_' and '-', at most 64. Part of every idempotency key: renaming a campaign makes "
        "it a new campaign."
    )
    description: str | None = Field(default=None, description="What the campaign is for.")
    app: Annotated[str, StringConstraints(min_length=1)] = Field(
        description="Name of an app declared under `apps:` in pushflow.yaml."
    )
    timezone: TimeZone | None = Field(
        default=None,
        description="IANA time zone for times without an offset and for loops. Default: the "
        "project default.",
    )
    epoch: int = Field(
        default=0,
        ge=0,
        description="Bump to send again on purpose: part of every idempotency key, so the same "
        "occurrence and target get a new key. Content edits never resend.",
    )
    strategy: Strategy = Field(
        default="now",
        description="When to send: `now`, `{at: …}` or a loop `{every: day|week|month, …}`.",
    )
    catch_up: Duration | None = Field(
        default=None,
        # Left out of the revision when unset, so campaigns written before the field existed
        # keep their revision digest (a new field must not make every campaign "changed").
        exclude_if=lambda value: value is None,
        description="execute: local only. How late the pushflow daemon still sends an occurrence "
        "it missed (it was stopped at the time): within this window it is sent on start, later "
        "it is recorded `missed` and never sent. Default: 1h.",
    )
    confirm_large: bool = Field(
        default=False,
        # Left out of the revision when false, as catch_up when unset.
        exclude_if=lambda value: not value,
        description="Confirm a large audience: needed when the project's policy sets "
        "`max_audience` and the audience is larger, or is expanded by the service (tag, all, "
        "broadcast).",
    )

    def catch_up_window(self) -> timedelta:
        """``catch_up``, or :data:`DEFAULT_CATCH_UP`."""
        return self.catch_up or DEFAULT_CATCH_UP

    def default_execute(self) -> Execute:
        raise NotImplementedError

    def execute(self) -> Execute | None:
        """Where the strategy runs: None for `now`, else the explicit or provider default
        (``local`` with ``local_time``: the daemon fires each zone's occurrence)."""
        if isinstance(self.strategy, str):
            return None
        if self.strategy.local_time:
            return self.strategy.execute or "local"
        return self.strategy.execute or self.default_execute()

    def local_time(self) -> bool:
        """Whether each target gets the strategy's wall-clock time in its own time zone."""
        return not isinstance(self.strategy, str) and self.strategy.local_time

    def audience_source(self) -> AudienceSource | None:
        """The list audience's source; None for audiences the service expands."""
        source = getattr(getattr(self, "audience", None), "source", None)
        return source if isinstance(source, AudienceSource) else None

    def timezone_column(self) -> str | None:
        """The audience column holding each target's time zone, if any."""
        source = self.audience_source()
        return None if source is None else source.timezone_column

    def violations(self, ctx: RuleContext) -> Iterator[Violation]:
        strategy = self.strategy
        if isinstance(strategy, AtStrategy) and strategy.at.tzinfo is None and not self.timezone:
            yield Violation(
                ("strategy", "at"),
                "at-timezone",
                "`at` has no UTC offset: add one (…T08:00:00+08:00) or set the campaign "
                "`timezone` (or the project default)",
            )
        if isinstance(strategy, LoopStrategy) and not self.timezone:
            yield Violation(
                ("strategy",),
                "loop-timezone",
                "a loop needs a `timezone` on the campaign (or the project default)",
            )
        yield from self._local_time()

    def _local_time(self) -> Iterator[Violation]:
        strategy, column = self.strategy, self.timezone_column()
        if isinstance(strategy, str) or not strategy.local_time:
            if column is not None:
                yield Violation(
                    ("audience", "source", "timezone_column"),
                    "local-time-unused",
                    "timezone_column is used only for local-time delivery: add "
                    "`local_time: true` to the strategy, or remove it",
                    severity="warning",
                )
            return
        if self.audience_source() is None:
            kind = getattr(getattr(self, "audience", None), "kind", "")
            yield Violation(
                ("strategy", "local_time"),
                "local-time-audience",
                f"local_time needs a list audience with a `timezone_column`; a {kind} audience "
                "is expanded by the service, which sends it at one instant",
            )
        elif column is None:
            yield Violation(
                ("audience", "source"),
                "local-time-column",
                "local_time needs `timezone_column`: the column holding each target's IANA "
                "time zone",
            )
        if strategy.execute == "server":
            yield Violation(
                ("strategy", "execute"),
                "local-time-server",
                "local-time delivery is fired by the pushflow daemon, one occurrence per time "
                "zone: remove `execute: server` (a server task fires at one instant for all)",
            )


class MpaasCampaign(CampaignBase):
    """A campaign sent through mPaaS Message Push (API 2020-10-28)."""

    provider: Literal["mpaas"] = Field(description="mPaaS Message Push.")
    api: Literal["auto", "simple", "template", "multiple", "broadcast"] = Field(
        default="auto",
        description="Which push API: auto (chosen from message and audience), simple "
        "(PushSimple), template (PushTemplate), multiple (PushMultiple: per-target values), "
        "broadcast (PushBroadcast).",
    )
    message: MpaasMessage = Field(description="What to send: a simple or a template message.")
    audience: MpaasAudience
    channels: MpaasChannels = Field(
        default_factory=MpaasChannels, description="Vendor channel and platform options."
    )

    def default_execute(self) -> Execute:
        return "server"

    def violations(self, ctx: RuleContext) -> Iterator[Violation]:
        yield from super().violations(ctx)
        yield from self._extended_params()
        broadcast = isinstance(self.audience, MpaasBroadcast)
        simple = isinstance(self.message, MpaasSimpleMessage)
        if broadcast and simple:
            yield Violation(
                ("message", "kind"),
                "mpaas-broadcast-template",
                "a broadcast sends a console template: use message kind template (mPaaS code 3025)",
            )
        api_needs = {
            "simple": (MpaasSimpleMessage, False),
            "template": (MpaasTemplateMessage, False),
            "multiple": (MpaasTemplateMessage, False),
            "broadcast": (MpaasTemplateMessage, True),
        }
        if self.api in api_needs:
            message_type, needs_broadcast = api_needs[self.api]
            if not isinstance(self.message, message_type):
                yield Violation(
                    ("api",),
                    "mpaas-api-message",
                    f"api {self.api} needs message kind "
                    + ("simple" if message_type is MpaasSimpleMessage else "template"),
                )
            if broadcast != needs_broadcast:
                yield Violation(
                    ("api",),
                    "mpaas-api-audience",
                    f"api {self.api} needs "
                    + ("a broadcast audience" if needs_broadcast else "a list audience"),
                )
        if self.audience.kind == "harmony_device" and (
            self.api in ("simple", "template") or simple
        ):
            yield Violation(
                ("audience", "kind"),
                "mpaas-harmony-multiple",
                "HarmonyOS devices (deliveryType 7) are reached only through PushMultiple: use a "
                "template message with api auto or multiple",
            )
        strategy = self.strategy
        if isinstance(strategy, LoopStrategy) and self.execute() == "server":
            if strategy.until is None:
                yield Violation(
                    ("strategy",),
                    "mpaas-loop-until",
                    "a server loop needs `until` (mPaaS loop tasks end at most 180 days after "
                    "today); set `until` or `execute: local`",
                )
            else:
                today = ctx.now.astimezone(_zone_info(self.timezone)).date()
                latest = today + MPAAS_LOOP_MAX_AHEAD
                if strategy.until > latest:
                    yield Violation(
                        ("strategy", "until"),
                        "mpaas-loop-180-days",
                        f"until {strategy.until} is more than 180 days after today ({today}); "
                        f"mPaaS loop tasks end by {latest}. Use `execute: local` for longer loops",
                    )

    def _extended_params(self) -> Iterator[Violation]:
        for key in sorted(set(self.message.extras) & MPAAS_RESERVED_EXTENDED_PARAMS):
            yield Violation(
                ("message", "extras", key),
                "mpaas-extended-param-reserved",
                f"`{key}` is a system extended parameter: set it through its channel option "
                "(e.g. channels.ios.badge), not in extras",
            )
        total = set(self.message.extras) | extended_params_set(self.channels)
        if len(total) > MPAAS_EXTENDED_PARAMS_MAX:
            yield Violation(
                ("message", "extras"),
                "mpaas-extended-params",
                f"extras and channel options make {len(total)} extended parameters; mPaaS "
                f"allows at most {MPAAS_EXTENDED_PARAMS_MAX} (code 3035)",
            )


class EmasCampaign(CampaignBase):
    """A campaign sent through EMAS Mobile Push (API 2016-08-01)."""

    provider: Literal["emas"] = Field(description="EMAS Mobile Push.")
    api: Literal["auto", "push", "continuous", "mass"] = Field(
        default="auto",
        description="Which push API: auto (chosen from the audience), push (Push), continuous "
        "(Push with Target=TBD, then ContinuouslyPush in chunks of 1000: device, account and "
        "alias only), mass (MassPush).",
    )
    message: EmasMessage = Field(description="What to send: a notice or a message.")
    audience: EmasAudience = Field(description="Who receives the campaign.")
    channels: EmasChannels = Field(
        default_factory=EmasChannels, description="Platform, vendor channel and delivery options."
    )

    def default_execute(self) -> Execute:
        return "local"

    def violations(self, ctx: RuleContext) -> Iterator[Violation]:
        yield from super().violations(ctx)
        audience, strategy = self.audience, self.strategy
        if self.api == "continuous" and audience.kind not in EMAS_CONTINUOUS_TARGETS:
            yield Violation(
                ("api",),
                "emas-continuous-target",
                f"ContinuouslyPush sends only to device, account or alias, not {audience.kind}",
            )
        if audience.device_type in ("android", "harmony", "all") and not self.message.title:
            yield Violation(
                ("message",),
                "emas-title-required",
                f"a title is required for {audience.device_type} devices",
            )
        if isinstance(strategy, LoopStrategy) and strategy.execute == "server":
            yield Violation(
                ("strategy", "execute"),
                "emas-loop-server",
                "EMAS has no server-side loops: use `execute: local` (the pushflow daemon)",
            )
        if isinstance(strategy, AtStrategy) and self.execute() == "server":
            if self.api == "continuous":
                yield Violation(
                    ("strategy", "execute"),
                    "emas-tbd-no-schedule",
                    "a continuous push (Target=TBD) cannot be scheduled on the server",
                )
            at = strategy.at
            if at.tzinfo is None and self.timezone:
                at = at.replace(tzinfo=_zone_info(self.timezone))
            if at.tzinfo is not None and at - ctx.now > EMAS_PUSH_TIME_MAX_AHEAD:
                yield Violation(
                    ("strategy", "at"),
                    "emas-push-time-7-days",
                    f"a server-side EMAS push (PushTime) is at most 7 days ahead; {strategy.at} "
                    "is further. Use `execute: local`",
                )


def _zone_info(name: str | None) -> ZoneInfo:
    return ZoneInfo(name or "UTC")


Campaign = Annotated[
    MpaasCampaign | EmasCampaign,
    Field(discriminator="provider"),
]


class CampaignDocument(RootModel[Campaign]):
    """pushflow campaign: one YAML document describing one push campaign."""
