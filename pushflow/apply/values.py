"""From spec values to wire values: one explicit table per enum field, and the rules by type.

The spec keeps human values (``long-text``, ``production``, ``7d``) and states the wire value of
each in the field's description; these tables are that statement as data, keyed by the request
parameter (``x-wire``) or, for an entry of a map parameter, ``Parameter.key``
(``NotifyLevel.oppo``). ``tests/apply/test_values.py`` checks that every enum field of the spec
has a table covering exactly its values, and every entry.

Other values convert by type (:func:`emas_value`, :func:`mpaas_value`):

- durations: seconds (``SmsDelaySecs``, ``ExpiredSeconds``) or, for the parameters in
  :data:`EPOCH_SECONDS`, the epoch-seconds instant *occurrence + duration*;
- JSON objects and line lists: compact JSON strings (the providers' ``compact_json``);
- mPaaS booleans: ``1`` / ``0`` (``Silent``); in ``extendedParams`` ``true`` is ``"1"`` and
  ``false`` is left out (the service documents only the value 1);
- EMAS booleans stay booleans (the provider sends them as the SDK does).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Final

from pushflow.providers.wire import compact_json
from pushflow.timing.wire import EPOCH, SECOND

EnumTable = Mapping[str, str | int]


def upper(*values: str) -> dict[str, str]:
    """The documented rule "upper case with '-' as '_'": ``device-reminder`` → DEVICE_REMINDER."""
    return {value: value.upper().replace("-", "_") for value in values}


def same(*values: str) -> dict[str, str]:
    """Values the service takes exactly as the spec spells them."""
    return {value: value for value in values}


#: Production or test sends on a vendor channel (wire 0 / 1).
ENVIRONMENT: Final[dict[str, str | int]] = {"production": 0, "test": 1}
_VENDOR_CATEGORIES: Final[tuple[str, ...]] = (
    *("im", "account", "device-reminder", "order", "todo", "subscription"),
    *("news", "content", "marketing", "social"),
)
_HARMONY_CATEGORIES: Final[tuple[str, ...]] = (
    *("im", "voip", "subscription", "travel", "health", "work", "account", "express"),
    *("finance", "device-reminder", "mail", "customer-service", "marketing"),
)

#: EMAS Push (2016-08-01) enum parameters.
EMAS_ENUMS: Final[dict[str, EnumTable]] = {
    "PushType": {"notice": "NOTICE", "message": "MESSAGE"},
    "Target": upper("device", "account", "alias", "tag", "all"),
    "DeviceType": {"android": "ANDROID", "ios": "iOS", "harmony": "HARMONY", "all": "ALL"},
    "AndroidOpenType": upper("application", "activity", "url", "none"),
    "AndroidNotifyType": upper("vibrate", "sound", "both", "none"),
    "AndroidRenderStyle": {"standard": "0", "long-text": "1", "big-picture": "2", "inbox": "3"},
    "AndroidTargetUserType": ENVIRONMENT,
    "AndroidMessageHuaweiUrgency": upper("high", "normal"),
    "AndroidNotificationHuaweiChannel": upper("low", "normal"),
    "AndroidHuaweiBusinessType": {"standard": 0, "quick-notification": 1},
    "AndroidHuaweiTargetUserType": ENVIRONMENT,
    "AndroidNotificationHonorChannel": upper("low", "normal"),
    "AndroidHonorTargetUserType": ENVIRONMENT,
    "AndroidMessageOppoCategory": upper(*_VENDOR_CATEGORIES),
    "AndroidMessageOppoNotifyLevel": {"notification-bar": 1, "lock-screen": 2, "banner": 16},
    "AndroidOppoIntentEnv": ENVIRONMENT,
    "AndroidMessageVivoCategory": upper(*_VENDOR_CATEGORIES),
    "AndroidNotificationVivoChannel": {"operational": "0", "system": "1"},
    "AndroidVivoPushMode": ENVIRONMENT,
    "AndroidMeizuNoticeMsgType": {"public": 0, "private": 1},
    "iOSApnsEnv": {"development": "DEV", "production": "PRODUCT"},
    "iOSInterruptionLevel": same("passive", "active", "time-sensitive", "critical"),
    "iOSLiveActivityEvent": same("start", "update", "end"),
    "HarmonyCategory": upper(*_HARMONY_CATEGORIES),
    "HarmonyNotificationSlotType": upper(
        "social-communication",
        "service-information",
        "content-information",
        "customer-service",
        "other-types",
    ),
    "HarmonyActionType": upper("app-home-page", "app-custom-page"),
    "HarmonyRenderStyle": upper("normal", "multi-line"),
    "SmsSendPolicy": {"not-received": 0, "not-opened": 1},
}

_PERIODS: Final[dict[str, str | int]] = {"7d": 1, "15d": 2, "60d": 3, "forever": 4}

#: mPaaS Message Push (2020-10-28) enum parameters; map entries as ``Parameter.key``.
MPAAS_ENUMS: Final[dict[str, EnumTable]] = {
    "DeliveryType": {"android_device": 1, "ios_device": 2, "user": 3, "harmony_device": 7},
    "PushStyle": {"default": 0, "big-text": 1, "picture": 2},
    "PushAction": {"url": 0, "activity": 1},
    "NotifyType": same("notify", "transparent"),
    "Classification": {"operational": "0", "system": "1"},
    "NotifyLevel.oppo": {"notification-bar": "1", "lock-screen": "2", "banner": "3"},
    "TransparentMessageUrgency": upper("high", "normal"),
    "ActivityEvent": same("update", "end"),
    "SmsStrategy": {"fallback": 1, "parallel": 2},
    "PushStatus": {"bound": 0, "all": 1, "unbound": 2},
    "BindPeriod": _PERIODS,
    "UnBindPeriod": _PERIODS,
    "AndroidChannel": {"mps": 1, "default": 2},
}
#: ``DeliveryType`` of a broadcast, from its ``platform`` (broadcasts are by device only).
MPAAS_BROADCAST_DELIVERY: Final[EnumTable] = {"android": 1, "ios": 2}
#: Keys of the ``ImageUrls`` / ``IconUrls`` JSON maps, from the spec's channel names.
MPAAS_URL_KEYS: Final[dict[str, str]] = {
    "default": "defaultUrl",
    "hms": "hmsUrl",
    "oppo": "oppoUrl",
    "miui": "miuiUrl",
    "fcm": "fcmUrl",
    "ios": "iosUrl",
}

#: Durations sent as the epoch-seconds instant *occurrence + duration*.
EPOCH_SECONDS: Final = frozenset(
    {"DismissalDate", "iOSLiveActivityStaleDate", "iOSLiveActivityDismissalDate"}
)
#: EMAS map parameters the provider model takes as maps (it serialises them itself).
EMAS_MAPS: Final = frozenset(
    {"AndroidOppoPrivateTitleParameters", "AndroidOppoPrivateContentParameters"}
)


def enum_table(provider: str, table: str | None, path: tuple[str | int, ...]) -> EnumTable | None:
    """The table of an enum spec field: ``table`` is its ``Parameter[.key]`` name, ``path`` its
    spec path (a broadcast's ``audience.platform`` has its own ``DeliveryType`` table)."""
    if provider == "mpaas" and path == ("audience", "platform"):
        return MPAAS_BROADCAST_DELIVERY
    tables = MPAAS_ENUMS if provider == "mpaas" else EMAS_ENUMS
    return tables.get(table) if table is not None else None


def epoch_seconds(instant: datetime) -> int:
    """Seconds since the epoch (floored)."""
    return (instant - EPOCH) // SECOND


def seconds(duration: timedelta) -> int:
    """Whole seconds of a duration."""
    return duration // SECOND


def _duration(wire: str, value: timedelta, instant: datetime) -> int:
    return epoch_seconds(instant + value) if wire in EPOCH_SECONDS else seconds(value)


def enum_value(tables: Mapping[str, EnumTable], name: str, value: str) -> str | int:
    """The wire value of ``value`` in table ``name``; KeyError names both when it is missing."""
    try:
        return tables[name][value]
    except KeyError:
        raise KeyError(f"no wire value for {name} {value!r}") from None


def emas_value(wire: str, value: Any, *, instant: datetime) -> Any:
    """The value of EMAS parameter ``wire`` (rendered spec value in, model value out)."""
    if wire in EMAS_ENUMS:
        return enum_value(EMAS_ENUMS, wire, value)
    if isinstance(value, timedelta):
        return _duration(wire, value, instant)
    if wire == "SendChannels":
        return ",".join(value)
    if wire == "SmsParams":
        return "&".join(f"{key}={item}" for key, item in value.items())
    if isinstance(value, dict | list) and wire not in EMAS_MAPS:
        return compact_json(value)
    return value


def mpaas_value(wire: str, value: Any, *, instant: datetime, key: str | None = None) -> Any:
    """The value of mPaaS parameter ``wire`` (or of its map entry ``key``)."""
    name = f"{wire}.{key}" if key is not None else wire
    if name in MPAAS_ENUMS:
        return enum_value(MPAAS_ENUMS, name, value)
    if isinstance(value, timedelta):
        return _duration(wire, value, instant)
    if isinstance(value, bool):
        return 1 if value else 0
    if wire in ("ImageUrls", "IconUrls"):
        return {MPAAS_URL_KEYS[channel]: str(url) for channel, url in value.items()}
    if wire == "SmsTemplateParam":
        return compact_json(value)
    return value


def extended_value(value: Any) -> str | None:
    """An ``extendedParams`` value: text; ``true`` is ``"1"``, ``false`` is left out."""
    if isinstance(value, bool):
        return "1" if value else None
    return str(value)
