"""Policy rules about when a campaign sends, at plan time: for each a table of (policy,
campaign, what the plan says), passing and failing, each failure a whole message at its
``file:line:col``; and the time zones they are read in."""

from __future__ import annotations

from datetime import datetime

import pytest

from pushflow.plan.model import AudienceSummary, CallGroup, CampaignPlan
from pushflow.plan.policy_time import Send, breaches, send_zones
from pushflow.spec.policy import QuietHours
from tests.conftest import MakeProject
from tests.plan.policy_projects import AT_2159, AT_2330, DEVICES, NOW_STRATEGY, emas, mpaas, outcome

QUIET = '  quiet_hours: {from: "22:00", to: "08:00"}\n'

QUIET_HOURS = [
    pytest.param(
        QUIET,
        emas(AT_2330),
        [
            "campaigns/c.yaml:11:7: error: occurrence 2026-11-23T23:30 at 2026-11-23 23:30 "
            "Asia/Shanghai is inside quiet hours 22:00–08:00: 2 targets [policy.quiet-hours]"
        ],
        id="inside",
    ),
    pytest.param(QUIET, emas(AT_2159), ["policy     pass: quiet-hours"], id="before"),
    pytest.param(
        QUIET, emas("  at: 2026-11-24 08:00\n"), ["policy     pass: quiet-hours"], id="to-excluded"
    ),
    pytest.param(
        QUIET,
        emas("  at: 2026-11-24 07:59\n"),
        [
            "campaigns/c.yaml:11:7: error: occurrence 2026-11-24T07:59 at 2026-11-24 07:59 "
            "Asia/Shanghai is inside quiet hours 22:00–08:00: 2 targets [policy.quiet-hours]"
        ],
        id="after-midnight",
    ),
    pytest.param(
        '  quiet_hours: {from: "22:00", to: "08:00", timezone: Europe/Berlin}\n',
        emas(AT_2330),
        ["policy     pass: quiet-hours"],
        id="zone-of-the-rule",
    ),
    pytest.param(
        '  quiet_hours: {from: "22:00", to: "08:00", timezone: Europe/Berlin}\n',
        emas("  at: 2026-11-24 06:30\n"),
        [
            "campaigns/c.yaml:11:7: error: occurrence 2026-11-24T06:30 at 2026-11-23 23:30 "
            "Europe/Berlin is inside quiet hours 22:00–08:00: 2 targets [policy.quiet-hours]"
        ],
        id="zone-of-the-rule-inside",
    ),
    pytest.param(
        '  quiet_hours: {from: "12:00", to: "14:00"}\n',
        mpaas(
            '  every: day\n  at: "13:00"\n  from: 2026-11-20\n  until: 2026-12-31\n'
            "  execute: local\n"
        ),
        [
            "campaigns/c.yaml:11:7: error: occurrence 2026-11-22T13:00 at 2026-11-22 13:00 "
            "Asia/Shanghai is inside quiet hours 12:00–14:00: 2 targets; 6 more sends too "
            "[policy.quiet-hours]"
        ],
        id="loop",
    ),
    pytest.param(
        QUIET,
        mpaas('  every: day\n  at: "23:00"\n  from: 2026-12-10\n  execute: local\n'),
        [
            "campaigns/c.yaml:11:7: error: occurrence 2026-12-10T23:00 at 2026-12-10 23:00 "
            "Asia/Shanghai is inside quiet hours 22:00–08:00: 2 targets [policy.quiet-hours]"
        ],
        id="loop-beyond-the-horizon",
    ),
    pytest.param(
        '  quiet_hours: {from: "11:00", to: "13:00"}\n',
        emas(NOW_STRATEGY),
        [
            "policy     warning: quiet-hours",
            "! promo: policy.quiet-hours: the send now at 2026-11-22 12:00 Asia/Shanghai is inside "
            "quiet hours 11:00–13:00: 2 targets (`pushflow apply` refuses it while this holds)",
        ],
        id="now-warns-at-plan-time",
    ),
]


@pytest.mark.parametrize(("policy", "campaign", "expected"), QUIET_HOURS)
def test_quiet_hours(
    policy: str,
    campaign: str,
    expected: list[str],
    make_project: MakeProject,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert outcome(make_project, monkeypatch, policy, campaign) == expected


def test_a_now_send_in_quiet_hours_fails_the_plan_apply_makes(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = '  quiet_hours: {from: "11:00", to: "13:00"}\n'
    found = outcome(make_project, monkeypatch, policy, emas(NOW_STRATEGY), at_apply=True)
    assert found == [
        "campaigns/c.yaml:11:3: error: the send now at 2026-11-22 12:00 Asia/Shanghai is inside "
        "quiet hours 11:00–13:00: 2 targets [policy.quiet-hours]"
    ]


FREEZE = (
    "  freeze_windows:\n"
    "    - from: 2026-12-20T00:00:00+08:00\n"
    "      to: 2027-01-04T00:00:00+08:00\n"
    "      reason: year-end freeze\n"
    "      allow: [allowed]\n"
)
LOOP_FAR = '  every: week\n  on: [mon]\n  at: "10:00"\n  from: 2026-11-23\n  execute: local\n'

FREEZE_WINDOWS = [
    pytest.param(
        FREEZE,
        emas("  at: 2026-12-24 10:00\n"),
        [
            "campaigns/c.yaml:11:7: error: occurrence 2026-12-24T10:00 at 2026-12-24 10:00 "
            "Asia/Shanghai is inside freeze window 'year-end freeze', 2026-12-20 00:00 – "
            "2027-01-04 00:00 Asia/Shanghai; add the campaign to the window's `allow` to send it "
            "[policy.freeze-window]"
        ],
        id="inside",
    ),
    pytest.param(
        FREEZE,
        emas("  at: 2027-01-04 00:00\n"),
        ["policy     pass: freeze-window"],
        id="to-excluded",
    ),
    pytest.param(
        FREEZE,
        emas("  at: 2026-12-24 10:00\n", name="allowed"),
        [
            "policy     exempt: freeze-window (allowed by freeze window 'year-end freeze', "
            "2026-12-20 00:00 – 2027-01-04 00:00 Asia/Shanghai)"
        ],
        id="allowed",
    ),
    pytest.param(
        FREEZE,
        emas(LOOP_FAR),
        [
            "campaigns/c.yaml:13:7: error: occurrence 2026-12-21T10:00 at 2026-12-21 10:00 "
            "Asia/Shanghai is inside freeze window 'year-end freeze', 2026-12-20 00:00 – "
            "2027-01-04 00:00 Asia/Shanghai; add the campaign to the window's `allow` to send it; "
            "1 more send too [policy.freeze-window]"
        ],
        id="loop-beyond-the-horizon",
    ),
]


@pytest.mark.parametrize(("policy", "campaign", "expected"), FREEZE_WINDOWS)
def test_freeze_windows(
    policy: str,
    campaign: str,
    expected: list[str],
    make_project: MakeProject,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert outcome(make_project, monkeypatch, policy, campaign) == expected


VIVO = '  vendor_windows:\n    vivo:\n      operational: {from: "07:00", to: "23:00"}\n'


def vivo(section: str) -> str:
    return f"channels:\n  android:\n    vivo: {section}\n"


VENDOR_WINDOWS = [
    pytest.param(
        VIVO,
        emas(AT_2330),
        [
            "campaigns/c.yaml:11:7: error: occurrence 2026-11-23T23:30 at 2026-11-23 23:30 "
            "Asia/Shanghai is outside vivo's window for operational messages 07:00–23:00 (vivo "
            "operational message: EMAS's default without a vivo category): 2 targets "
            "[policy.vendor-window]"
        ],
        id="emas-default-operational",
    ),
    pytest.param(VIVO, emas(AT_2159), ["policy     pass: vendor-window"], id="emas-inside-window"),
    pytest.param(
        VIVO,
        emas(AT_2330, extra=vivo("{category: marketing}")),
        [
            "campaigns/c.yaml:14:7: error: occurrence 2026-11-23T23:30 at 2026-11-23 23:30 "
            "Asia/Shanghai is outside vivo's window for operational messages 07:00–23:00 (vivo "
            "operational message: category marketing): 2 targets [policy.vendor-window]"
        ],
        id="emas-operational-category",
    ),
    pytest.param(
        VIVO,
        emas(AT_2330, extra=vivo("{category: im}")),
        ["policy     pass: vendor-window"],
        id="emas-system-category",
    ),
    pytest.param(
        VIVO,
        emas(AT_2330, extra=vivo("{classification: system}")),
        ["policy     pass: vendor-window"],
        id="emas-system-classification",
    ),
    pytest.param(
        VIVO,
        emas(
            AT_2330,
            audience=f"  kind: device\n  device_type: ios\n  source:\n    inline: {DEVICES}\n",
        ),
        ["policy     pass: vendor-window"],
        id="emas-ios-not-vivo",
    ),
    pytest.param(
        VIVO,
        emas(AT_2330, extra="channels:\n  send_channels: [accs, huawei]\n"),
        ["policy     pass: vendor-window"],
        id="emas-vivo-not-in-send-channels",
    ),
    pytest.param(
        VIVO, mpaas(AT_2330), ["policy     pass: vendor-window"], id="mpaas-default-system"
    ),
    pytest.param(
        VIVO,
        mpaas("  at: 2026-11-24 06:30\n", extra=vivo("{classification: operational}")),
        [
            "campaigns/c.yaml:13:7: error: occurrence 2026-11-24T06:30 at 2026-11-24 06:30 "
            "Asia/Shanghai is outside vivo's window for operational messages 07:00–23:00 (vivo "
            "operational message: classification operational): 2 targets [policy.vendor-window]"
        ],
        id="mpaas-operational",
    ),
    pytest.param(
        '  vendor_windows:\n    vivo:\n      operational: {from: "07:00", to: "23:00", '
        "timezone: Europe/Berlin}\n",
        emas(AT_2330),
        ["policy     pass: vendor-window"],
        id="window-zone",
    ),
]


@pytest.mark.parametrize(("policy", "campaign", "expected"), VENDOR_WINDOWS)
def test_vendor_windows(
    policy: str,
    campaign: str,
    expected: list[str],
    make_project: MakeProject,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert outcome(make_project, monkeypatch, policy, campaign) == expected


# --- time zones of the targets ----------------------------------------------------------------


def zoned_plan(*, group_zone: str | None, zones: dict[str, int] | None) -> CampaignPlan:
    at = datetime.fromisoformat("2026-11-23T15:30:00+00:00")  # 23:30 Shanghai, 16:30 Berlin
    return CampaignPlan(
        name="c",
        provider="mpaas",
        app="shop-mpaas",
        file="campaigns/c.yaml",
        revision="0" * 16,
        action="schedule",
        strategy="at",
        audience=AudienceSummary(kind="user", source="inline", targets=5, zones=zones),
        timezone="Asia/Shanghai",
        groups=[
            CallGroup(
                api="mpaas.PushSimple",
                app="shop-mpaas",
                occurrence="2026-11-23T23:30",
                at=at,
                execute="local",
                targets=5,
                calls=1,
                key_digest="0" * 16,
                zone=group_zone,
            )
        ],
    )


QUIET_WINDOW = QuietHours.model_validate({"from": "22:00", "to": "08:00"})


@pytest.mark.parametrize(
    ("group_zone", "zones", "expected"),
    [
        (None, None, [("Asia/Shanghai", 5)]),
        ("Europe/Berlin", None, []),
        ("Asia/Tokyo", None, [("Asia/Tokyo", 5)]),
        (None, {"Europe/Berlin": 3, "Asia/Shanghai": 2}, [("Asia/Shanghai", 2)]),
        (None, {"Europe/Berlin": 3, "America/New_York": 2}, []),
    ],
)
def test_quiet_hours_are_read_in_the_targets_zones(
    group_zone: str | None, zones: dict[str, int] | None, expected: list[tuple[str, int]]
) -> None:
    made = zoned_plan(group_zone=group_zone, zones=zones)
    sends = [Send(g.occurrence, g.at, g.execute, send_zones(made, g)) for g in made.groups]
    found = breaches(sends, QUIET_WINDOW, inside=True, zone=None)
    assert [(b.zone, b.targets) for b in found] == expected
    # A zone given by the rule wins over the targets'.
    fixed = breaches(sends, QUIET_WINDOW, inside=True, zone="Asia/Shanghai")
    assert [(b.zone, b.targets) for b in fixed] == [("Asia/Shanghai", 5)]
