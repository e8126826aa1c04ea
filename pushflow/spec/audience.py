"""Who a campaign goes to.

An audience has a *kind* (what the ids are: devices, users, accounts, aliases…, or a whole app
through a broadcast, a tag or push-to-all) and, for list kinds, a *source* of ids: an inline list
or a CSV / JSONL file read as a stream. Every column of a row is available to templates.

File paths are relative to the campaign file; that they exist, parse and stay inside the project
is checked by :mod:`pushflow.spec.references`, which knows where files are.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from pushflow.spec.base import RuleContext, SpecModel, Violation, wire

Identifier = Annotated[str, StringConstraints(min_length=1, max_length=256)]
InlineRow = Identifier | int | dict[str, Any]


class AudienceSource(SpecModel):
    """Where the target ids come from: exactly one of ``inline``, ``csv`` or ``jsonl``."""

    inline: list[InlineRow] | None = Field(
        default=None,
        description="Target ids written in the campaign: plain ids, or mappings with the id "
        "column and other columns for templates. For more than a few hundred, use a file.",
    )
    csv: Identifier | None = Field(
        default=None,
        description="A CSV file with a header row, relative to the campaign file.",
    )
    jsonl: Identifier | None = Field(
        default=None,
        description="A JSON Lines file (one object per line), relative to the campaign file.",
    )
    id_column: Identifier = Field(
        default="id",
        description="The column (CSV) or key (JSONL, inline mappings) holding the target id.",
    )
    timezone_column: Identifier | None = Field(
        default=None,
        # Left out of the revision when unset (campaigns written before it keep their digest).
        exclude_if=lambda value: value is None,
        description="Local-time delivery (a strategy with `local_time: true`): the column (CSV) "
        "or key (JSONL, inline mappings) holding each target's IANA time zone. An empty value "
        "means the campaign's `timezone`.",
    )

    def violations(self, ctx: RuleContext) -> Iterator[Violation]:
        given = [name for name in ("inline", "csv", "jsonl") if getattr(self, name) is not None]
        if len(given) != 1:
            yield Violation(
                (given[1],) if len(given) > 1 else (),
                "audience-source-one",
                "an audience source takes exactly one of inline, csv or jsonl"
                + (f" (found {', '.join(given)})" if given else ""),
            )
        for index, row in enumerate(self.inline or []):
            if isinstance(row, dict) and self.id_column not in row:
                yield Violation(
                    ("inline", index),
                    "audience-id-column",
                    f"inline row has no `{self.id_column}` key (the id_column)",
                )

    @property
    def file(self) -> str | None:
        return self.csv or self.jsonl


class MpaasListAudience(SpecModel):
    """Targets named one by one: devices of a platform, or users (mPaaS deliveryType)."""

    kind: Literal["android_device", "ios_device", "harmony_device", "user"] = wire(
        "DeliveryType",
        "What the ids are: android_device (1), ios_device (2), user (3) or harmony_device (7; "
        "PushMultiple only).",
    )
    source: AudienceSource = Field(description="Where the target ids come from.")


class MpaasBroadcast(SpecModel):
    """Every device of a platform (PushBroadcast), filtered by login state."""

    kind: Literal["broadcast"] = Field(description="Push to every device of `platform`.")
    platform: Literal["android", "ios"] = wire(
        "DeliveryType", "Which devices: android (1) or ios (2). Broadcasts are by device only."
    )
    push_status: Literal["bound", "all", "unbound"] = wire(
        "PushStatus",
        "Login state of the users reached: bound (0, default), all (1: bound and unbound) or "
        "unbound (2).",
        default="bound",
    )
    bind_period: Literal["7d", "15d", "60d", "forever"] | None = wire(
        "BindPeriod",
        "With push_status bound: users bound within 7d (1), 15d (2), 60d (3) or ever (4). "
        "Required for bound.",
        default=None,
    )
    unbind_period: Literal["7d", "15d", "60d", "forever"] | None = wire(
        "UnBindPeriod",
        "With push_status all or unbound: users unbound within 7d (1), 15d (2), 60d (3) or ever "
        "(4). Required for all and unbound (mPaaS code 3051).",
        default=None,
    )
    android_channel: Literal["mps", "default"] | None = wire(
        "AndroidChannel",
        "Android channel: mps (1, the self-built channel) or default (2). A broadcast to all "
        "users cannot use mps (mPaaS code 3053).",
        default=None,
    )

    def violations(self, ctx: RuleContext) -> Iterator[Violation]:
        if self.push_status == "bound":
            if self.bind_period is None:
                yield Violation(
                    ("push_status",),
                    "broadcast-bind-period",
                    "push_status bound needs `bind_period` (7d, 15d, 60d or forever)",
                )
            if self.unbind_period is not None:
                yield Violation(
                    ("unbind_period",),
                    "broadcast-unbind-period",
                    "unbind_period applies only to push_status all or unbound",
                )
        else:
            if self.unbind_period is None:
                yield Violation(
                    ("push_status",),
                    "broadcast-unbind-period",
                    f"push_status {self.push_status} needs `unbind_period` (mPaaS code 3051)",
                )
            if self.bind_period is not None:
                yield Violation(
                    ("bind_period",),
                    "broadcast-bind-period",
                    "bind_period applies only to push_status bound",
                )
        if self.push_status == "all" and self.android_channel == "mps":
            yield Violation(
                ("android_channel",),
                "broadcast-all-self-channel",
                "a broadcast to all users cannot use the mps self-built Android channel "
                "(mPaaS code 3053)",
            )
        if self.android_channel is not None and self.platform != "android":
            yield Violation(
                ("android_channel",),
                "broadcast-android-channel",
                "android_channel applies only to platform android (mPaaS code 3057)",
            )


MpaasAudience = Annotated[
    MpaasListAudience | MpaasBroadcast,
    Field(discriminator="kind", description="Who receives the campaign."),
]


class EmasAudience(SpecModel):
    """EMAS targets: devices, accounts or aliases from a source; a tag expression; or all."""

    kind: Literal["device", "account", "alias", "tag", "all"] = wire(
        "Target",
        "What the ids are: device, account or alias ids from `source`; devices carrying `tag`; "
        "or all devices of the app.",
    )
    device_type: Literal["android", "ios", "harmony", "all"] = wire(
        "DeviceType", "Which platform's devices: android, ios, harmony, or all."
    )
    source: AudienceSource | None = Field(
        default=None, description="Where the ids come from (device, account and alias only)."
    )
    tag: Identifier | None = wire(
        "TargetValue",
        "With kind tag: a tag, a comma list of tags, or a tag expression in JSON.",
        default=None,
    )

    def violations(self, ctx: RuleContext) -> Iterator[Violation]:
        listed = self.kind in ("device", "account", "alias")
        if listed and self.source is None:
            yield Violation((), "audience-source-required", f"kind {self.kind} needs a `source`")
        if not listed and self.source is not None:
            yield Violation(
                ("source",), "audience-source-forbidden", f"kind {self.kind} takes no `source`"
            )
        if self.kind == "tag" and self.tag is None:
            yield Violation((), "audience-tag-required", "kind tag needs `tag`")
        if self.kind != "tag" and self.tag is not None:
            yield Violation(("tag",), "audience-tag-forbidden", "`tag` applies only to kind tag")
