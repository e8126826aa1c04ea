"""EMAS parameter rules through the official client: HTTP 400 with the documented codes.

Seeds: emas-push.zh.txt (parameter table, error table: Invalid%s.Empty / .Format /
.LengthExceed / .BytesExceed, Invalid.Parameter, InvalidPeriod.ExceedDays) and
emas-continuously-push.zh.txt / .en.txt; SDK model docs where a seed cell was lost.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alibabacloud_push20160801 import models as em
from alibabacloud_tea_openapi.exceptions import ClientException

from .conftest import Sdk


def _iso(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


def _push(sdk: Sdk, app_key: int, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "app_key": app_key, "push_type": "NOTICE", "device_type": "ANDROID",
        "target": "DEVICE", "target_value": "d1", "title": "T", "body": "B",
    }  # fmt: skip
    values.update(overrides)
    return sdk.emas.push(em.PushRequest(**values)).body


def _refused(call: Any) -> tuple[int, str]:
    with pytest.raises(ClientException) as error:
        call()
    return error.value.status_code, error.value.code


PUSH_CASES = [
    pytest.param(
        {"target_value": ",".join(f"d{i}" for i in range(1001))},
        "InvalidTargetValue.LengthExceed",
        id="target-value-over-1000-continuously-push",
    ),
    pytest.param(
        {"target": "ACCOUNT", "target_value": "a,,b"},
        "InvalidTargetValue.Format",
        id="target-value-empty-item-emas-push",
    ),
    pytest.param(
        {"target": "ALL", "target_value": "d1"},
        "InvalidTargetValue.Format",
        id="target-all-needs-value-ALL-emas-push",
    ),
    pytest.param({"target": "EVERYONE"}, "InvalidTarget.Format", id="unknown-target-emas-push"),
    pytest.param(
        {"push_time": _iso(timedelta(days=7, minutes=5))},
        "Invalid.Parameter",
        id="push-time-over-7-days-emas-push",
    ),
    pytest.param(
        {"push_time": "2030-01-01 00:00:00"},
        "InvalidPushTime.Format",
        id="push-time-not-iso8601-utc-emas-push",
    ),
    pytest.param(
        {"target": "TBD", "target_value": "TBD", "push_time": _iso(timedelta(hours=1))},
        "Invalid.Parameter",
        id="tbd-cannot-be-scheduled-emas-push",
    ),
    pytest.param(
        {"expire_time": _iso(timedelta(hours=73))},
        "Invalid.Parameter",
        id="expire-time-over-72h-emas-push",
    ),
    pytest.param(
        {"push_time": _iso(timedelta(hours=1)), "expire_time": _iso(timedelta(hours=1))},
        "Invalid.Parameter",
        id="expire-time-not-after-push-time-plus-3s-emas-push",
    ),
    pytest.param({"job_key": "has space"}, "InvalidJobKey.Format", id="jobkey-format-emas-push"),
    pytest.param(
        {"job_key": "a" * 33}, "InvalidJobKey.LengthExceed", id="jobkey-over-32-emas-push"
    ),
    pytest.param(
        {"title": "标" * 67}, "InvalidTitle.BytesExceed", id="title-over-200-bytes-emas-push"
    ),
    pytest.param({"title": None}, "InvalidTitle.Empty", id="android-title-required-emas-push"),
    pytest.param({"body": None}, "InvalidBody.Empty", id="body-required-emas-push"),
    pytest.param({"body": "x" * 4001}, "InvalidBody.BytesExceed", id="body-over-4000-bytes"),
    pytest.param({"push_type": "SMS"}, "InvalidPushType.Format", id="push-type-emas-push"),
    pytest.param(
        {"device_type": "WINDOWS"}, "InvalidDeviceType.Format", id="device-type-emas-push"
    ),
    pytest.param(
        {
            "android_popup_activity": "a.B",
            "android_popup_body": "b",
            "android_popup_title": "t" * 31,
        },
        "InvalidAndroidPopupTitle.LengthExceed",
        id="popup-title-over-30-chars-emas-push",
    ),
    pytest.param(
        {"android_popup_activity": "a.B"},
        "InvalidAndroidPopupTitle.Empty",
        id="popup-activity-needs-title-emas-push",
    ),
    pytest.param(
        {"android_big_body": "b" * 1001},
        "InvalidAndroidBigBody.BytesExceed",
        id="big-body-over-1000-bytes-emas-push",
    ),
    pytest.param(
        {"android_notification_bar_type": 101},
        "Invalid.Parameter",
        id="notification-bar-type-1-100-emas-push",
    ),
    pytest.param(
        {"android_ext_parameters": "[1]"},
        "InvalidAndroidExtParameters.Format",
        id="ext-parameters-json-map-emas-push",
    ),
    pytest.param(
        {"android_inbox_body": '["1","2","3","4","5","6"]'},
        "InvalidAndroidInboxBody.LengthExceed",
        id="inbox-over-5-lines-emas-push",
    ),
    pytest.param(
        {"i_osbadge": 1, "i_osbadge_auto_increment": True},
        "Invalid.Parameter",
        id="badge-with-auto-increment-emas-push",
    ),
    pytest.param(
        {"android_message_oppo_notify_level": 1},
        "InvalidAndroidMessageOppoCategory.Empty",
        id="oppo-level-needs-category-emas-push",
    ),
    pytest.param(
        {"send_channels": "accs,pigeon"}, "InvalidSendChannels.Format", id="send-channels-emas-push"
    ),
    pytest.param(
        {"idempotent_token": "not-a-uuid"},
        "InvalidIdempotentToken.Format",
        id="idempotent-token-uuid-sdk-push-request",
    ),
]


@pytest.mark.parametrize(("overrides", "code"), PUSH_CASES)
def test_push_rules(acs3: Sdk, app_key: int, overrides: dict[str, Any], code: str) -> None:
    """Seed: emas-push.zh.txt (请求参数 and 错误码)."""
    assert _refused(lambda: _push(acs3, app_key, **overrides)) == (400, code)


def test_limits_themselves_are_allowed_emas_push(acs3: Sdk, app_key: int) -> None:
    """Seed: emas-push.zh.txt — exactly 1000 values, 7 days, 72 h, 200 bytes, 32-char JobKey."""
    body = _push(
        acs3, app_key, target_value=",".join(f"d{i}" for i in range(1000)),
        push_time=_iso(timedelta(days=6, hours=23)), job_key="a" * 32, title="t" * 200,
        expire_time=_iso(timedelta(days=6, hours=23) + timedelta(hours=71)),
    )  # fmt: skip
    assert body.message_id


def _tbd(sdk: Sdk, app_key: int) -> str:
    message_id: str = _push(sdk, app_key, target="TBD", target_value="TBD").message_id
    return message_id


@pytest.mark.parametrize(("target", "value", "code"), [
    pytest.param("TAG", "t1", "InvalidTarget.Format", id="tag-not-allowed-continuously-push"),
    pytest.param("ALL", "ALL", "InvalidTarget.Format", id="all-not-allowed-continuously-push"),
    pytest.param("DEVICE", ",".join(f"d{i}" for i in range(1001)),
                 "InvalidTargetValue.LengthExceed", id="over-1000-continuously-push"),
])  # fmt: skip
def test_continuously_push_rules(
    acs3: Sdk, app_key: int, target: str, value: str, code: str
) -> None:
    """Seed: emas-continuously-push.zh.txt — only DEVICE/ACCOUNT/ALIAS, ≤ 1000 per call."""
    message_id = _tbd(acs3, app_key)
    request = em.ContinuouslyPushRequest(
        app_key=app_key, message_id=message_id, target=target, target_value=value
    )
    assert _refused(lambda: acs3.emas.continuously_push(request)) == (400, code)


def test_continuously_push_needs_a_tbd_message_continuously_push(acs3: Sdk, app_key: int) -> None:
    """Seed: emas-continuously-push.zh.txt — the MessageId comes from Push with Target=TBD."""
    plain = _push(acs3, app_key).message_id
    request = em.ContinuouslyPushRequest(
        app_key=app_key, message_id=plain, target="DEVICE", target_value="d"
    )
    assert _refused(lambda: acs3.emas.continuously_push(request)) == (400, "Invalid.Parameter")


def test_completed_continuous_push_accepts_no_more_targets_continuously_push(
    acs3: Sdk, app_key: int
) -> None:
    """Seed: emas-continuously-push.en.txt — CompleteContinuouslyPush ends the message."""
    message_id = _tbd(acs3, app_key)
    acs3.emas.complete_continuously_push(
        em.CompleteContinuouslyPushRequest(app_key=app_key, message_id=message_id)
    )
    request = em.ContinuouslyPushRequest(
        app_key=app_key, message_id=message_id, target="DEVICE", target_value="d"
    )
    assert _refused(lambda: acs3.emas.continuously_push(request)) == (400, "Invalid.Parameter")


def _task(i: int, **extra: Any) -> em.MassPushRequestPushTask:
    values: dict[str, Any] = {
        "push_type": "MESSAGE", "device_type": "iOS", "target": "DEVICE",
        "target_value": f"d{i}", "body": "b",
    }  # fmt: skip
    values.update(extra)
    return em.MassPushRequestPushTask(**values)


def test_mass_push_task_rules_sdk_mass_push_request(acs3: Sdk, app_key: int) -> None:
    """SDK MassPushRequest docs: tasks target DEVICE/ACCOUNT/ALIAS only; ≤ 100 tasks."""
    too_many = em.MassPushRequest(app_key=app_key, push_task=[_task(i) for i in range(101)])
    assert _refused(lambda: acs3.emas.mass_push(too_many)) == (400, "InvalidPushTask.LengthExceed")
    tag = em.MassPushRequest(app_key=app_key, push_task=[_task(1), _task(2, target="TAG")])
    with pytest.raises(ClientException) as error:
        acs3.emas.mass_push(tag)
    assert error.value.code == "InvalidTarget.Format"
    assert "PushTask.2.Target" in error.value.message


def test_query_push_records_span_is_limited(acs3: Sdk, app_key: int) -> None:
    """Seed: emas-push.zh.txt error table — InvalidPeriod.ExceedDays (span: emulator's 7 days)."""
    request = em.QueryPushRecordsRequest(
        app_key=app_key, start_time=_iso(timedelta(days=-8)), end_time=_iso(timedelta(0))
    )
    assert _refused(lambda: acs3.emas.query_push_records(request)) == (
        400, "InvalidPeriod.ExceedDays"
    )  # fmt: skip


def test_missing_app_key_is_empty_emas_push(acs3: Sdk) -> None:
    """Seed: emas-push.zh.txt — AppKey 必填; Invalid%s.Empty."""
    request = em.CancelPushRequest(message_id="1")
    assert _refused(lambda: acs3.emas.cancel_push(request)) == (400, "InvalidAppKey.Empty")
