"""Idempotency keys are identities: same send, same key; any other send, another key."""

from __future__ import annotations

import re
import uuid

import pytest

from pushflow.plan.keys import (
    call_identity,
    idempotent_token,
    job_key,
    keys_digest,
    msg_key,
)
from pushflow.spec.limits import EMAS_JOB_KEY_PATTERN


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
