"""Target id rules per audience kind, each with the message a user sees."""

from __future__ import annotations

import pytest

from pushflow.audience.ids import EMAS_ALIAS, EMAS_DEVICE, IdRule, baseline, checked, id_rule
from pushflow.audience.sources import Row, RowError
from pushflow.errors import Location
from pushflow.spec.audience import AudienceSource, EmasAudience, MpaasBroadcast, MpaasListAudience

DEVICE = "0123456789abcdefghijklmnopqrstuv"
USER = baseline("an mPaaS user id")
BASELINE_RULE = "at most 256 characters, no comma, whitespace or control character"
ALIAS_RULE = "at most 128 bytes of UTF-8, no comma, whitespace or control character"

VALID = [
    (EMAS_DEVICE, DEVICE),
    (EMAS_DEVICE, "0" * 32),
    (EMAS_ALIAS, "vip-用户"),
    (EMAS_ALIAS, "中" * 42),  # 126 bytes
    (EMAS_ALIAS, "a" * 128),
    (USER, "userid1024"),
    (USER, "x" * 256),
    (USER, "用户" * 128),  # 256 characters, 768 bytes: no byte limit is stated
]

INVALID = [
    (
        EMAS_DEVICE,
        DEVICE.upper(),
        f"`{DEVICE.upper()}` is not an EMAS device id: expected 32 digits and lowercase "
        "letters (`A` is not allowed)",
    ),
    (
        EMAS_DEVICE,
        DEVICE[:31],
        f"`{DEVICE[:31]}` is not an EMAS device id: expected 32 digits and lowercase letters "
        "(it has 31 characters)",
    ),
    (
        EMAS_DEVICE,
        "d1,d2",
        "`d1,d2` is not an EMAS device id: expected 32 digits and lowercase letters "
        "(it holds a comma)",
    ),
    (
        EMAS_ALIAS,
        "中" * 43,
        f"`{'中' * 40}…` is not an EMAS alias: expected {ALIAS_RULE} (it has 129 bytes)",
    ),
    (EMAS_ALIAS, "a b", f"`a b` is not an EMAS alias: expected {ALIAS_RULE} (it holds whitespace)"),
    (EMAS_ALIAS, "a,b", f"`a,b` is not an EMAS alias: expected {ALIAS_RULE} (it holds a comma)"),
    (
        USER,
        "u\x00",
        f"'u\\x00' is not an mPaaS user id: expected {BASELINE_RULE} (it holds the character "
        "'\\x00')",
    ),
    (
        USER,
        "\ud800",
        f"'\\ud800' is not an mPaaS user id: expected {BASELINE_RULE} (it holds the character "
        "'\\ud800')",
    ),
    (
        USER,
        "x" * 257,
        f"`{'x' * 40}…` is not an mPaaS user id: expected {BASELINE_RULE} (it has 257 characters)",
    ),
]


@pytest.mark.parametrize(("rule", "target"), VALID)
def test_valid_ids(rule: IdRule, target: str) -> None:
    assert rule.check(target) is None


@pytest.mark.parametrize(("rule", "target", "message"), INVALID)
def test_invalid_ids_say_what_was_expected(rule: IdRule, target: str, message: str) -> None:
    assert rule.check(target) == message


SOURCE = AudienceSource(inline=["x"])


@pytest.mark.parametrize(
    ("audience", "name"),
    [
        (EmasAudience(kind="device", device_type="ios", source=SOURCE), "an EMAS device id"),
        (EmasAudience(kind="alias", device_type="all", source=SOURCE), "an EMAS alias"),
        (EmasAudience(kind="account", device_type="all", source=SOURCE), "an EMAS account"),
        (MpaasListAudience(kind="android_device", source=SOURCE), "an mPaaS Android device id"),
        (MpaasListAudience(kind="ios_device", source=SOURCE), "an mPaaS iOS device id"),
        (MpaasListAudience(kind="harmony_device", source=SOURCE), "an mPaaS Harmony device id"),
        (MpaasListAudience(kind="user", source=SOURCE), "an mPaaS user id"),
    ],
)
def test_each_list_kind_has_a_rule(audience: EmasAudience | MpaasListAudience, name: str) -> None:
    rule = id_rule(audience)
    assert rule is not None
    assert rule.name == name


@pytest.mark.parametrize(
    "audience",
    [
        EmasAudience(kind="tag", device_type="all", tag="vip"),
        EmasAudience(kind="all", device_type="all"),
        MpaasBroadcast(kind="broadcast", platform="android", bind_period="7d"),
    ],
)
def test_expanded_kinds_have_no_rule(audience: EmasAudience | MpaasBroadcast) -> None:
    assert id_rule(audience) is None


def test_checked_turns_bad_ids_into_positioned_errors() -> None:
    where = Location("audiences/a.csv", row=7)
    good = Row(DEVICE, {"id": DEVICE}, Location("audiences/a.csv", row=6))
    items = list(checked([good, Row("nope", {"id": "nope"}, where)], EMAS_DEVICE))
    assert items[0] is good
    assert isinstance(items[1], RowError)
    assert str(items[1].problem) == (
        "audiences/a.csv row 7: error: `nope` is not an EMAS device id: expected 32 digits and "
        "lowercase letters (it has 4 characters) [audience-row-id]"
    )
