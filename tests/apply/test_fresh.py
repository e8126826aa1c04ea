"""A saved plan is fresh only if applying it now would do exactly what was reviewed."""

from __future__ import annotations

from pushflow.apply.session import fresh
from pushflow.plan.model import Plan
from tests.plan.sample_plans import monthly_statement, push_to_all, sample_plan, weekly_digest


def _plan(*campaigns: object) -> Plan:
    return sample_plan().model_copy(update={"campaigns": list(campaigns)})


def test_the_same_plan_is_fresh() -> None:
    assert fresh(sample_plan(), sample_plan()) == []


def test_a_campaign_reviewed_as_unchanged_that_changed_since_is_stale() -> None:
    unchanged = monthly_statement()
    assert unchanged.action == "unchanged"
    edited = unchanged.model_copy(update={"revision": "1111111111111111", "action": "schedule"})
    assert fresh(_plan(unchanged), _plan(edited)) == [
        "campaign monthly-statement-loop changed (revision "
        f"{unchanged.revision} → 1111111111111111: its file or its audience)"
    ]


def test_a_campaign_added_since_the_plan_is_stale() -> None:
    assert fresh(_plan(weekly_digest()), _plan(weekly_digest(), push_to_all())) == [
        "campaign push-to-all-scheduled is new since the plan was made"
    ]


def test_a_campaign_added_since_that_does_nothing_is_fine() -> None:
    assert fresh(_plan(weekly_digest()), _plan(weekly_digest(), monthly_statement())) == []
