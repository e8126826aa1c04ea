"""The policy section of ``pushflow.yaml`` and the maximum audience: broken rules reported at
their place in the project file, and ``confirm_large``."""

from __future__ import annotations

from pathlib import Path

import pytest

from pushflow.errors import SpecError
from pushflow.spec.loader import load_project
from tests.conftest import NOW, PROJECT_YAML, MakeProject
from tests.plan.policy_projects import AT_2159, emas, outcome

MAX = "  max_audience: 1\n"

MAX_AUDIENCE = [
    pytest.param(
        MAX,
        emas(AT_2159),
        [
            "campaigns/c.yaml:9:5: error: the audience has 2 targets, more than max_audience 1: "
            "set `confirm_large: true` to send it [policy.max-audience]"
        ],
        id="too-large",
    ),
    pytest.param(
        "  max_audience: 2\n", emas(AT_2159), ["policy     pass: max-audience"], id="fits"
    ),
    pytest.param(
        MAX,
        emas(AT_2159, extra="confirm_large: true\n"),
        [
            "policy     exempt: max-audience (the audience has 2 targets, more than max_audience "
            "1; confirm_large: true)"
        ],
        id="confirmed",
    ),
    pytest.param(
        "  max_audience: 100000\n",
        emas(AT_2159, audience="  kind: tag\n  device_type: android\n  tag: vip\n"),
        [
            "campaigns/c.yaml:6:9: error: audience kind tag is expanded by the service: its size "
            "cannot be checked: set `confirm_large: true` to send it [policy.max-audience]"
        ],
        id="tag",
    ),
]


@pytest.mark.parametrize(("policy", "campaign", "expected"), MAX_AUDIENCE)
def test_max_audience(
    policy: str,
    campaign: str,
    expected: list[str],
    make_project: MakeProject,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert outcome(make_project, monkeypatch, policy, campaign) == expected


# --- the policy section itself ------------------------------------------------------------------

BROKEN_POLICY = [
    pytest.param(
        '  quiet_hours: {from: "22:00", to: "22:00"}\n',
        "pushflow.yaml:15:36: error: `from` and `to` are both 22:00: the window is empty; a window "
        "covering the whole day is no rule at all [policy-window-empty]",
        id="empty-window",
    ),
    pytest.param(
        "  freeze_windows:\n    - {from: 2026-12-20 00:00, to: 2027-01-04 00:00, reason: x}\n",
        "pushflow.yaml:16:14: error: no UTC offset and no `timezone`: add one "
        "(…T00:00:00+08:00) or set `timezone` on the window [policy-freeze-timezone]",
        id="freeze-without-zone",
    ),
    pytest.param(
        "  freeze_windows:\n    - {from: 2027-01-04T00:00:00Z, to: 2026-12-20T00:00:00Z, "
        "reason: x}\n",
        "pushflow.yaml:16:40: error: `to` 2026-12-20 00:00:00+00:00 is not after `from` "
        "2027-01-04 00:00:00+00:00 [policy-freeze-order]",
        id="freeze-order",
    ),
    pytest.param(
        "  frequency_cap: {max: 0, per: 1d}\n",
        "pushflow.yaml:15:24: error: policy.frequency_cap.max: Input should be greater than or "
        "equal to 1 [schema]",
        id="cap-zero",
    ),
    pytest.param(
        '  quiet_hour: {from: "22:00", to: "08:00"}\n',
        "pushflow.yaml:15:3: error: policy.quiet_hour: unknown key; did you mean `quiet_hours`? "
        "[schema-unknown-key]",
        id="unknown-key",
    ),
    pytest.param(
        "  vendor_windows: {xiaomi: {}}\n",
        "pushflow.yaml:15:20: error: policy.vendor_windows.xiaomi: unknown key; expected one of: "
        "vivo [schema-unknown-key]",
        id="unknown-vendor",
    ),
]


@pytest.mark.parametrize(("policy", "expected"), BROKEN_POLICY)
def test_a_broken_policy_is_reported_in_the_project_file(
    policy: str, expected: str, make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project({}, project=PROJECT_YAML + "policy:\n" + policy)
    monkeypatch.chdir(root)
    with pytest.raises(SpecError) as caught:
        load_project(Path("pushflow.yaml"), now=NOW)
    assert [str(p) for p in caught.value.problems] == [expected]
