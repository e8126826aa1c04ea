"""The value tables: every enum field of the spec has a table covering exactly its values, each
entry converts as written, and the conversions by type."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pushflow.apply.params import SpecField
from pushflow.apply.values import (
    EMAS_ENUMS,
    MPAAS_BROADCAST_DELIVERY,
    MPAAS_ENUMS,
    EnumTable,
    emas_value,
    enum_table,
    extended_value,
    mpaas_value,
    upper,
)
from pushflow.apply.wire_doc import EMAS_ROOTS, MPAAS_ROOTS, fields

AT = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)


def enum_fields(provider: str) -> list[SpecField]:
    roots = MPAAS_ROOTS if provider == "mpaas" else EMAS_ROOTS
    return [field for field in fields(roots) if field.choices]


@pytest.mark.parametrize("provider", ["mpaas", "emas"])
def test_every_enum_field_has_a_table_of_exactly_its_values(provider: str) -> None:
    for field in enum_fields(provider):
        table = enum_table(provider, field.meta.table, field.path)
        assert table is not None, f"{field.path}: no table for {field.meta.table}"
        assert sorted(table) == sorted(field.choices), field.path


@pytest.mark.parametrize("provider", ["mpaas", "emas"])
def test_every_table_serves_a_field(provider: str) -> None:
    used = {field.meta.table for field in enum_fields(provider)}
    tables = MPAAS_ENUMS if provider == "mpaas" else EMAS_ENUMS
    assert set(tables) <= used


EMAS_ENTRIES = [
    (name, spec, wire) for name, table in EMAS_ENUMS.items() for spec, wire in table.items()
]
MPAAS_ENTRIES = [
    (name, spec, wire) for name, table in MPAAS_ENUMS.items() for spec, wire in table.items()
]


@pytest.mark.parametrize(("name", "spec", "wire"), EMAS_ENTRIES)
def test_emas_entry(name: str, spec: str, wire: str | int) -> None:
    assert emas_value(name, spec, instant=AT) == wire


@pytest.mark.parametrize(("name", "spec", "wire"), MPAAS_ENTRIES)
def test_mpaas_entry(name: str, spec: str, wire: str | int) -> None:
    parameter, _, key = name.partition(".")
    assert mpaas_value(parameter, spec, instant=AT, key=key or None) == wire


# The wire values the field descriptions state, spelled out once more: a table edited by
# mistake fails here even when it still covers every value.
DOCUMENTED = [
    (EMAS_ENUMS["DeviceType"], "ios", "iOS"),
    (EMAS_ENUMS["AndroidRenderStyle"], "big-picture", "2"),
    (EMAS_ENUMS["AndroidMessageOppoNotifyLevel"], "banner", 16),
    (EMAS_ENUMS["AndroidMessageOppoCategory"], "device-reminder", "DEVICE_REMINDER"),
    (EMAS_ENUMS["AndroidNotificationVivoChannel"], "system", "1"),
    (EMAS_ENUMS["AndroidHuaweiBusinessType"], "quick-notification", 1),
    (EMAS_ENUMS["AndroidVivoPushMode"], "test", 1),
    (EMAS_ENUMS["AndroidMeizuNoticeMsgType"], "private", 1),
    (EMAS_ENUMS["iOSApnsEnv"], "development", "DEV"),
    (EMAS_ENUMS["iOSApnsEnv"], "production", "PRODUCT"),
    (EMAS_ENUMS["iOSInterruptionLevel"], "time-sensitive", "time-sensitive"),
    (EMAS_ENUMS["HarmonyNotificationSlotType"], "other-types", "OTHER_TYPES"),
    (EMAS_ENUMS["HarmonyActionType"], "app-custom-page", "APP_CUSTOM_PAGE"),
    (EMAS_ENUMS["HarmonyRenderStyle"], "multi-line", "MULTI_LINE"),
    (EMAS_ENUMS["SmsSendPolicy"], "not-opened", 1),
    (MPAAS_ENUMS["DeliveryType"], "harmony_device", 7),
    (MPAAS_ENUMS["PushStyle"], "big-text", 1),
    (MPAAS_ENUMS["PushAction"], "activity", 1),
    (MPAAS_ENUMS["NotifyLevel.oppo"], "banner", "3"),
    (MPAAS_ENUMS["Classification"], "operational", "0"),
    (MPAAS_ENUMS["SmsStrategy"], "parallel", 2),
    (MPAAS_ENUMS["PushStatus"], "unbound", 2),
    (MPAAS_ENUMS["UnBindPeriod"], "forever", 4),
    (MPAAS_ENUMS["AndroidChannel"], "mps", 1),
    (MPAAS_BROADCAST_DELIVERY, "ios", 2),
]


@pytest.mark.parametrize(("table", "spec", "wire"), DOCUMENTED)
def test_documented_wire_values(table: EnumTable, spec: str, wire: str | int) -> None:
    assert table[spec] == wire


def test_upper_is_the_documented_rule() -> None:
    assert upper("device-reminder", "im") == {"device-reminder": "DEVICE_REMINDER", "im": "IM"}


@pytest.mark.parametrize(
    ("wire", "value", "expected"),
    [
        ("SmsDelaySecs", timedelta(minutes=15), 900),
        ("iOSLiveActivityStaleDate", timedelta(hours=1), int(AT.timestamp()) + 3600),
        ("iOSLiveActivityDismissalDate", timedelta(hours=4), int(AT.timestamp()) + 4 * 3600),
        ("SendChannels", ["accs", "apns"], "accs,apns"),
        ("SmsParams", {"code": "42", "name": "Ann"}, "code=42&name=Ann"),
        ("AndroidInboxBody", ["one", "两"], '["one","两"]'),
        ("AndroidExtParameters", {"k": {"n": 1}}, '{"k":{"n":1}}'),
        ("AndroidOppoPrivateTitleParameters", {"name": "Ann"}, {"name": "Ann"}),
        ("StoreOffline", True, True),
        ("AndroidNotificationBarPriority", -2, -2),
        ("iOSRelevanceScore", 0.5, 0.5),
        ("AndroidActivity", "com.example.A", "com.example.A"),
    ],
)
def test_emas_values_by_type(wire: str, value: object, expected: object) -> None:
    assert emas_value(wire, value, instant=AT) == expected


@pytest.mark.parametrize(
    ("wire", "value", "expected"),
    [
        ("ExpiredSeconds", timedelta(hours=6), 21600),
        ("DismissalDate", timedelta(minutes=30), int(AT.timestamp()) + 1800),
        ("Silent", True, 1),
        ("Silent", False, 0),
        ("ImageUrls", {"default": "https://a/p.png", "miui": "https://a/m.png"},
         {"defaultUrl": "https://a/p.png", "miuiUrl": "https://a/m.png"}),
        ("IconUrls", {"hms": "https://a/h.png", "fcm": "https://a/f.png", "ios": "https://a/i.png"},
         {"hmsUrl": "https://a/h.png", "fcmUrl": "https://a/f.png", "iosUrl": "https://a/i.png"}),
        ("SmsTemplateParam", {"code": "42"}, '{"code":"42"}'),
        ("ActivityContentState", {"eta": 5}, {"eta": 5}),
        ("ChannelId", "orders", "orders"),
    ],
)  # fmt: skip
def test_mpaas_values_by_type(wire: str, value: object, expected: object) -> None:
    assert mpaas_value(wire, value, instant=AT) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [(True, "1"), (False, None), (3, "3"), ("ping.caf", "ping.caf")]
)
def test_extended_params_values(value: object, expected: str | None) -> None:
    assert extended_value(value) == expected


def test_an_unknown_enum_value_names_its_table() -> None:
    with pytest.raises(KeyError, match="no wire value for PushType 'memo'"):
        emas_value("PushType", "memo", instant=AT)
