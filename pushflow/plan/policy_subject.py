"""The policy's view of a plan: each campaign as a :class:`Subject`, and the :class:`Verdict`
the rules write to (the rules a campaign passed, and every violation at its place)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pushflow.errors import Location, Problem
from pushflow.plan.model import CampaignPlan, PolicyCheck, PolicyOutcome
from pushflow.plan.policy_time import Send, more
from pushflow.spec.loader import LoadedCampaign

QUIET_HOURS = "policy.quiet-hours"
FREQUENCY_CAP = "policy.frequency-cap"
MAX_AUDIENCE = "policy.max-audience"
FREEZE_WINDOW = "policy.freeze-window"
VENDOR_WINDOW = "policy.vendor-window"

#: Actions of campaigns the plan changes: the ones checked.
CHANGED = frozenset({"send", "schedule"})


@dataclass(frozen=True)
class Subject:
    """One campaign of the plan as the policy sees it."""

    loaded: LoadedCampaign
    plan: CampaignPlan
    #: Distinct targets of its audience; None when the service expands it (tag, all, broadcast).
    size: int | None
    #: The targets this plan sends to, spooled sorted (only when a frequency cap is set).
    ids: Path | None = None
    #: Local-time delivery: each zone's targets, spooled sorted (only when a frequency cap is
    #: set), so each target is counted with its own zone's sends only.
    zone_ids: dict[str, Path] | None = None

    @property
    def changed(self) -> bool:
        return self.plan.action in CHANGED

    def locate(self, path: tuple[str | int, ...]) -> Location:
        return self.loaded.document.locate(path)

    def when(self) -> Location:
        """Where the campaign says when it sends: its strategy (``at`` for times), or its name
        when it has none (``now`` by default)."""
        data = self.loaded.document.data
        if not isinstance(data, dict) or "strategy" not in data:
            return self.locate(("name",))
        strategy = data["strategy"]
        return self.locate(("strategy", "at") if isinstance(strategy, dict) else ("strategy",))

    def audience_key(self) -> Location:
        return self.locate(("audience", "source" if self.size is not None else "kind"))


@dataclass
class Verdict:
    """What the policy found: the rules each campaign passed, and every violation."""

    checks: dict[str, list[PolicyCheck]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def add(self, subject: Subject, rule: str, outcome: PolicyOutcome, detail: str | None) -> None:
        check = PolicyCheck(rule=rule, outcome=outcome, detail=detail)
        self.checks.setdefault(subject.plan.name, []).append(check)

    def fail(self, where: Location, rule: str, message: str) -> None:
        self.problems.append(Problem(where, message, rule=rule))


def report(
    subject: Subject,
    rule: str,
    found: Sequence[tuple[Send, str]],
    verdict: Verdict,
    at_apply: bool,
    where: Location,
) -> None:
    """Report a rule's breaches ``(send, message)`` at ``where``, or that it passed: a ``now``
    send in a plan made ahead of apply only warns (apply fails on it, at the time it sends)."""
    if not found:
        verdict.add(subject, rule, "pass", None)
        return
    if not at_apply and all(send.now for send, _ in found):
        text = f"{found[0][1]} (`pushflow apply` refuses it while this holds)"
        verdict.add(subject, rule, "warning", text)
        return
    verdict.fail(where, rule, found[0][1] + more(found))
