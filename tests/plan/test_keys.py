"""Idempotency keys are identities: same send, same key; any other send, another key."""

from __future__ import annotations

import random
import re
import uuid

import pytest

from pushflow.plan.build import build_plan
from pushflow.plan.keys import (
    call_identity,
    idempotent_token,
    job_key,
    keys_digest,
    msg_key,
    msg_keys,
)
from pushflow.spec.limits import EMAS_JOB_KEY_PATTERN
from tests.conftest import NOW, MakeProject


def test_msg_key_is_stable_and_fixed_format() -> None:
    key = msg_key("spring-sale", 0, "2026-12-01T08:00", "device-1")
    # pinned: changing the derivation would resend every campaign ever applied
    assert key == msg_key("spring-sale", 0, "2026-12-01T08:00", "device-1")
    assert re.fullmatch(r"[0-9a-f]{32}", key)
    assert key == "312a456e50f6eb4de7dbec6bae6f4301"


@pytest.mark.parametrize(
    "changed",
    [
        ("spring-sale-2", 0, "2026-12-01T08:00", "device-1"),
        ("spring-sale", 1, "2026-12-01T08:00", "device-1"),
        ("spring-sale", 0, "2026-12-02T08:00", "device-1"),
        ("spring-sale", 0, "2026-12-01T08:00", "device-2"),
    ],
    ids=["campaign", "epoch", "occurrence", "target"],
)
def test_every_part_of_the_identity_changes_the_key(changed: tuple[str, int, str, str]) -> None:
    assert msg_key(*changed) != msg_key("spring-sale", 0, "2026-12-01T08:00", "device-1")


def test_parts_cannot_run_into_each_other() -> None:
    assert msg_key("a", 0, "b", "cd") != msg_key("a", 0, "bc", "d")


def test_call_tokens_are_uuids_independent_of_target_order() -> None:
    token = idempotent_token("c", 0, "now", ["d2", "d1", "d3"])
    assert token == idempotent_token("c", 0, "now", ["d3", "d1", "d2"])
    assert token != idempotent_token("c", 0, "now", ["d1", "d2"])
    assert uuid.UUID(token).version == 5
    assert len(token) == 36
    assert call_identity(["b", "a"]) == call_identity(["a", "b"])


def test_job_keys_fit_the_documented_format() -> None:
    key = job_key("a-very-long-campaign-name-that-goes-on", 3, "2026-12-01T08:00")
    assert re.fullmatch(EMAS_JOB_KEY_PATTERN, key)
    assert job_key("c", 0, "now") != job_key("c", 1, "now")


def test_keys_digest_is_short_and_order_sensitive() -> None:
    assert len(keys_digest(["a", "b"])) == 16
    assert keys_digest(["a", "b"]) != keys_digest(["b", "a"])


@pytest.mark.parametrize(
    ("campaign", "epoch", "occurrence", "target"),
    [
        ("spring-sale", 0, "2026-12-01T08:00", "device-1"),
        ("春季促销", 7, "loop:2026-12-01..None@08:00:00", "用户-1"),
        ("c", 0, "now", "*"),
        ("c", 0, "now", "android:d1"),
        ("c", 0, "now", ""),
    ],
)
def test_msg_keys_of_one_occurrence_are_msg_key(
    campaign: str, epoch: int, occurrence: str, target: str
) -> None:
    keys = msg_keys(campaign, epoch, occurrence)
    assert keys(target) == msg_key(campaign, epoch, occurrence, target)
    assert keys(target) == keys(target)  # the shared prefix is not consumed
    assert msg_keys("spring-sale", 0, "2026-12-01T08:00")("device-1") == (
        "312a456e50f6eb4de7dbec6bae6f4301"
    )


CAMPAIGN = """\
name: keyed
provider: emas
app: shop-emas
message:
  kind: notice
  title: Hi
  body: "Hello {{ row.name }}"
audience:
  kind: account
  device_type: all
  source:
    csv: users.csv
    id_column: user_id
strategy:
  every: day
  at: "09:00"
  from: 2026-11-23
  execute: local
epoch: 3
"""


def test_plan_key_digests_are_those_of_every_send(
    make_project: MakeProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Compile reads the audience once for rendering and for the keys of every occurrence and
    platform; each group's digest is still keys_digest of msg_key of each send, in target order."""
    ids = [f"u{n:04}" for n in random.Random(3).sample(range(5000), 2500)]
    users = "user_id,name\n" + "".join(f"{t},n{t}\n" for t in [*ids, *ids[:10]])
    root = make_project({"campaigns/c.yaml": CAMPAIGN, "campaigns/users.csv": users})
    monkeypatch.chdir(root)
    plan = build_plan([], project_file=root / "pushflow.yaml", now=NOW, environ={})
    (campaign,) = plan.campaigns
    assert len(campaign.groups) == 7
    for group in campaign.groups:
        expected = keys_digest(
            msg_key("keyed", 3, group.occurrence, f"{platform}:{target}")
            for target in sorted(ids)
            for platform in ("android", "ios")
        )
        assert group.key_digest == expected
