"""Answers parse into typed models: every SDK field by its wire name, extra fields ignored."""

from __future__ import annotations

from typing import Any

import pytest
from alibabacloud_mpaas20201028 import models as mm
from alibabacloud_push20160801 import models as pm
from pydantic import BaseModel

from pushflow.providers import emas_models as em
from pushflow.providers import mpaas_models as mp
from pushflow.providers.emas import EmasClient
from pushflow.providers.mpaas import MpaasClient

from .fakes import CREDS, Recorder

ENVELOPE = {"RequestId": "req-1", "ResultCode": "OK", "ResultMessage": "success"}
PUSH_RESULT = {**ENVELOPE, "PushResult": {"Success": True, "ResultMsg": "ok", "Data": "903bf6"}}
TASK = {
    "TaskId": "t1",
    "TaskName": "spring",
    "TemplateId": "7",
    "TemplateName": "welcome",
    "Type": 2,
    "GmtCreate": 1714521600000,
}
SAMPLES: list[tuple[type[BaseModel], type, dict[str, Any]]] = [
    (em.PushResponse, pm.PushResponseBody, {"MessageId": "501029", "RequestId": "r"}),
    (em.PushResponse, pm.ContinuouslyPushResponseBody, {"MessageId": "5", "RequestId": "r"}),
    (
        em.MassPushResponse,
        pm.MassPushResponseBody,
        {"MessageIds": {"MessageId": ["1", "2"]}, "RequestId": "r"},
    ),
    (em.CancelPushResponse, pm.CancelPushResponseBody, {"RequestId": "r"}),
    (
        em.QueryPushStatByMsgResponse,
        pm.QueryPushStatByMsgResponseBody,
        {
            "RequestId": "r",
            "PushStats": {
                "PushStat": [
                    {
                        "MessageId": "5",
                        "AcceptCount": 10,
                        "DeletedCount": 0,
                        "OpenedCount": 3,
                        "ReceivedCount": 9,
                        "SentCount": 10,
                        "SmsFailedCount": 0,
                        "SmsReceiveFailedCount": 0,
                        "SmsReceiveSuccessCount": 1,
                        "SmsSentCount": 1,
                        "SmsSkipCount": 0,
                    }
                ]
            },
        },
    ),
    (
        em.QueryPushRecordsResponse,
        pm.QueryPushRecordsResponseBody,
        {
            "RequestId": "r",
            "NextToken": "n",
            "Page": 1,
            "PageSize": 20,
            "Total": 1,
            "PushInfos": {
                "PushInfo": [
                    {
                        "AppKey": "23267207",
                        "MessageId": "5",
                        "Body": "b",
                        "DeviceType": "ALL",
                        "PushTime": "2024-05-01T08:00:00Z",
                        "PushType": "NOTICE",
                        "Source": "API",
                        "Status": "SENT",
                        "Target": "DEVICE",
                        "Title": "t",
                    }
                ]
            },
        },
    ),
    (mp.PushResponse, mm.PushSimpleResponseBody, PUSH_RESULT),
    (mp.PushResponse, mm.PushMultipleResponseBody, PUSH_RESULT),
    (mp.PushResponse, mm.RevokePushTaskResponseBody, PUSH_RESULT),
    (
        mp.QueryPushAnalysisCoreIndexResponse,
        mm.QueryPushAnalysisCoreIndexResponseBody,
        {
            **ENVELOPE,
            "ResultContent": {
                "Data": {
                    "PushTotalNum": 100.0,
                    "PushNum": 90.0,
                    "ArrivalNum": 80.0,
                    "ArrivalRate": 0.8,
                    "OpenNum": 10.0,
                    "OpenRate": 0.1,
                    "IgnoreNum": 5.0,
                    "IgnoreRate": 0.05,
                }
            },
        },
    ),
    (
        mp.QueryPushAnalysisTaskListResponse,
        mm.QueryPushAnalysisTaskListResponseBody,
        {**ENVELOPE, "ResultContent": {"Data": [{**TASK, "List": [TASK]}]}},
    ),
    (
        mp.QueryPushAnalysisTaskDetailResponse,
        mm.QueryPushAnalysisTaskDetailResponseBody,
        {
            **ENVELOPE,
            "ResultContent": {
                "Data": {
                    "TaskId": "42",
                    "StartTime": 1,
                    "EndTime": 2,
                    "Duration": "1s",
                    "PushNum": 3.0,
                    "PushSuccessNum": 2.0,
                    "PushArrivalNum": 1.0,
                }
            },
        },
    ),
    (
        mp.QueryPushSchedulerListResponse,
        mm.QueryPushSchedulerListResponseBody,
        {
            **ENVELOPE,
            "ResultContent": {
                "Data": {
                    "TotalCount": 1,
                    "List": [
                        {
                            "UniqueId": "u1",
                            "ParentId": "p1",
                            "PushTitle": "t",
                            "PushContent": "c",
                            "PushTime": 1714521600000,
                            "GmtCreate": 1714521500000,
                            "ExecutedStatus": "0",
                            "StrategyType": 1,
                            "DeliveryType": 3,
                            "CreateType": 0,
                            "Type": 0,
                        }
                    ],
                }
            },
        },
    ),
    (
        mp.CancelPushSchedulerResponse,
        mm.CancelPushSchedulerResponseBody,
        {**ENVELOPE, "ResultContent": "2"},
    ),
]


def with_extras(value: Any) -> Any:
    """``value`` with an unknown field added to every object, at every depth."""
    if isinstance(value, dict):
        return {**{k: with_extras(v) for k, v in value.items()}, "AddedLater": {"x": 1}}
    if isinstance(value, list):
        return [with_extras(v) for v in value]
    return value


@pytest.mark.parametrize(
    ("ours", "sdk", "sample"), SAMPLES, ids=lambda v: getattr(v, "__name__", "")
)
def test_every_sdk_field_parses(ours: type[BaseModel], sdk: type, sample: dict[str, Any]) -> None:
    assert sdk().from_map(sample).to_map() == sample  # the sample uses only SDK wire names

    parsed = ours.model_validate(with_extras(sample))

    assert parsed.model_dump(by_alias=True, exclude_unset=True) == sample


def test_numbers_are_accepted_where_ids_are_strings() -> None:
    parsed = mp.QueryPushAnalysisTaskDetailResponse.model_validate(
        {"ResultContent": {"Data": {"TaskId": 42}}, "RequestId": 7}
    )

    assert parsed.request_id == "7"
    assert parsed.result_content is not None
    assert parsed.result_content.data is not None
    assert parsed.result_content.data.task_id == "42"


@pytest.mark.anyio
async def test_clients_return_typed_answers(recorder: Recorder) -> None:
    recorder.answer(200, with_extras({"MessageIds": {"MessageId": ["7", "8"]}, "RequestId": "r"}))
    recorder.answer(200, with_extras(PUSH_RESULT))

    async with EmasClient(credentials=CREDS, transport=recorder.transport) as emas:
        mass = await emas.mass_push(
            em.MassPushRequest(
                app_key=1,
                push_task=[
                    em.PushTask(
                        device_type="ALL", push_type="NOTICE", target="ALL", target_value="ALL"
                    )
                ],
            )
        )
    async with MpaasClient(credentials=CREDS, transport=recorder.transport) as mpaas:
        pushed = await mpaas.revoke_push_task(
            mp.RevokePushTaskRequest(app_id="A", workspace_id="w", task_id="t")
        )

    assert mass.message_ids.message_id == ["7", "8"]
    assert pushed.push_result == mp.PushResult(success=True, result_msg="ok", data="903bf6")
