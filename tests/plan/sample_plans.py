"""Plans built by hand for the view tests, and shown in docs/plan.md (kept equal by a test)."""

from __future__ import annotations

from datetime import UTC, datetime

from pushflow.plan.model import (
    AudienceSummary,
    CallGroup,
    CampaignPlan,
    Plan,
    PolicyCheck,
    Sample,
)

CREATED = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def flash_sale() -> CampaignPlan:
    """An EMAS send now to a big device list."""
    return CampaignPlan(
        name="flash-sale-notice",
        provider="emas",
        app="shop-emas",
        file="campaigns/flash-sale-notice.yaml",
        revision="3f2a9c1d0e4b5a67",
        action="send",
        strategy="now",
        audience=AudienceSummary(
            kind="device",
            source="campaigns/audiences/sale-browsers.csv",
            targets=1_204_000,
            duplicates=312,
            digest="9b1c0d2e3f405162",
        ),
        groups=[
            CallGroup(
                api="emas.Push",
                app="shop-emas",
                occurrence="now@2026-11-22T04:00Z",
                at=utc(2026, 11, 22, 4, 0),
                execute="now",
                targets=1_204_000,
                calls=1_204,
                key_digest="a1b2c3d4e5f60718",
            )
        ],
        next_send=utc(2026, 11, 22, 4, 0),
        samples=[
            Sample(target="d-000001", title="Flash sale starts now", body="Up to 70% off."),
            Sample(target="d-000002", title="Flash sale starts now", body="Up to 70% off."),
        ],
        warnings=["1 204 calls at the documented 100 calls/s take about 13 s"],
        policy=[
            PolicyCheck(rule="policy.quiet-hours", outcome="pass"),
            PolicyCheck(rule="policy.frequency-cap", outcome="pass"),
            PolicyCheck(
                rule="policy.max-audience",
                outcome="exempt",
                detail="the audience has 1\u202f204\u202f000 targets, more than max_audience "
                "1\u202f000\u202f000; "
                "confirm_large: true",
            ),
        ],
    )


def weekly_digest() -> CampaignPlan:
    """An mPaaS weekly loop fired by the daemon, template values per user."""
    occurrences = [
        ("2026-11-30T08:00", utc(2026, 11, 30, 0, 0)),
        ("2026-12-07T08:00", utc(2026, 12, 7, 0, 0)),
    ]
    return CampaignPlan(
        name="weekly-digest",
        provider="mpaas",
        app="shop-mpaas",
        file="campaigns/weekly-digest.yaml",
        revision="77e0c4a1b2d3e4f5",
        action="schedule",
        strategy="every week on mon at 08:00 (Asia/Shanghai)",
        audience=AudienceSummary(
            kind="user", source="campaigns/audiences/subscribers.csv", targets=567
        ),
        groups=[
            CallGroup(
                api="mpaas.PushMultiple",
                app="shop-mpaas",
                occurrence=key,
                at=at,
                execute="local",
                targets=567,
                calls=2,
                key_digest=f"5c5d5e5f6061626{index}",
            )
            for index, (key, at) in enumerate(occurrences)
        ],
        next_send=utc(2026, 11, 30, 0, 0),
        samples=[
            Sample(
                target="u-1001",
                title="Your week",
                body="Hi Li Wei, 3 new items | 2 on sale",
                values={"name": "Li Wei", "count": "3"},
            ),
            Sample(
                target="u-1002",
                title="Your week",
                body="Hi <b>Ana</b>,\n*5* new items",
                values={"name": "<b>Ana</b>", "count": "5"},
            ),
        ],
    )


def push_to_all() -> CampaignPlan:
    """An EMAS push to every device, scheduled on the service."""
    return CampaignPlan(
        name="push-to-all-scheduled",
        provider="emas",
        app="shop-emas",
        file="campaigns/push-to-all-scheduled.yaml",
        revision="0badc0ffee123456",
        action="schedule",
        strategy="at 2026-12-01 09:00 (Asia/Shanghai)",
        audience=AudienceSummary(kind="all", source=None, targets=None),
        groups=[
            CallGroup(
                api="emas.Push",
                app="shop-emas",
                occurrence="2026-12-01T09:00",
                at=utc(2026, 12, 1, 1, 0),
                execute="server",
                targets=0,
                calls=1,
                key_digest="0011223344556677",
            )
        ],
        next_send=utc(2026, 12, 1, 1, 0),
        samples=[Sample(target=None, title="Year-end sale", body="Starts tomorrow.")],
    )


def winback_cancelled() -> CampaignPlan:
    """An mPaaS scheduled send whose campaign file was removed."""
    return CampaignPlan(
        name="winback-december",
        provider="mpaas",
        app="shop-mpaas",
        file="campaigns/winback-december.yaml",
        revision="c0ffee0000000001",
        action="cancel",
        strategy="at 2026-12-05 10:00 (Asia/Shanghai)",
        audience=AudienceSummary(kind="user", source="inline", targets=3),
        groups=[
            CallGroup(
                api="mpaas.PushSimple",
                app="shop-mpaas",
                occurrence="2026-12-05T10:00",
                at=utc(2026, 12, 5, 2, 0),
                execute="server",
                targets=3,
                calls=3,
                key_digest="fedcba9876543210",
            )
        ],
        warnings=["the campaign file is gone: its scheduled send is cancelled"],
    )


def monthly_statement() -> CampaignPlan:
    """An EMAS loop applied before, unchanged."""
    return CampaignPlan(
        name="monthly-statement-loop",
        provider="emas",
        app="shop-emas",
        file="campaigns/monthly-statement-loop.yaml",
        revision="1234567890abcdef",
        action="unchanged",
        strategy="every month on day 1 at 10:00 (Asia/Shanghai)",
        audience=AudienceSummary(
            kind="account", source="campaigns/audiences/accounts.csv", targets=42
        ),
        next_send=utc(2026, 12, 1, 2, 0),
    )


def sample_plan() -> Plan:
    """Five campaigns, both providers, all four actions."""
    campaigns = [
        flash_sale(),
        weekly_digest(),
        push_to_all(),
        winback_cancelled(),
        monthly_statement(),
    ]
    return Plan(created_at=CREATED, campaigns=campaigns, changes=True)


def small_plan() -> Plan:
    """One campaign: the JSON example of docs/plan.md."""
    campaign = push_to_all()
    return Plan(created_at=CREATED, sandbox=True, campaigns=[campaign], changes=True)
