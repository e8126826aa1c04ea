"""The policy rules about when a campaign sends: quiet hours, freeze windows and vendor windows,
each read on the campaign's sends (:mod:`pushflow.plan.policy_time`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pushflow.plan.policy_subject import (
    FREEZE_WINDOW,
    QUIET_HOURS,
    VENDOR_WINDOW,
    Subject,
    Verdict,
    report,
)
from pushflow.plan.policy_time import (
    Send,
    breach_text,
    breaches,
    freeze_instants,
    hours,
    shown,
    span,
    targets_phrase,
)
from pushflow.plan.policy_vendors import vivo_class
from pushflow.spec.policy import Policy


def quiet_hours(
    policy: Policy, subject: Subject, sends: Sequence[Send], verdict: Verdict, at_apply: bool
) -> None:
    rule = policy.quiet_hours
    assert rule is not None
    found = breaches(sends, rule, inside=True, zone=rule.timezone)
    messages = [
        (
            b.send,
            f"{breach_text(b)} is inside quiet hours {hours(rule)}: {targets_phrase(b.targets)}",
        )
        for b in found
    ]
    report(subject, QUIET_HOURS, messages, verdict, at_apply, subject.when())


def freeze_windows(
    policy: Policy,
    subject: Subject,
    sends: Sequence[Send],
    verdict: Verdict,
    *,
    now: datetime,
    at_apply: bool,
) -> None:
    campaign = subject.loaded.campaign
    zone = campaign.timezone or "UTC"
    refused: list[tuple[Send, str]] = []
    allowed = []
    for window in policy.freeze_windows:
        inside = freeze_instants(campaign, sends, window, now=now)
        if not inside:
            continue
        period = span(window.start(), window.end(), window.timezone or zone)
        if campaign.name in window.allow:
            allowed.append(f"allowed by freeze window {window.reason!r}, {period}")
            continue
        for occurrence, at, is_now in inside:
            send = Send(occurrence, at, "now" if is_now else "schedule", ())
            what = "the send now" if is_now else f"occurrence {occurrence}"
            refused.append(
                (
                    send,
                    f"{what} at {shown(at, zone)} is inside freeze window {window.reason!r}, "
                    f"{period}; add the campaign to the window's `allow` to send it",
                )
            )
    if not refused and allowed:
        verdict.add(subject, FREEZE_WINDOW, "exempt", "; ".join(allowed))
        return
    report(subject, FREEZE_WINDOW, refused, verdict, at_apply, subject.when())


def vendor_windows(
    policy: Policy, subject: Subject, sends: Sequence[Send], verdict: Verdict, at_apply: bool
) -> None:
    windows = policy.vendor_windows
    vivo = windows.vivo if windows else None
    window = vivo.operational if vivo else None
    if window is None:
        return
    classified = vivo_class(subject.loaded.campaign)
    if classified is None:
        verdict.add(subject, VENDOR_WINDOW, "pass", "not sent through vivo")
        return
    if classified.kind == "system":
        verdict.add(subject, VENDOR_WINDOW, "pass", f"vivo system message ({classified.why})")
        return
    found = breaches(sends, window, inside=False, zone=window.timezone)
    messages = [
        (
            b.send,
            f"{breach_text(b)} is outside vivo's window for operational messages "
            f"{hours(window)} (vivo operational message: {classified.why}): "
            f"{targets_phrase(b.targets)}",
        )
        for b in found
    ]
    report(subject, VENDOR_WINDOW, messages, verdict, at_apply, subject.when())
