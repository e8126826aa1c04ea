"""The plan: one serializable object saying what will be sent, to how many, when, and how.

``pushflow plan`` builds it, prints one of its views (text, Markdown, JSON), and can save it;
``pushflow apply PLANFILE`` acts on exactly what it says (the recorded revisions), never on
whatever the working tree holds later. Its JSON form is versioned (``format_version``) and its
schema is generated from these models into ``schemas/plan.schema.json``.

Call *groups* summarise calls: the calls themselves (one request each) are produced again, lazily,
when applied, from the same revision and the same deterministic keys.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from pushflow.spec.project import ApiName

FORMAT_VERSION: Literal[1] = 1

Action = Literal["send", "schedule", "cancel", "unchanged"]
Execute = Literal["now", "local", "server"]


class PlanModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CallGroup(PlanModel):
    """The calls of one API for one occurrence of one campaign."""

    api: ApiName = Field(description="The API called, e.g. mpaas.PushMultiple or emas.Push.")
    app: str = Field(description="The app (as named in pushflow.yaml).")
    occurrence: str = Field(description="The occurrence key, e.g. 2026-12-01T08:00 or now.")
    at: AwareDatetime = Field(description="When the occurrence fires (UTC).")
    execute: Execute = Field(
        description="now (on apply), local (the pushflow daemon) or server (scheduled on the "
        "service)."
    )
    targets: int = Field(ge=0, description="Targets reached by this group (after dedupe).")
    calls: int = Field(ge=0, description="API calls in this group.")
    key_digest: str = Field(
        description="SHA-256 (first 16 hex digits) of the group's idempotency keys in order: "
        "the same send always has the same digest."
    )
    zone: str | None = Field(
        default=None,
        description="Local-time delivery: the targets' IANA time zone this group's occurrence "
        "is in; None when the campaign's time zone applies.",
    )


class AudienceSummary(PlanModel):
    """What the audience source held."""

    kind: str = Field(description="Audience kind, e.g. device, user, broadcast.")
    source: str | None = Field(description="inline, or the audience file path; None for tag/all.")
    targets: int | None = Field(
        description="Distinct valid targets; None for audiences the service expands (tag, all, "
        "broadcast)."
    )
    duplicates: int = Field(default=0, ge=0, description="Rows dropped as repeated target ids.")
    digest: str | None = Field(
        default=None, description="SHA-256 (16 hex) of the sorted target ids: the reviewed list."
    )
    zones: dict[str, int] | None = Field(
        default=None,
        description="Targets per IANA time zone, when the audience has a time-zone column.",
    )


class Sample(PlanModel):
    """One rendered message, as a target would receive it."""

    target: str | None = Field(description="The target id; None for tag/all/broadcast.")
    title: str = Field(description="Rendered title.")
    body: str = Field(description="Rendered body or content.")
    values: dict[str, str] = Field(
        default_factory=dict, description="Rendered template placeholder values (mPaaS)."
    )


PolicyOutcome = Literal["pass", "exempt", "warning"]


class PolicyCheck(PlanModel):
    """One rule of the project's policy, as it applied to one campaign (a violation fails the
    plan instead: a plan holds only rules that passed)."""

    rule: str = Field(description="The rule, e.g. policy.quiet-hours or policy.frequency-cap.")
    outcome: PolicyOutcome = Field(
        description="pass; exempt (allowed by confirm_large, a freeze window's allow list, or not "
        "counted); warning (a `now` send the rule would refuse if applied at the plan's time)."
    )
    detail: str | None = Field(default=None, description="Why, for exempt and warning.")


class CampaignPlan(PlanModel):
    """What one campaign will do."""

    name: str = Field(description="Campaign name.")
    provider: Literal["mpaas", "emas"] = Field(description="Push service.")
    app: str = Field(description="App name in pushflow.yaml.")
    file: str = Field(description="The campaign file.")
    revision: str = Field(
        description="SHA-256 (16 hex) of the campaign as validated plus its audience digest: "
        "what was reviewed."
    )
    action: Action = Field(description="send, schedule, cancel or unchanged.")
    strategy: str = Field(description="Human summary of the strategy, e.g. every week on mon.")
    audience: AudienceSummary = Field(description="The audience: kind, source, counts, digest.")
    timezone: str = Field(default="UTC", description="The campaign's time zone (IANA).")
    groups: list[CallGroup] = Field(
        default_factory=list, description="Call groups, by occurrence then API."
    )
    next_send: AwareDatetime | None = Field(default=None, description="Next occurrence (UTC).")
    samples: list[Sample] = Field(default_factory=list, description="A few rendered messages.")
    warnings: list[str] = Field(default_factory=list, description="Things a reviewer should see.")
    diff: list[str] = Field(
        default_factory=list,
        description="What differs from the applied revision in the state: new campaign, the "
        "keys that changed, targets added or removed, removal.",
    )
    estimated_seconds: float | None = Field(
        default=None,
        description="How long the calls of the listed groups take at the app's QPS limits.",
    )
    policy: list[PolicyCheck] = Field(
        default_factory=list,
        description="The project's policy rules this campaign passed (docs/policy.md).",
    )


class Plan(PlanModel):
    """pushflow plan: what `pushflow apply` will do."""

    format_version: Literal[1] = Field(default=FORMAT_VERSION, description="Plan format version.")
    created_at: AwareDatetime = Field(description="When the plan was made (UTC).")
    sandbox: bool = Field(
        default=False, description="True when apps are served by the embedded emulator."
    )
    state: str | None = Field(
        default=None, description="The state the plan was compared with (password masked)."
    )
    state_version: int | None = Field(
        default=None,
        description="The state's change counter when planned: apply refuses a plan made against "
        "a state that changed since.",
    )
    campaigns: list[CampaignPlan] = Field(default_factory=list, description="Per campaign.")
    changes: bool = Field(description="Whether applying this plan would do anything.")
