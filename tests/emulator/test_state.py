"""Stateful behaviour: msgKeys, schedules fired by the clock, revoke window, TBD lifetime,
IdempotentToken replay, analysis figures, SQLite persistence (in-process emulators)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .conftest import Api

FROZEN = datetime(2030, 3, 4, 1, 0, tzinfo=UTC)  # 09:00 in Asia/Shanghai


def _ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


def _simple(api: Api, key: str = "k1", **extra: Any) -> dict[str, Any]:
    return api.mpaas(
        "PushSimple", TaskName="t", Title="T", Content="C", DeliveryType=3, ExpiredSeconds=60,
        TargetMsgkey=json.dumps({"u1": key}), **extra,
    )  # fmt: skip


def test_repeated_msgkey_is_flagged_duplicate_by_default(api: Api) -> None:
    assert _simple(api)["ResultCode"] == "OK"
    assert _simple(api)["ResultCode"] == "OK"
    flags = [
        c["duplicate"]
        for c in api.control("GET", "calls", params={"action": "PushSimple"})["calls"]
    ]
    assert flags == [False, True]


def test_strict_mode_refuses_a_repeated_msgkey_with_3028(make_api: Any) -> None:
    """Seed: mpaas-server-api.zh.txt — msgKey "必须保持唯一"; 3028 INVALID_PARAM."""
    strict: Api = make_api(strict_msgkeys=True)
    assert _simple(strict)["ResultCode"] == "OK"
    assert _simple(strict)["ResultCode"] == "3028"
    assert _simple(strict, key="k2")["ResultCode"] == "OK"


def test_fixed_time_push_fires_when_the_clock_reaches_it(make_api: Any) -> None:
    api: Api = make_api(frozen_at=FROZEN)
    fixed = {"fixedTime": _ms(FROZEN + timedelta(hours=1))}
    unique = _simple(api, StrategyType=1, StrategyContent=json.dumps(fixed))["PushResult"]["Data"]
    listed = api.mpaas(
        "QueryPushSchedulerList", StartTime=_ms(FROZEN), EndTime=_ms(FROZEN + timedelta(days=1))
    )
    assert [
        (e["UniqueId"], e["ExecutedStatus"]) for e in listed["ResultContent"]["Data"]["List"]
    ] == [(unique, "0")]
    assert api.emulator.advance(timedelta(minutes=59)) == 0
    assert api.emulator.advance(timedelta(minutes=1)) == 1
    listed = api.mpaas(
        "QueryPushSchedulerList", StartTime=_ms(FROZEN), EndTime=_ms(FROZEN + timedelta(days=1))
    )
    assert listed["ResultContent"]["Data"]["List"][0]["ExecutedStatus"] == "1"
    fired = api.control("GET", "calls", params={"source": "scheduler"})["calls"]
    assert [c["action"] for c in fired] == ["Fire:SIMPLE"]


def test_weekly_loop_makes_one_sub_task_per_matching_day(make_api: Any) -> None:
    """Seed: mpaas-server-api.zh.txt — a loop from start 0:00 to end 24:00, [1,3] = Mon, Wed."""
    api: Api = make_api(frozen_at=FROZEN)  # Monday 2030-03-04
    loop = {"startTime": _ms(FROZEN), "endTime": _ms(FROZEN + timedelta(days=13)),
            "circleType": 2, "circleValue": [1, 3], "time": "10:00:00"}  # fmt: skip
    parent = _simple(api, StrategyType=2, StrategyContent=json.dumps(loop))["PushResult"]["Data"]
    listed = api.mpaas("QueryPushSchedulerList", StartTime=_ms(FROZEN),
                       EndTime=_ms(FROZEN + timedelta(days=30)), UniqueId=parent)  # fmt: skip
    times = [
        datetime.fromtimestamp(e["PushTime"] / 1000, UTC)
        for e in listed["ResultContent"]["Data"]["List"]
    ]
    assert [t.strftime("%a %d %H:%M") for t in times] == [
        "Mon 04 02:00",
        "Wed 06 02:00",
        "Mon 11 02:00",
        "Wed 13 02:00",
    ]
    cancelled = api.mpaas("CancelPushScheduler", UniqueIds=parent, Type=0)
    assert cancelled["ResultContent"] == "{" + parent + "=1}"
    assert api.emulator.advance(timedelta(days=20)) == 0


def test_analysis_adds_up_what_was_pushed(make_api: Any) -> None:
    api: Api = make_api(frozen_at=FROZEN, broadcast_audience=50)
    _simple(api, key="a")
    api.mpaas("PushMultiple", TaskName="m", TemplateName="plain", DeliveryType=1, ExpiredSeconds=60,
              **{f"TargetMsg.{i}.{f}": v for i in (1, 2, 3) for f, v in (("Target", f"d{i}"), ("MsgKey", f"m{i}"))})  # fmt: skip
    api.mpaas("PushBroadcast", TaskName="b", TemplateName="plain", DeliveryType=2,
              ExpiredSeconds=60, Msgkey="bc")  # fmt: skip
    window = {"StartTime": _ms(FROZEN), "EndTime": _ms(FROZEN)}
    totals = {
        kind: api.mpaas("QueryPushAnalysisCoreIndex", Type=kind, **window)["ResultContent"]["Data"][
            "PushTotalNum"
        ]
        for kind in ("", "SIMPLE", "MULTIPLE", "BROADCAST")
    }
    assert totals == {"": 54.0, "SIMPLE": 1.0, "MULTIPLE": 3.0, "BROADCAST": 50.0}
    ios = api.mpaas("QueryPushAnalysisCoreIndex", Platform="IOS", **window)["ResultContent"]["Data"]
    assert ios["PushTotalNum"] == 50.0


def test_revoke_only_within_7_days_server_api(make_api: Any) -> None:
    """Seed: mpaas-server-api.zh.txt — "仅支持撤回最近 7 天内的消息"."""
    api: Api = make_api(frozen_at=FROZEN)
    _simple(api, key="old")
    _simple(api, key="new")
    api.emulator.advance(timedelta(days=7, seconds=1))
    assert api.mpaas("RevokePushMessage", MessageId="old", TargetId="u1")["ResultCode"] == "3028"
    _simple(api, key="fresh")
    assert api.mpaas("RevokePushMessage", MessageId="fresh", TargetId="u1")["ResultCode"] == "OK"
    assert api.mpaas("RevokePushMessage", MessageId="nope", TargetId="u1")["ResultCode"] == "3028"


def _emas(api: Api, action: str, **params: Any) -> dict[str, Any]:
    response = api.emas(action, **params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _push(api: Api, **extra: Any) -> str:
    params = {
        "PushType": "NOTICE",
        "DeviceType": "iOS",
        "Target": "DEVICE",
        "TargetValue": "d1,d2",
        "Body": "b",
    }
    params.update(extra)
    message_id: str = _emas(api, "Push", **params)["MessageId"]
    return message_id


def test_tbd_message_lives_24_hours_continuously_push(make_api: Any) -> None:
    """Seed: emas-continuously-push.zh.txt — "默认会在推送系统保存24个小时"."""
    api: Api = make_api(frozen_at=FROZEN)
    message_id = _push(api, Target="TBD", TargetValue="TBD")
    _emas(api, "ContinuouslyPush", MessageId=message_id, Target="DEVICE", TargetValue="a,b")
    api.emulator.advance(timedelta(hours=24, seconds=1))
    late = api.emas("ContinuouslyPush", MessageId=message_id, Target="DEVICE", TargetValue="c")
    assert (late.status_code, late.json()["Code"]) == (400, "Invalid.Parameter")
    stats = _emas(api, "QueryPushStatByMsg", MessageId=message_id)["PushStats"]["PushStat"]
    assert stats[0]["SentCount"] == 2


def test_at_most_10000_continuous_pushes_per_message_continuously_push(api: Api) -> None:
    """Seed: emas-continuously-push.zh.txt — "同一个 MessageId 上推送的总次数为 10000"."""
    message_id = _push(api, Target="TBD", TargetValue="TBD")
    record = api.emulator.store.get("emas_message", message_id)
    assert record is not None
    api.emulator.store.put("emas_message", message_id, {**record, "continuous_calls": 9_999})
    assert (
        api.emas(
            "ContinuouslyPush", MessageId=message_id, Target="ALIAS", TargetValue="x"
        ).status_code
        == 200
    )
    over = api.emas("ContinuouslyPush", MessageId=message_id, Target="ALIAS", TargetValue="y")
    assert (over.status_code, over.json()["Code"]) == (400, "Invalid.Parameter")


def test_scheduled_emas_push_is_sent_at_push_time_and_cancellable(make_api: Any) -> None:
    api: Api = make_api(frozen_at=FROZEN)
    at = (FROZEN + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    kept, cancelled = _push(api, PushTime=at), _push(api, PushTime=at)
    _emas(api, "CancelPush", MessageId=cancelled)
    assert api.emulator.advance(timedelta(hours=2)) == 1
    sent = {
        m["message_id"]: (m["status"], m["sent_count"])
        for m in api.emulator.store.values("emas_message")
    }
    assert sent == {kept: ("SENT", 2), cancelled: ("CANCELLED", 0)}
    again = api.emas("CancelPush", MessageId=kept)
    assert (again.status_code, again.json()["Code"]) == (400, "Invalid.Parameter")


def test_idempotent_token_returns_the_first_result_within_15_minutes(make_api: Any) -> None:
    """SDK MassPushRequest.idempotent_token: same token within 15 minutes sends nothing new."""
    api: Api = make_api(frozen_at=FROZEN)
    token = str(uuid.uuid4())
    task = {"PushTask.1.PushType": "MESSAGE", "PushTask.1.DeviceType": "iOS",
            "PushTask.1.Target": "DEVICE", "PushTask.1.TargetValue": "d", "PushTask.1.Body": "b"}  # fmt: skip
    first = _emas(api, "MassPush", IdempotentToken=token, **task)
    api.emulator.advance(timedelta(minutes=14))
    again = _emas(api, "MassPush", IdempotentToken=token, **task)
    assert again["MessageIds"] == first["MessageIds"]
    assert api.emulator.store.count("emas_message") == 1
    api.emulator.advance(timedelta(minutes=2))
    later = _emas(api, "MassPush", IdempotentToken=token, **task)
    assert later["MessageIds"] != first["MessageIds"]


def test_state_survives_a_restart_with_sqlite(make_api: Any, tmp_path: Path) -> None:
    db = tmp_path / "emulator.db"
    first: Api = make_api(db_path=db, strict_msgkeys=True)
    message_id = _push(first)
    _simple(first, key="persisted")
    first.emulator.add_template({"name": "added", "title": "x", "content": "y"})
    first.close()
    second: Api = make_api(db_path=db, strict_msgkeys=True)
    assert _simple(second, key="persisted")["ResultCode"] == "3028"
    assert second.emulator.template("added") is not None
    assert int(_push(second)) == int(message_id) + 1
    stats = _emas(second, "QueryPushStatByMsg", MessageId=message_id)["PushStats"]["PushStat"]
    assert stats[0]["SentCount"] == 2


def _multiple(api: Api, *keys: str) -> dict[str, Any]:
    targets: dict[str, Any] = {}
    for number, key in enumerate(keys, start=1):
        targets[f"TargetMsg.{number}.Target"] = f"u{number}"
        targets[f"TargetMsg.{number}.MsgKey"] = key
        targets[f"TargetMsg.{number}.TemplateKeyValue"] = '{"name": "n", "money": "1"}'
    return api.mpaas(
        "PushMultiple", TaskName="t", TemplateName="win", DeliveryType=3, ExpiredSeconds=60,
        **targets,
    )  # fmt: skip


def test_msgkeys_repeated_within_and_across_push_multiple_calls(make_api: Any) -> None:
    api: Api = make_api(frozen_at=FROZEN)
    assert _multiple(api, "m1", "m2")["ResultCode"] == "OK"
    assert _multiple(api, "m3", "m2", "m3", "m4")["ResultCode"] == "OK"
    calls = api.control("GET", "calls", params={"action": "PushMultiple"})["calls"]
    assert [c["duplicate"] for c in calls] == [False, True]
    assert calls[1]["result"]["notes"] == ["duplicate msgKey: m2, m3"]
    first_seen = FROZEN.isoformat()
    assert api.emulator.store.values("msgkey") == [
        {"msg_key": key, "first_seen": first_seen} for key in ("m1", "m2", "m3", "m4")
    ]
    assert list(api.emulator.store.keys("msgkey")) == [
        f"ONEXAPP|default|{key}" for key in ("m1", "m2", "m3", "m4")
    ]
    messages = api.emulator.store.values("mpaas_message")
    # m2 to u2 again replaces the first call's message where it stood, now of the second task
    assert [(m["msg_key"], m["target"]) for m in messages] == [
        ("m1", "u1"), ("m2", "u2"), ("m3", "u1"), ("m3", "u3"), ("m4", "u4"),
    ]  # fmt: skip
    assert messages[0]["task_id"] != messages[1]["task_id"] == messages[4]["task_id"]
    assert messages[2]["content"] == "n won 1 yuan"


def test_strict_msgkeys_refuse_a_repeat_within_one_call_and_store_none(make_api: Any) -> None:
    strict: Api = make_api(strict_msgkeys=True)
    answer = _multiple(strict, "s1", "s2", "s1")
    assert answer["ResultCode"] == "3028"
    assert answer["PushResult"]["ResultMsg"] == "INVALID_PARAM: msgKey already used: s1"
    assert strict.emulator.store.count("msgkey") == 0
    assert strict.emulator.store.count("mpaas_message") == 0
