"""Validation of one EMAS push (a Push call or one MassPush ``PushTask.N``).

Rules from emas-push.zh.txt (parameter table and error table) and the SDK ``PushRequest`` /
``MassPushRequest`` model docs; limits in :mod:`pushflow.emulator.limits`. Errors are HTTP 400
``Invalid<Param>.Empty|Format|LengthExceed|BytesExceed`` or ``Invalid.Parameter``; the message
names the full parameter path (``PushTask.2.TargetValue``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pushflow.emulator import errors as err
from pushflow.emulator import limits as lim

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
PUSH_TYPES = ("MESSAGE", "NOTICE")
DEVICE_TYPES = ("iOS", "ANDROID", "ALL", "HARMONY")
ALL_TARGETS = ("DEVICE", "ACCOUNT", "ALIAS", "TAG", "ALL", "TBD")
LIST_TARGETS = ("DEVICE", "ACCOUNT", "ALIAS")
CHANNELS = frozenset(
    ["accs", "huawei", "honor", "xiaomi", "oppo", "vivo", "meizu", "gcm", "fcm", "apns", "harmony"]
)


@dataclass(frozen=True)
class PushSpec:
    """A validated push."""

    push_type: str
    device_type: str
    target: str
    target_values: tuple[str, ...]
    title: str
    body: str
    push_time: datetime | None
    expire_time: datetime | None
    job_key: str


def parse_time(values: Mapping[str, str], name: str, where: str) -> datetime | None:
    raw = values.get(name, "").strip()
    if not raw:
        return None
    try:
        return datetime.strptime(raw, TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise err.bad_format(name, f"{where}{name} must be YYYY-MM-DDThh:mm:ssZ (UTC).") from None


def target_values(target: str, raw: str, where: str) -> tuple[str, ...]:
    """Per-target TargetValue rules; list targets hold at most 1000 comma-separated values."""
    if not raw.strip():
        raise err.empty("TargetValue")
    if target in LIST_TARGETS:
        items = [v.strip() for v in raw.split(",")]
        if any(not v for v in items):
            raise err.bad_format("TargetValue", f"{where}TargetValue has an empty item.")
        if len(items) > lim.EMAS_MAX_TARGET_VALUES:
            raise err.length_exceed("TargetValue", lim.EMAS_MAX_TARGET_VALUES)
        return tuple(dict.fromkeys(items))
    if target in ("ALL", "TBD") and raw.strip().upper() != target:
        raise err.bad_format(
            "TargetValue", f"{where}TargetValue must be {target} for Target {target}."
        )
    if target == "TAG" and raw.strip().startswith("{"):
        try:
            json.loads(raw)
        except ValueError:
            raise err.bad_format(
                "TargetValue", f"{where}TargetValue is not a valid tag expression."
            ) from None
    return (raw.strip(),)


def _enum(values: Mapping[str, str], name: str, allowed: tuple[str, ...], where: str) -> str:
    raw = values.get(name, "").strip()
    if not raw:
        raise err.empty(name)
    if raw not in allowed:
        raise err.bad_format(name, f"{where}{name} must be one of {', '.join(allowed)}.")
    return raw


def _int_in(values: Mapping[str, str], name: str, low: int, high: int, where: str) -> None:
    raw = values.get(name, "").strip()
    if not raw:
        return
    try:
        number = int(raw)
    except ValueError:
        raise err.bad_format(name, f"{where}{name} must be an integer.") from None
    if not low <= number <= high:
        raise err.invalid_parameter(f"{where}{name} must be within [{low}, {high}].")


def _json(values: Mapping[str, str], name: str, kind: type, where: str) -> Any:
    raw = values.get(name, "").strip()
    if not raw:
        return None
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    if not isinstance(parsed, kind):
        shape = "JSON object" if kind is dict else "JSON array"
        raise err.bad_format(name, f"{where}{name} must be a {shape}.")
    return parsed


def _bytes(values: Mapping[str, str], name: str, limit: int) -> None:
    if len(values.get(name, "").encode("utf-8")) > limit:
        raise err.bytes_exceed(name, limit)


def _chars(values: Mapping[str, str], name: str, limit: int) -> None:
    if len(values.get(name, "")) > limit:
        raise err.length_exceed(name, limit)


def _bool(values: Mapping[str, str], name: str, where: str) -> bool:
    raw = values.get(name, "").strip().lower()
    if raw not in ("", "true", "false"):
        raise err.bad_format(name, f"{where}{name} must be true or false.")
    return raw == "true"


def _extras(v: Mapping[str, str], where: str) -> None:
    """Android / iOS / HarmonyOS / SMS parameter rules of emas-push.zh.txt."""
    _chars(v, "AndroidPopupTitle", lim.EMAS_MAX_POPUP_TITLE_CHARS)
    _chars(v, "AndroidPopupBody", lim.EMAS_MAX_POPUP_BODY_CHARS)
    if v.get("AndroidPopupActivity", "").strip():
        for name in ("AndroidPopupTitle", "AndroidPopupBody"):
            if not v.get(name, "").strip():
                raise err.empty(name)
    _bytes(v, "AndroidBigTitle", lim.EMAS_MAX_BIG_TITLE_BYTES)
    _bytes(v, "AndroidBigBody", lim.EMAS_MAX_BIG_BODY_BYTES)
    for name in ("AndroidExtParameters", "iOSExtParameters", "HarmonyExtParameters"):
        _json(v, name, dict, where)
    inbox = _json(v, "AndroidInboxBody", list, where)
    if inbox is not None and len(inbox) > lim.EMAS_MAX_INBOX_LINES:
        raise err.length_exceed("AndroidInboxBody", lim.EMAS_MAX_INBOX_LINES)
    harmony_inbox = _json(v, "HarmonyInboxContent", list, where)
    if harmony_inbox is not None and len(harmony_inbox) > lim.EMAS_MAX_HARMONY_INBOX_LINES:
        raise err.length_exceed("HarmonyInboxContent", lim.EMAS_MAX_HARMONY_INBOX_LINES)
    if v.get("HarmonyRenderStyle", "").strip() == "MULTI_LINE" and not harmony_inbox:
        raise err.empty("HarmonyInboxContent")
    if v.get("HarmonyActionType", "").strip() == "APP_CUSTOM_PAGE" and not (
        v.get("HarmonyUri", "").strip() or v.get("HarmonyAction", "").strip()
    ):
        raise err.invalid_parameter(f"{where}HarmonyUri or HarmonyAction is required.")
    _int_in(v, "AndroidNotificationBarType", *lim.EMAS_BAR_TYPE_RANGE, where)
    _int_in(v, "AndroidNotificationBarPriority", *lim.EMAS_BAR_PRIORITY_RANGE, where)
    _int_in(v, "AndroidBadgeSetNum", *lim.EMAS_BADGE_SET_RANGE, where)
    _int_in(v, "SmsDelaySecs", 0, lim.EMAS_MAX_SMS_DELAY_SECS, where)
    if _bool(v, "iOSBadgeAutoIncrement", where) and v.get("iOSBadge", "").strip():
        raise err.invalid_parameter(
            f"{where}iOSBadge must be empty when iOSBadgeAutoIncrement is true."
        )
    score = v.get("iOSRelevanceScore", "").strip()
    if score:
        try:
            ok = 0.0 <= float(score) <= 1.0
        except ValueError:
            ok = False
        if not ok:
            raise err.invalid_parameter(f"{where}iOSRelevanceScore must be within [0, 1].")
    if (
        v.get("AndroidMessageOppoNotifyLevel", "").strip()
        and not v.get("AndroidMessageOppoCategory", "").strip()
    ):
        raise err.empty("AndroidMessageOppoCategory")
    open_type = v.get("AndroidOpenType", "").strip().upper()
    if open_type and open_type not in ("APPLICATION", "ACTIVITY", "URL", "NONE"):
        raise err.bad_format("AndroidOpenType", f"{where}AndroidOpenType is unknown.")
    if open_type == "URL" and not v.get("AndroidOpenUrl", "").strip():
        raise err.empty("AndroidOpenUrl")
    if open_type == "ACTIVITY" and not v.get("AndroidActivity", "").strip():
        raise err.empty("AndroidActivity")
    env = v.get("iOSApnsEnv", "").strip()
    if env and env not in ("DEV", "PRODUCT"):
        raise err.bad_format("iOSApnsEnv", f"{where}iOSApnsEnv must be DEV or PRODUCT.")
    channels = {c.strip() for c in v.get("SendChannels", "").split(",") if c.strip()}
    if channels - CHANNELS:
        raise err.bad_format(
            "SendChannels", f"unknown channel(s) {', '.join(sorted(channels - CHANNELS))}."
        )
    for name in ("StoreOffline", "iOSRemind", "AndroidRemind", "Trim", "iOSSilentNotification"):
        _bool(v, name, where)


def validate_push(
    values: Mapping[str, str],
    now: datetime,
    *,
    targets: tuple[str, ...] = ALL_TARGETS,
    where: str = "",
) -> PushSpec:
    """Validate one push; raise :class:`pushflow.emulator.errors.ApiError` on the first fault."""
    push_type = _enum(values, "PushType", PUSH_TYPES, where)
    device_type = _enum(values, "DeviceType", DEVICE_TYPES, where)
    target = _enum(values, "Target", targets, where)
    target_list = target_values(target, values.get("TargetValue", ""), where)
    body = values.get("Body", "")
    if not body.strip():
        raise err.empty("Body")
    _bytes(values, "Body", lim.EMAS_MAX_BODY_BYTES)
    title = values.get("Title", "")
    if device_type in ("ANDROID", "HARMONY") and not title.strip():
        raise err.empty("Title")
    _bytes(values, "Title", lim.EMAS_MAX_TITLE_BYTES)
    push_time = _push_time(values, now, target, where)
    expire_time = _expire_time(values, now, push_time, where)
    job_key = values.get("JobKey", "").strip()
    if len(job_key) > 32:
        raise err.length_exceed("JobKey", 32)
    if job_key and not re.fullmatch(lim.EMAS_JOBKEY_PATTERN, job_key):
        raise err.bad_format("JobKey", "Only letters, digits, '_' and '-' are allowed.")
    _extras(values, where)
    return PushSpec(
        push_type, device_type, target, target_list, title, body, push_time, expire_time, job_key
    )


def _push_time(
    values: Mapping[str, str], now: datetime, target: str, where: str
) -> datetime | None:
    push_time = parse_time(values, "PushTime", where)
    if push_time is None:
        return None
    if target == "TBD":
        raise err.invalid_parameter(f"{where}PushTime is not supported when Target is TBD.")
    if push_time - now > lim.EMAS_MAX_PUSH_AHEAD:
        raise err.invalid_parameter(f"{where}PushTime must be at most 7 days ahead.")
    return push_time


def _expire_time(
    values: Mapping[str, str], now: datetime, push_time: datetime | None, where: str
) -> datetime | None:
    expire_time = parse_time(values, "ExpireTime", where)
    if expire_time is None:
        return None
    base = max(now, push_time) if push_time else now
    if expire_time <= base + lim.EMAS_MIN_EXPIRE_AFTER:
        raise err.invalid_parameter(
            f"{where}ExpireTime must be later than the current or push time plus 3 seconds."
        )
    if expire_time - base > lim.EMAS_MAX_EXPIRE_AFTER:
        raise err.invalid_parameter(f"{where}ExpireTime must be at most 72 hours after the push.")
    return expire_time


def app_key(values: Mapping[str, str]) -> str:
    raw = values.get("AppKey", "").strip()
    if not raw:
        raise err.empty("AppKey")
    if not raw.isdigit():
        raise err.bad_format("AppKey", "AppKey must be a number.")
    return raw


def required(values: Mapping[str, str], name: str) -> str:
    raw = values.get(name, "").strip()
    if not raw:
        raise err.empty(name)
    return raw
