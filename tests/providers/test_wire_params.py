"""Every operation puts on the wire exactly what the official SDK sends for the same inputs.

Two kinds of check: hand-written pairs (a pushflow request and the SDK request a user would
write for the same thing), and "every field set" requests whose wire names must round-trip
through the SDK's own ``from_map``/``to_map`` (a wrong alias would be dropped there).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin
from urllib.parse import quote_plus

import pytest
from alibabacloud_mpaas20201028 import models as mm
from alibabacloud_mpaas20201028.client import Client as SdkMpaas
from alibabacloud_push20160801 import models as pm
from alibabacloud_push20160801.client import Client as SdkEmas
from pydantic import BaseModel

from pushflow.providers import emas_models as em
from pushflow.providers import mpaas_models as mp
from pushflow.providers.emas import EmasClient
from pushflow.providers.form import Encoded
from pushflow.providers.mpaas import MpaasClient
from pushflow.providers.rpc import RpcClient
from pushflow.providers.wire import flatten

from .fakes import CREDS, Recorder, SdkCall

APP = {"app_id": "ONEX570DA89211721", "workspace_id": "default"}
SDK_APP = {"app_id": "ONEX570DA89211721", "workspace_id": "default"}
Op = Callable[[Any], Awaitable[object]]

TASK = {
    "device_type": "ALL",
    "push_type": "NOTICE",
    "target": "DEVICE",
    "target_value": "d1,d2",
    "title": "Hello 👋",
    "body": "20% off & free shipping",
}
EMAS_CASES: list[tuple[str, Op, str, Any]] = [
    (
        "Push",
        lambda c: c.push(em.PushRequest(app_key=1, store_offline=True, job_key="j1", **TASK)),
        "push",
        pm.PushRequest(app_key=1, store_offline=True, job_key="j1", **TASK),
    ),
    (
        "Push-TBD",
        lambda c: c.push(
            em.PushRequest(app_key=1, **(TASK | {"target": em.TARGET_TBD, "target_value": "TBD"}))
        ),
        "push",
        pm.PushRequest(app_key=1, **(TASK | {"target": "TBD", "target_value": "TBD"})),
    ),
    (
        "ContinuouslyPush",
        lambda c: c.continuously_push(
            em.ContinuouslyPushRequest(
                app_key=1, message_id="500131", target="DEVICE", target_value="a,b"
            )
        ),
        "continuously_push",
        pm.ContinuouslyPushRequest(
            app_key=1, message_id="500131", target="DEVICE", target_value="a,b"
        ),
    ),
    (
        "CompleteContinuouslyPush",
        lambda c: c.complete_continuously_push(
            em.CompleteContinuouslyPushRequest(app_key=1, message_id="500131")
        ),
        "complete_continuously_push",
        pm.CompleteContinuouslyPushRequest(app_key=1, message_id="500131"),
    ),
    (
        "MassPush",
        lambda c: c.mass_push(
            em.MassPushRequest(
                app_key=1,
                idempotent_token="tok-1",
                push_task=[em.PushTask(**TASK), em.PushTask(**(TASK | {"title": "2nd"}))],
            )
        ),
        "mass_push",
        pm.MassPushRequest(
            app_key=1,
            idempotent_token="tok-1",
            push_task=[
                pm.MassPushRequestPushTask(**TASK),
                pm.MassPushRequestPushTask(**(TASK | {"title": "2nd"})),
            ],
        ),
    ),
    (
        "CancelPush",
        lambda c: c.cancel_push(em.CancelPushRequest(app_key=1, message_id="501029")),
        "cancel_push",
        pm.CancelPushRequest(app_key=1, message_id=501029),
    ),
    (
        "QueryPushStatByMsg",
        lambda c: c.query_push_stat_by_msg(
            em.QueryPushStatByMsgRequest(app_key=1, message_id="501029")
        ),
        "query_push_stat_by_msg",
        pm.QueryPushStatByMsgRequest(app_key=1, message_id=501029),
    ),
    (
        "QueryPushRecords",
        lambda c: c.query_push_records(
            em.QueryPushRecordsRequest(
                app_key=1,
                start_time="2024-05-01T00:00:00Z",
                end_time="2024-05-02T00:00:00Z",
                page_size=50,
            )
        ),
        "query_push_records",
        pm.QueryPushRecordsRequest(
            app_key=1,
            start_time="2024-05-01T00:00:00Z",
            end_time="2024-05-02T00:00:00Z",
            page_size=50,
        ),
    ),
]

PUSH = {"delivery_type": 3, "expired_seconds": 300, "task_name": "spring"}
STRATEGY = mp.Strategy(fixed_time=1630303126000)
MPAAS_CASES: list[tuple[str, Op, str, Any]] = [
    (
        "PushSimple",
        lambda c: c.push_simple(
            mp.PushSimpleRequest(
                **APP,
                **PUSH,
                title="Hi",
                content="Ça va? 你好",
                target_msgkey={"user1024": "1578807462788"},
                extended_params={"badge": "1"},
                strategy_type=1,
                strategy_content=STRATEGY,
                notify_level={"oppo": 2},
                transparent_message_payload={"a": "b", "n": 1},
            )
        ),
        "push_simple",
        mm.PushSimpleRequest(
            **SDK_APP,
            **PUSH,
            title="Hi",
            content="Ça va? 你好",
            target_msgkey='{"user1024":"1578807462788"}',
            extended_params='{"badge":"1"}',
            strategy_type=1,
            strategy_content='{"fixedTime":1630303126000}',
            notify_level={"oppo": 2},
            transparent_message_payload={"a": "b", "n": 1},
        ),
    ),
    (
        "PushTemplate",
        lambda c: c.push_template(
            mp.PushTemplateRequest(
                **APP,
                **PUSH,
                template_name="welcome",
                target_msgkey={"u1": "k1", "u2": "k2"},
                template_key_value={"name": "Zoë", "n": "3"},
                third_channel_category={"hms": "MARKETING"},
            )
        ),
        "push_template",
        mm.PushTemplateRequest(
            **SDK_APP,
            **PUSH,
            template_name="welcome",
            target_msgkey='{"u1":"k1","u2":"k2"}',
            template_key_value='{"name":"Zoë","n":"3"}',
            third_channel_category={"hms": "MARKETING"},
        ),
    ),
    (
        "PushMultiple",
        lambda c: c.push_multiple(
            mp.PushMultipleRequest(
                **APP,
                **PUSH,
                template_name="welcome",
                target_msg=[
                    mp.TargetMsg(target="u1", msg_key="k1", template_key_value={"name": "A"}),
                    mp.TargetMsg(target="u2", msg_key="k2", extended_params={"sound": "x"}),
                ],
            )
        ),
        "push_multiple",
        mm.PushMultipleRequest(
            **SDK_APP,
            **PUSH,
            template_name="welcome",
            target_msg=[
                mm.PushMultipleRequestTargetMsg(
                    target="u1", msg_key="k1", template_key_value='{"name":"A"}'
                ),
                mm.PushMultipleRequestTargetMsg(
                    target="u2", msg_key="k2", extended_params='{"sound":"x"}'
                ),
            ],
        ),
    ),
    (
        "PushBroadcast",
        lambda c: c.push_broadcast(
            mp.PushBroadcastRequest(
                **APP,
                **(PUSH | {"delivery_type": 1}),
                template_name="news",
                msgkey="b-1",
                template_key_value={"day": "Mon"},
                push_status=1,
                un_bind_period=30,
            )
        ),
        "push_broadcast",
        mm.PushBroadcastRequest(
            **SDK_APP,
            **(PUSH | {"delivery_type": 1}),
            template_name="news",
            msgkey="b-1",
            template_key_value='{"day":"Mon"}',
            push_status=1,
            un_bind_period=30,
        ),
    ),
    (
        "RevokePushMessage",
        lambda c: c.revoke_push_message(
            mp.RevokePushMessageRequest(**APP, message_id="k1", target_id="u1")
        ),
        "revoke_push_message",
        mm.RevokePushMessageRequest(**SDK_APP, message_id="k1", target_id="u1"),
    ),
    (
        "RevokePushTask",
        lambda c: c.revoke_push_task(mp.RevokePushTaskRequest(**APP, task_id="903bf6")),
        "revoke_push_task",
        mm.RevokePushTaskRequest(**SDK_APP, task_id="903bf6"),
    ),
    (
        "QueryPushAnalysisCoreIndex",
        lambda c: c.query_push_analysis_core_index(
            mp.QueryPushAnalysisCoreIndexRequest(
                **APP, start_time=1714521600000, end_time=1714608000000, type="SIMPLE"
            )
        ),
        "query_push_analysis_core_index",
        mm.QueryPushAnalysisCoreIndexRequest(
            **SDK_APP, start_time=1714521600000, end_time=1714608000000, type="SIMPLE"
        ),
    ),
    (
        "QueryPushAnalysisTaskList",
        lambda c: c.query_push_analysis_task_list(
            mp.QueryPushAnalysisTaskListRequest(**APP, start_time=1714521600000, page_size=20)
        ),
        "query_push_analysis_task_list",
        mm.QueryPushAnalysisTaskListRequest(**SDK_APP, start_time=1714521600000, page_size=20),
    ),
    (
        "QueryPushAnalysisTaskDetail",
        lambda c: c.query_push_analysis_task_detail(
            mp.QueryPushAnalysisTaskDetailRequest(**APP, task_id="903bf6")
        ),
        "query_push_analysis_task_detail",
        mm.QueryPushAnalysisTaskDetailRequest(**SDK_APP, task_id="903bf6"),
    ),
    (
        "QueryPushSchedulerList",
        lambda c: c.query_push_scheduler_list(
            mp.QueryPushSchedulerListRequest(
                **APP, start_time=1714521600000, end_time=1714608000000, type=1
            )
        ),
        "query_push_scheduler_list",
        mm.QueryPushSchedulerListRequest(
            **SDK_APP, start_time=1714521600000, end_time=1714608000000, type=1
        ),
    ),
    (
        "CancelPushScheduler",
        lambda c: c.cancel_push_scheduler(
            mp.CancelPushSchedulerRequest(**APP, unique_ids="id1,id2", type=0)
        ),
        "cancel_push_scheduler",
        mm.CancelPushSchedulerRequest(**SDK_APP, unique_ids="id1,id2", type=0),
    ),
]


async def sent_by_pushflow(client: RpcClient, recorder: Recorder, op: Op) -> None:
    async with client:
        await op(client)


def assert_same_wire(recorder: Recorder, sdk: Any, action: str) -> None:
    ours = recorder.last
    assert ours.method == "POST"
    assert ours.url.path == "/"
    assert ours.headers["x-acs-action"] == action == sdk.headers["x-acs-action"]
    assert ours.headers["x-acs-version"] == sdk.headers["x-acs-version"]
    assert recorder.last_query() == sdk.query
    assert (ours.content.decode() if ours.content else None) == sdk.body
    assert ours.headers.get("content-type") == sdk.headers.get("content-type")


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("action", "op", "method", "sdk_req"), EMAS_CASES, ids=[c[0] for c in EMAS_CASES]
)
async def test_emas_operation_sends_what_the_sdk_sends(
    recorder: Recorder, sdk_request: SdkCall, action: str, op: Op, method: str, sdk_req: Any
) -> None:
    recorder.default = {"RequestId": "r", "MessageId": "1"}
    await sent_by_pushflow(
        EmasClient(credentials=CREDS, transport=recorder.transport), recorder, op
    )
    sdk = sdk_request(SdkEmas, method, sdk_req)

    assert_same_wire(recorder, sdk, action.split("-")[0])
    assert recorder.last.url.host == sdk.host == "cloudpush.aliyuncs.com"
    assert recorder.last.url.scheme == "https"


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("action", "op", "method", "sdk_req"), MPAAS_CASES, ids=[c[0] for c in MPAAS_CASES]
)
async def test_mpaas_operation_sends_what_the_sdk_sends(
    recorder: Recorder, sdk_request: SdkCall, action: str, op: Op, method: str, sdk_req: Any
) -> None:
    client = MpaasClient(credentials=CREDS, transport=recorder.transport)
    await sent_by_pushflow(client, recorder, op)
    sdk = sdk_request(SdkMpaas, method, sdk_req)

    assert_same_wire(recorder, sdk, action)
    assert recorder.last.url.host == "mpaas.cn-hangzhou.aliyuncs.com"


def sample(model: type[BaseModel], **overrides: Any) -> dict[str, Any]:
    """A value for every field of ``model`` (awkward characters in every string)."""
    values: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name in overrides:
            values[name] = overrides[name]
            continue
        kind: Any = info.annotation
        if get_origin(kind) is Annotated:
            kind = get_args(kind)[0]
        if get_origin(kind) in (Union, UnionType):
            kind = next(a for a in get_args(kind) if a is not type(None))
        if get_origin(kind) is Annotated:
            kind = get_args(kind)[0]
        if kind is bool:
            values[name] = True
        elif kind is int:
            values[name] = 7
        elif kind is float:
            values[name] = 0.5
        elif kind is str:
            values[name] = f"{name} ✓ &=+/%"
        elif get_origin(kind) is dict:
            values[name] = {"k 1": "v&1", "k2": "✓"}
        else:
            raise AssertionError(f"no sample for {name}: {kind}")
    return values


@pytest.mark.anyio
async def test_push_with_every_field_matches_the_sdk(
    recorder: Recorder, sdk_request: SdkCall
) -> None:
    request = em.PushRequest(**sample(em.PushRequest))
    sdk_req = pm.PushRequest().from_map(request.wire())
    assert set(sdk_req.to_map()) == set(request.wire())  # every alias is an SDK wire name

    await sent_by_pushflow(
        EmasClient(credentials=CREDS, transport=recorder.transport),
        recorder,
        lambda c: c.push(request),
    )

    assert_same_wire(recorder, sdk_request(SdkEmas, "push", sdk_req), "Push")


@pytest.mark.anyio
async def test_mass_push_with_every_field_matches_the_sdk(
    recorder: Recorder, sdk_request: SdkCall
) -> None:
    task = em.PushTask(**sample(em.PushTask))
    request = em.MassPushRequest(app_key=3, idempotent_token="t", push_task=[task, task])
    sdk_req = pm.MassPushRequest().from_map(request.wire())
    assert set(sdk_req.push_task[0].to_map()) == set(task.wire())

    await sent_by_pushflow(
        EmasClient(credentials=CREDS, transport=recorder.transport),
        recorder,
        lambda c: c.mass_push(request),
    )

    assert_same_wire(recorder, sdk_request(SdkEmas, "mass_push", sdk_req), "MassPush")


MPAAS_FULL = [
    (mp.PushSimpleRequest, mm.PushSimpleRequest, "push_simple", "PushSimple", {}),
    (mp.PushTemplateRequest, mm.PushTemplateRequest, "push_template", "PushTemplate", {}),
    (mp.PushBroadcastRequest, mm.PushBroadcastRequest, "push_broadcast", "PushBroadcast", {}),
    (
        mp.PushMultipleRequest,
        mm.PushMultipleRequest,
        "push_multiple",
        "PushMultiple",
        {"target_msg": [mp.TargetMsg(**sample(mp.TargetMsg))]},
    ),
]


@pytest.mark.anyio
@pytest.mark.parametrize(("ours", "theirs", "method", "action", "extra"), MPAAS_FULL)
async def test_mpaas_push_with_every_field_matches_the_sdk(
    recorder: Recorder,
    sdk_request: SdkCall,
    ours: type[mp.MpaasRequest],
    theirs: type,
    method: str,
    action: str,
    extra: dict[str, Any],
) -> None:
    request = ours(**sample(ours, strategy_content=STRATEGY, **extra))
    wire = request.wire()
    # The SDK takes these two as maps and JSON-encodes them itself ("shrink").
    sdk_map = wire | {
        "NotifyLevel": request.notify_level,  # type: ignore[attr-defined]
        "ThirdChannelCategory": request.third_channel_category,  # type: ignore[attr-defined]
    }
    sdk_req = theirs().from_map(sdk_map)
    assert set(sdk_req.to_map()) == set(wire)

    client = MpaasClient(credentials=CREDS, transport=recorder.transport)
    await sent_by_pushflow(client, recorder, lambda c: getattr(c, method)(request))

    assert_same_wire(recorder, sdk_request(SdkMpaas, method, sdk_req), action)


def test_push_multiple_params_are_its_wire_flattened() -> None:
    """PushMultiple writes its TargetMsg entries directly: the same parameters as flattening
    the dumped model, for every field set, and for entries that leave some out."""
    full = mp.TargetMsg(**sample(mp.TargetMsg))
    bare = mp.TargetMsg(target="u2", msg_key="k2")
    values = mp.TargetMsg(target="u3", msg_key="k3", template_key_value={"name": "Zoë 李"})
    request = mp.PushMultipleRequest(
        **sample(mp.PushMultipleRequest, strategy_content=STRATEGY, target_msg=[full, bare, values])
    )
    assert request.params() == flatten(request.wire())
    values_param = request.params()["TargetMsg.3.TemplateKeyValue"]
    assert values_param == '{"name":"Zoë 李"}'
    # ... carrying its form encoding, which the body takes as it is
    assert isinstance(values_param, Encoded)
    assert values_param.form == quote_plus('{"name":"Zoë 李"}')
    assert "TargetMsg.2.TemplateKeyValue" not in request.params()
