"""Every operation through the official SDK clients over TCP, with both signature algorithms.

Response fields are read from the SDK's parsed response-body models, so a shape the SDK cannot
parse fails here. Operations: mpaas-server-api.zh.txt, mpaas-push-multiple.en.txt,
emas-push.zh.txt, emas-continuously-push.en.txt.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta

from alibabacloud_mpaas20201028 import models as mm
from alibabacloud_push20160801 import models as em

from .conftest import Sdk, Server


def _ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)


def test_mpaas_push_operations_parse_in_the_sdk(sdk: Sdk, app_id: str) -> None:
    common = {"app_id": app_id, "workspace_id": "default", "expired_seconds": 300}
    simple = sdk.mpaas.push_simple(
        mm.PushSimpleRequest(
            **common, task_name="simple", title="T", content="C", delivery_type=3,
            target_msgkey=json.dumps({"user1": "k-simple"}),
        )
    ).body  # fmt: skip
    assert (simple.result_code, simple.push_result.success) == ("OK", True)
    template = sdk.mpaas.push_template(
        mm.PushTemplateRequest(
            **common, task_name="tpl", template_name="win", delivery_type=3,
            template_key_value=json.dumps({"name": "Li", "money": "5"}),
            target_msgkey=json.dumps({"user2": "k-template"}),
        )
    ).body  # fmt: skip
    assert template.push_result.success is True
    multiple = sdk.mpaas.push_multiple(
        mm.PushMultipleRequest(
            **common, task_name="multi", template_name="win", delivery_type=3,
            target_msg=[
                mm.PushMultipleRequestTargetMsg(
                    target=f"user{i}", msg_key=f"k-multi-{i}",
                    template_key_value=json.dumps({"name": f"n{i}", "money": str(i)}),
                )
                for i in range(3)
            ],
        )
    ).body  # fmt: skip
    assert multiple.push_result.success is True
    task_id = multiple.push_result.data
    broadcast = sdk.mpaas.push_broadcast(
        mm.PushBroadcastRequest(
            **common, task_name="all", template_name="plain", delivery_type=1, msgkey="k-bc",
            push_status=0, bind_period=4,
        )
    ).body  # fmt: skip
    assert broadcast.push_result.success is True

    revoked = sdk.mpaas.revoke_push_message(
        mm.RevokePushMessageRequest(
            app_id=app_id, workspace_id="default", message_id="k-simple", target_id="user1"
        )
    ).body
    assert revoked.push_result.success is True
    revoked_task = sdk.mpaas.revoke_push_task(
        mm.RevokePushTaskRequest(app_id=app_id, workspace_id="default", task_id=task_id)
    ).body
    assert revoked_task.push_result.success is True


def test_mpaas_query_operations_parse_in_the_sdk(sdk: Sdk, app_id: str) -> None:
    scope = {"app_id": app_id, "workspace_id": "default"}
    pushed = sdk.mpaas.push_multiple(
        mm.PushMultipleRequest(
            **scope, task_name="multi", template_name="plain", delivery_type=1,
            expired_seconds=60,
            target_msg=[mm.PushMultipleRequestTargetMsg(target=f"d{i}", msg_key=f"m{i}")
                        for i in range(4)],
        )
    ).body.push_result.data  # fmt: skip
    now = datetime.now(UTC)
    index = sdk.mpaas.query_push_analysis_core_index(
        mm.QueryPushAnalysisCoreIndexRequest(
            **scope, start_time=_ms(now - timedelta(days=1)), end_time=_ms(now + timedelta(days=1))
        )
    ).body
    assert index.result_content.data.push_total_num == 4.0
    listed = sdk.mpaas.query_push_analysis_task_list(
        mm.QueryPushAnalysisTaskListRequest(**scope, start_time=_ms(now - timedelta(days=1)))
    ).body
    assert [t.task_id for t in listed.result_content.data] == [pushed]
    assert listed.result_content.data[0].type == 2
    other = sdk.mpaas.push_multiple(
        mm.PushMultipleRequest(
            **scope, task_name="multi [pf0123456789]", template_name="plain", delivery_type=1,
            expired_seconds=60, target_msg=[mm.PushMultipleRequestTargetMsg(target="d9", msg_key="m9")],
        )
    ).body.push_result.data  # fmt: skip
    named = sdk.mpaas.query_push_analysis_task_list(
        mm.QueryPushAnalysisTaskListRequest(
            **scope, start_time=_ms(now - timedelta(days=1)), task_name="multi [pf0123456789]"
        )
    ).body  # the taskName filter (mpaas-server-api.zh.txt, 查询推送任务列表)
    assert [(t.task_id, t.task_name) for t in named.result_content.data] == [
        (other, "multi [pf0123456789]")
    ]
    later = sdk.mpaas.query_push_analysis_task_list(
        mm.QueryPushAnalysisTaskListRequest(**scope, start_time=_ms(now + timedelta(days=2)))
    ).body  # tasks created from startTime's day on
    assert later.result_content.data == []
    detail = sdk.mpaas.query_push_analysis_task_detail(
        mm.QueryPushAnalysisTaskDetailRequest(**scope, task_id=pushed)
    ).body
    assert detail.result_content.data.push_num == 4.0

    fixed = now + timedelta(hours=2)
    scheduled = sdk.mpaas.push_simple(
        mm.PushSimpleRequest(
            **scope, task_name="later", title="T", content="C", delivery_type=3,
            expired_seconds=60, target_msgkey=json.dumps({"u": "later-1"}), strategy_type=1,
            strategy_content=json.dumps({"fixedTime": _ms(fixed)}),
        )
    ).body.push_result.data  # fmt: skip
    schedules = sdk.mpaas.query_push_scheduler_list(
        mm.QueryPushSchedulerListRequest(
            **scope, start_time=_ms(now), end_time=_ms(now + timedelta(days=1))
        )
    ).body.result_content.data
    assert schedules.total_count == 1
    assert schedules.list[0].unique_id == scheduled
    assert schedules.list[0].executed_status == "0"
    cancelled = sdk.mpaas.cancel_push_scheduler(
        mm.CancelPushSchedulerRequest(**scope, unique_ids=scheduled)
    ).body
    assert cancelled.result_content == "{" + scheduled + "=1}"


def test_emas_operations_parse_in_the_sdk(sdk: Sdk, app_key: int) -> None:
    pushed = sdk.emas.push(
        em.PushRequest(
            app_key=app_key, push_type="NOTICE", device_type="ANDROID", target="DEVICE",
            target_value="d1,d2", title="Hello", body="World", job_key="job_1",
        )
    ).body  # fmt: skip
    assert pushed.message_id
    assert pushed.request_id
    tbd = sdk.emas.push(
        em.PushRequest(
            app_key=app_key, push_type="MESSAGE", device_type="ALL", target="TBD",
            target_value="TBD", title="t", body="b",
        )
    ).body.message_id  # fmt: skip
    continued = sdk.emas.continuously_push(
        em.ContinuouslyPushRequest(
            app_key=app_key, message_id=tbd, target="ACCOUNT", target_value="a1,a2,a3"
        )
    ).body
    assert continued.message_id == tbd
    done = sdk.emas.complete_continuously_push(
        em.CompleteContinuouslyPushRequest(app_key=app_key, message_id=tbd)
    ).body
    assert done.message_id == tbd
    token = str(uuid.uuid4())
    mass = sdk.emas.mass_push(
        em.MassPushRequest(
            app_key=app_key, idempotent_token=token,
            push_task=[
                em.MassPushRequestPushTask(
                    push_type="NOTICE", device_type="iOS", target="ALIAS", target_value=f"al{i}",
                    body=f"body {i}",
                )
                for i in range(2)
            ],
        )
    ).body  # fmt: skip
    assert len(mass.message_ids.message_id) == 2
    later = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    scheduled = sdk.emas.push(
        em.PushRequest(
            app_key=app_key, push_type="NOTICE", device_type="iOS", target="DEVICE",
            target_value="d9", body="later", push_time=later,
        )
    ).body.message_id  # fmt: skip
    assert sdk.emas.cancel_push(em.CancelPushRequest(app_key=app_key, message_id=scheduled)).body
    stats = sdk.emas.query_push_stat_by_msg(
        em.QueryPushStatByMsgRequest(app_key=app_key, message_id=tbd)
    ).body.push_stats.push_stat
    assert [(s.message_id, s.sent_count) for s in stats] == [(tbd, 3)]
    window = (datetime.now(UTC) - timedelta(hours=1), datetime.now(UTC) + timedelta(hours=1))
    records = sdk.emas.query_push_records(
        em.QueryPushRecordsRequest(
            app_key=app_key, start_time=window[0].strftime("%Y-%m-%dT%H:%M:%SZ"),
            end_time=window[1].strftime("%Y-%m-%dT%H:%M:%SZ"), page_size=100,
        )
    ).body  # fmt: skip
    assert records.total == 5
    assert {i.message_id for i in records.push_infos.push_info} >= {pushed.message_id, tbd}
    before = (window[0] - timedelta(hours=2), window[0] - timedelta(hours=1))
    earlier = sdk.emas.query_push_records(
        em.QueryPushRecordsRequest(
            app_key=app_key, start_time=before[0].strftime("%Y-%m-%dT%H:%M:%SZ"),
            end_time=before[1].strftime("%Y-%m-%dT%H:%M:%SZ"), source="API",
        )
    ).body  # fmt: skip
    assert earlier.total == 0  # the span is a filter: nothing was pushed then


def test_the_server_records_each_sdk_call(server: Server, acs3: Sdk, app_key: int) -> None:
    """The call log sees what the SDK sent, keyed by the wire parameter names."""
    acs3.emas.push(
        em.PushRequest(
            app_key=app_key, push_type="MESSAGE", device_type="iOS", target="ACCOUNT",
            target_value="acc", body="b",
        )
    )  # fmt: skip
    time.sleep(0)  # the log is written before the answer leaves the server
    calls = server.emulator.calls.filter({"app": str(app_key), "action": "Push"})
    assert [(c.params["TargetValue"], c.status, c.code) for c in calls] == [("acc", 200, "OK")]
