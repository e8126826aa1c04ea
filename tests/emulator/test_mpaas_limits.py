"""mPaaS parameter rules through the official client: each answers its documented result code.

Result codes: mpaas-server-api.zh.txt "API 调用结果码"; limits: mpaas-server-api.zh.txt parameter
tables and mpaas-push-multiple.en.txt. Business refusals are HTTP 200 with ResultCode set.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alibabacloud_mpaas20201028 import models as mm

from .conftest import Api, Sdk


def _ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


def _simple(sdk: Sdk, app_id: str, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "app_id": app_id, "workspace_id": "default", "task_name": "t", "title": "T",
        "content": "C", "delivery_type": 3, "expired_seconds": 300,
        "target_msgkey": json.dumps({"u1": f"{app_id}-k1"}),
    }  # fmt: skip
    values.update(overrides)
    return sdk.mpaas.push_simple(mm.PushSimpleRequest(**values)).body


def _targets(n: int, prefix: str = "k") -> str:
    return json.dumps({f"user{i}": f"{prefix}{i}" for i in range(n)})


SIMPLE_CASES = [
    pytest.param(
        {"target_msgkey": _targets(11)}, "3029", id="3029-more-than-10-targets-server-api"
    ),
    pytest.param(
        {"extended_params": json.dumps({f"k{i}": "v" for i in range(21)})},
        "3035",
        id="3035-more-than-20-extended-params-server-api",
    ),
    pytest.param({"extended_params": "{not json"}, "3044", id="3044-extended-params-not-json"),
    pytest.param(
        {"extended_params": json.dumps({"taskId": "x"})},
        "3044",
        id="3044-system-extended-key-server-api",
    ),
    pytest.param(
        {"extended_params": json.dumps({"badge_add_num": "1"})},
        "3059",
        id="3059-badge-add-num-needs-badge-class-server-api",
    ),
    pytest.param({"task_name": None}, "3019", id="3019-missing-task-name-server-api"),
    pytest.param({"expired_seconds": None}, "3020", id="3020-missing-expired-seconds"),
    pytest.param({"expired_seconds": 0}, "3020", id="3020-zero-expired-seconds"),
    pytest.param({"expired_seconds": 72 * 3600 + 1}, "3026", id="3026-expired-seconds-too-long"),
    pytest.param({"target_msgkey": None}, "3021", id="3021-no-target"),
    pytest.param({"target_msgkey": "[1]"}, "3028", id="3028-target-msgkey-not-a-map"),
    pytest.param({"content": ""}, "3024", id="3024-empty-content"),
    pytest.param({"workspace_id": None}, "3003", id="3003-missing-workspace"),
    pytest.param({"delivery_type": 5}, "3009", id="3009-unknown-delivery-type"),
    pytest.param({"content": "x" * 4100}, "3043", id="3043-payload-too-long"),
]


@pytest.mark.parametrize(("overrides", "code"), SIMPLE_CASES)
def test_push_simple_rules(acs3: Sdk, app_id: str, overrides: dict[str, Any], code: str) -> None:
    """Seed: mpaas-server-api.zh.txt (极简推送 and API 调用结果码)."""
    body = _simple(acs3, app_id, **overrides)
    assert (body.result_code, body.push_result.success) == (code, False)


def test_ten_targets_are_accepted_mpaas_server_api(acs3: Sdk, app_id: str) -> None:
    """Seed: mpaas-server-api.zh.txt — "推送目标不可以超过 10 个": 10 is the most allowed."""
    assert _simple(acs3, app_id, target_msgkey=_targets(10, app_id)).result_code == "OK"


def _template(sdk: Sdk, app_id: str, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "app_id": app_id, "workspace_id": "default", "task_name": "t", "template_name": "win",
        "delivery_type": 3, "expired_seconds": 300,
        "template_key_value": json.dumps({"name": "n", "money": "1"}),
        "target_msgkey": json.dumps({"u1": f"{app_id}-t1"}),
    }  # fmt: skip
    values.update(overrides)
    return sdk.mpaas.push_template(mm.PushTemplateRequest(**values)).body


@pytest.mark.parametrize(("overrides", "code"), [
    pytest.param({"template_name": "missing"}, "3022", id="3022-template-not-exist-server-api"),
    pytest.param({"template_name": None}, "3025", id="3025-need-template-server-api"),
    pytest.param({"template_key_value": json.dumps({"name": "n"})}, "3023",
                 id="3023-placeholder-not-covered-server-api"),
])  # fmt: skip
def test_push_template_rules(acs3: Sdk, app_id: str, overrides: dict[str, Any], code: str) -> None:
    """Seed: mpaas-server-api.zh.txt (模板推送: placeholders between two #)."""
    assert _template(acs3, app_id, **overrides).result_code == code


def _multiple(sdk: Sdk, app_id: str, targets: list[Any], **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "app_id": app_id, "workspace_id": "default", "task_name": "t",
        "template_name": "plain", "delivery_type": 3, "expired_seconds": 300,
        "target_msg": targets,
    }  # fmt: skip
    values.update(overrides)
    return sdk.mpaas.push_multiple(mm.PushMultipleRequest(**values)).body


def _target(i: int, **extra: Any) -> mm.PushMultipleRequestTargetMsg:
    return mm.PushMultipleRequestTargetMsg(target=f"u{i}", msg_key=f"m{i}", **extra)


def test_push_multiple_over_100_targets_is_3055_push_multiple_en(acs3: Sdk, app_id: str) -> None:
    """Seed: mpaas-push-multiple.en.txt — "The maximum number of targets ... is 100"."""
    assert _multiple(acs3, app_id, [_target(i) for i in range(101)]).result_code == "3055"
    assert _multiple(acs3, app_id, [_target(i) for i in range(100)]).result_code == "OK"


def test_push_multiple_inner_extended_params_under_10_is_3049_server_api(
    acs3: Sdk, app_id: str
) -> None:
    """Seed: mpaas-server-api.zh.txt — 3049 "批量推送内部扩展参数需小于 10 个"."""
    ten = json.dumps({f"k{i}": "v" for i in range(10)})
    nine = json.dumps({f"k{i}": "v" for i in range(9)})
    assert _multiple(acs3, app_id, [_target(1, extended_params=ten)]).result_code == "3049"
    assert _multiple(acs3, app_id, [_target(2, extended_params=nine)]).result_code == "OK"


def test_push_multiple_checks_each_targets_placeholders_server_api(acs3: Sdk, app_id: str) -> None:
    """Seed: mpaas-server-api.zh.txt — 3023 TEMPLATEKV_NOT_ENOUGH per target."""
    good = _target(1, template_key_value=json.dumps({"name": "a", "money": "1"}))
    bad = _target(2, template_key_value=json.dumps({"name": "b"}))
    body = _multiple(acs3, app_id, [good, bad], template_name="win")
    assert body.result_code == "3023"
    assert "TargetMsg.2.TemplateKeyValue" in body.push_result.result_msg


def _broadcast(sdk: Sdk, app_id: str, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "app_id": app_id, "workspace_id": "default", "task_name": "t",
        "template_name": "plain", "delivery_type": 1, "expired_seconds": 300, "msgkey": "b1",
    }  # fmt: skip
    values.update(overrides)
    return sdk.mpaas.push_broadcast(mm.PushBroadcastRequest(**values)).body


@pytest.mark.parametrize(("overrides", "code"), [
    pytest.param({"delivery_type": 3}, "3030", id="3030-broadcast-by-user-server-api"),
    pytest.param({"push_status": 1}, "3051", id="3051-all-users-need-unbind-period-server-api"),
    pytest.param({"push_status": 2, "un_bind_period": 9}, "3052",
                 id="3052-unbind-period-invalid-server-api"),
    pytest.param({"push_status": 1, "un_bind_period": 1, "android_channel": 1}, "3053",
                 id="3053-all-users-no-self-channel-server-api"),
    pytest.param({"android_channel": 3}, "3057", id="3057-android-channel-invalid-server-api"),
    pytest.param({"msgkey": None}, "3028", id="3028-msgkey-required-server-api"),
])  # fmt: skip
def test_push_broadcast_rules(acs3: Sdk, app_id: str, overrides: dict[str, Any], code: str) -> None:
    """Seed: mpaas-server-api.zh.txt (群发推送 pushStatus/unBindPeriod/androidChannel)."""
    assert _broadcast(acs3, app_id, **overrides).result_code == code


def _today_ms(days: int = 0) -> int:
    """Noon (Asia/Shanghai) ``days`` from today, in milliseconds."""
    now = datetime.now(UTC) + timedelta(hours=8)
    noon = datetime(now.year, now.month, now.day, 4, tzinfo=UTC)  # 12:00 UTC+8
    return _ms(noon + timedelta(days=days))


@pytest.mark.parametrize(("strategy_type", "content", "code"), [
    pytest.param(1, None, "3028", id="fixed-needs-strategy-content"),
    pytest.param(1, {"startTime": 1}, "3028", id="fixed-needs-fixedTime"),
    pytest.param(1, {"fixedTime": 1_000_000}, "3028", id="fixedTime-in-the-past"),
    pytest.param(2, {"startTime": _today_ms(1), "endTime": _today_ms(181), "circleType": 1,
                     "time": "09:00:00"}, "3028", id="loop-end-over-180-days"),
    pytest.param(2, {"startTime": _today_ms(-2), "endTime": _today_ms(3), "circleType": 1,
                     "time": "09:00:00"}, "3028", id="loop-start-before-today"),
    pytest.param(2, {"startTime": _today_ms(3), "endTime": _today_ms(2), "circleType": 1,
                     "time": "09:00:00"}, "3028", id="loop-end-before-start"),
    pytest.param(2, {"startTime": _today_ms(1), "endTime": _today_ms(9), "circleType": 2,
                     "time": "09:00:00"}, "3028", id="weekly-loop-needs-circleValue"),
    pytest.param(2, {"startTime": _today_ms(1), "endTime": _today_ms(9), "circleType": 1,
                     "time": "9am"}, "3028", id="loop-time-not-HH:mm:ss"),
    pytest.param(2, {"startTime": _today_ms(1), "endTime": _today_ms(180), "circleType": 3,
                     "circleValue": [1, 15], "time": "09:00:00"}, "OK", id="monthly-loop-ok"),
    pytest.param(3, {"fixedTime": _today_ms(1)}, "3028", id="unknown-strategy-type"),
])  # fmt: skip
def test_strategy_rules_server_api(
    acs3: Sdk, app_id: str, strategy_type: int, content: Any, code: str
) -> None:
    """Seed: mpaas-server-api.zh.txt (strategyDetail 字段说明 and 说明)."""
    body = _simple(
        acs3, app_id, strategy_type=strategy_type,
        strategy_content=json.dumps(content) if content is not None else None,
    )  # fmt: skip
    assert body.result_code == code


def test_at_most_100_pending_scheduled_tasks_server_api(api: Api) -> None:
    """Seed: mpaas-server-api.zh.txt — "未执行的定时或循环推送任务总数上限默认为 100 条"."""
    fixed = json.dumps({"fixedTime": _ms(datetime.now(UTC) + timedelta(days=1))})

    def schedule(i: int) -> dict[str, Any]:
        return api.mpaas(
            "PushSimple", TaskName="t", Title="T", Content="C", DeliveryType=3,
            ExpiredSeconds=60, TargetMsgkey=json.dumps({"u": f"k{i}"}), StrategyType=1,
            StrategyContent=fixed,
        )  # fmt: skip

    assert {schedule(i)["ResultCode"] for i in range(100)} == {"OK"}
    refused = schedule(100)
    assert refused["ResultCode"] == "3028"
    assert refused["PushResult"]["Success"] is False


def test_cancel_scheduler_takes_at_most_30_ids_server_api(acs3: Sdk, app_id: str) -> None:
    """Seed: mpaas-server-api.zh.txt — uniqueIds "上限为 30 个"."""
    ids = ",".join(f"id{i}" for i in range(31))
    body = acs3.mpaas.cancel_push_scheduler(
        mm.CancelPushSchedulerRequest(app_id=app_id, workspace_id="default", unique_ids=ids)
    ).body
    assert body.result_code == "3028"


def test_analysis_span_over_90_days_is_refused_server_api(acs3: Sdk, app_id: str) -> None:
    """Seed: mpaas-server-api.zh.txt — "开始时间和结束时间间隔不能超过 90 天"."""
    body = acs3.mpaas.query_push_analysis_core_index(
        mm.QueryPushAnalysisCoreIndexRequest(
            app_id=app_id, workspace_id="default", start_time=_today_ms(-91), end_time=_today_ms()
        )
    ).body
    assert body.result_code == "3028"
