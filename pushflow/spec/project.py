"""The project file ``pushflow.yaml``: the apps campaigns send through, where state lives,
rate limits, and defaults applied to every campaign.

It holds no secrets: credentials come from the environment (the Alibaba Cloud credential chain).
A key that looks like one (``access_key_secret``…) is refused by ``extra="forbid"`` like any
unknown key.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import AnyHttpUrl, Field, RootModel, StringConstraints

from pushflow.spec.base import RuleContext, SpecModel, Violation
from pushflow.spec.policy import Policy

AppName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
Region = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,}(-[a-z0-9]+)+$")]

ApiName = Literal[
    "mpaas.PushSimple",
    "mpaas.PushTemplate",
    "mpaas.PushMultiple",
    "mpaas.PushBroadcast",
    "emas.Push",
    "emas.ContinuouslyPush",
    "emas.MassPush",
]


class MpaasApp(SpecModel):
    """An app in mPaaS Message Push."""

    provider: Literal["mpaas"] = Field(description="mPaaS Message Push (API 2020-10-28).")
    region: Region = Field(
        default="cn-hangzhou", description="Region of the mPaaS instance, e.g. cn-hangzhou."
    )
    endpoint: AnyHttpUrl | None = Field(
        default=None,
        description="Endpoint URL. Default: https://mpaas.<region>.aliyuncs.com, or pushflow's "
        "embedded emulator when no credentials are found.",
    )
    app_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] = Field(
        description="mPaaS App ID (appId), e.g. ONEX570DA89211721."
    )
    workspace_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] = Field(
        description="mPaaS workspace (workspaceId)."
    )
    tenant_id: str | None = Field(default=None, description="mPaaS tenant (TenantId), if any.")


AppKey = Annotated[int, Field(gt=0)]


class EmasApp(SpecModel):
    """An app in EMAS Mobile Push; each platform has its own AppKey."""

    provider: Literal["emas"] = Field(description="EMAS Mobile Push (API 2016-08-01).")
    region: Region = Field(default="cn-hangzhou", description="Region, e.g. cn-hangzhou.")
    endpoint: AnyHttpUrl | None = Field(
        default=None,
        description="Endpoint URL. Default: https://cloudpush.aliyuncs.com, or pushflow's "
        "embedded emulator when no credentials are found.",
    )
    app_keys: dict[Literal["android", "ios", "harmony"], AppKey] = Field(
        min_length=1, description="AppKey per platform (android, ios, harmony)."
    )


App = Annotated[MpaasApp | EmasApp, Field(discriminator="provider")]


class Project(SpecModel):
    """pushflow project: apps, state, rate limits and campaign defaults (pushflow.yaml)."""

    version: Literal[1] = Field(default=1, description="Version of this file's format.")
    campaigns: list[Annotated[str, StringConstraints(min_length=1)]] = Field(
        default_factory=lambda: ["campaigns"],
        description="Files or folders holding campaign YAML, relative to this file.",
    )
    state: Annotated[str, StringConstraints(min_length=1)] = Field(
        default=".pushflow/state.db",
        description="Where pushflow keeps what it sent: a SQLite file path (relative to this "
        "file) or a database URL (postgresql://…).",
    )
    apps: dict[AppName, App] = Field(
        min_length=1, description="Apps campaigns send through, by name."
    )
    rate_limits: dict[ApiName, Annotated[float, Field(gt=0)]] = Field(
        default_factory=dict,
        description="Calls per second per app and API, overriding the documented quotas "
        "(e.g. emas.MassPush: 100).",
    )
    defaults: dict[Literal["all", "mpaas", "emas"], dict[str, Any]] = Field(
        default_factory=dict,
        description="Campaign keys applied to every campaign (all) or to one provider's "
        "campaigns, when the campaign does not set them; mappings merge key by key.",
    )
    policy: Policy = Field(
        default_factory=Policy,
        description="Rules every plan must pass: quiet hours, a frequency cap, a maximum audience, "
        "freeze windows, vendor windows (docs/policy.md).",
    )

    def violations(self, ctx: RuleContext) -> Iterator[Violation]:
        for scope, values in self.defaults.items():
            for key in ("name", "provider", "app", "epoch"):
                if key in values:
                    yield Violation(
                        ("defaults", scope, key),
                        "defaults-identity",
                        f"`{key}` identifies a campaign and cannot have a default",
                    )


class ProjectDocument(RootModel[Project]):
    """pushflow project file (pushflow.yaml)."""
