"""Every operation, in process, against the emulator (``httpx.ASGITransport``).

The emulator verifies signatures independently (it imports nothing from the providers), so a
green run here also says pushflow's signing is accepted by a second implementation.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from pushflow.emulator import (
    DEFAULT_ACCESS_KEY_ID,
    DEFAULT_ACCESS_KEY_SECRET,
    EmulatorConfig,
    create_app,
)
from pushflow.providers import emas_models as em
from pushflow.providers import mpaas_models as mp
from pushflow.providers.credentials import Credentials
from pushflow.providers.emas import EmasClient
from pushflow.providers.errors import AuthError, InvalidRequestError, ThrottledError
from pushflow.providers.mpaas import MpaasClient
from pushflow.providers.rpc import SignatureVersion

CREDS = Credentials(DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET)
APP_KEY = 23267207
APP = {"app_id": "ONEX570DA89211721", "workspace_id": "default"}
PUSH = {"delivery_type": 3, "expired_seconds": 300, "task_name": "providers-test"}
TASK = {
    "device_type": "ALL",
    "push_type": "NOTICE",
    "target": "DEVICE",
    "target_value": "dev-1,dev-2",
    "title": "Hello",
    "body": "Hello from pushflow ✓",
}


@dataclass
class Clients:
    emas: EmasClient
    mpaas: MpaasClient
    app: object


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


@pytest.fixture(params=["v3", "v2"])
async def clients(request: pytest.FixtureRequest) -> AsyncIterator[Clients]:
    version: SignatureVersion = request.param
    app = create_app(EmulatorConfig())
    app.state.emulator.add_template(
        {"name": "welcome", "title": "Hi #name#", "content": "Welcome, #name#!"}
    )
    transport = httpx.ASGITransport(app=app)
    options = {"endpoint": "http://emulator", "credentials": CREDS, "transport": transport}
    async with (
        EmasClient(**options, signature_version=version) as emas,  # type: ignore[arg-type]
        MpaasClient(**options, signature_version=version) as mpaas,  # type: ignore[arg-type]
    ):
        yield Clients(emas, mpaas, app)


@pytest.mark.anyio
async def test_emas_operations(clients: Clients) -> None:
    emas = clients.emas
    now = datetime.now(UTC)

    sent = await emas.push(em.PushRequest(app_key=APP_KEY, job_key="j-1", **TASK))
    assert sent.message_id
    stats = await emas.query_push_stat_by_msg(
        em.QueryPushStatByMsgRequest(app_key=APP_KEY, message_id=sent.message_id)
    )
    assert [s.message_id for s in stats.push_stats.push_stat] == [sent.message_id]

    stored = await emas.push(
        em.PushRequest(
            app_key=APP_KEY, **(TASK | {"target": em.TARGET_TBD, "target_value": em.TARGET_TBD})
        )
    )
    assert stored.message_id
    more = await emas.continuously_push(
        em.ContinuouslyPushRequest(
            app_key=APP_KEY, message_id=stored.message_id, target="DEVICE", target_value="dev-3"
        )
    )
    assert more.message_id == stored.message_id
    await emas.complete_continuously_push(
        em.CompleteContinuouslyPushRequest(app_key=APP_KEY, message_id=stored.message_id)
    )

    later = (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    scheduled = await emas.push(em.PushRequest(app_key=APP_KEY, push_time=later, **TASK))
    assert scheduled.message_id
    await emas.cancel_push(em.CancelPushRequest(app_key=APP_KEY, message_id=scheduled.message_id))

    token = str(uuid.uuid5(uuid.NAMESPACE_URL, "pushflow:providers-test"))
    mass = em.MassPushRequest(
        app_key=APP_KEY,
        idempotent_token=token,
        push_task=[em.PushTask(**TASK), em.PushTask(**(TASK | {"target_value": "dev-9"}))],
    )
    first = await emas.mass_push(mass)
    assert len(first.message_ids.message_id) == 2
    again = await emas.mass_push(mass)
    assert again.message_ids.message_id == first.message_ids.message_id

    records = await emas.query_push_records(
        em.QueryPushRecordsRequest(
            app_key=APP_KEY,
            start_time=(now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            end_time=(now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
    )
    assert sent.message_id in {info.message_id for info in records.push_infos.push_info}


@pytest.mark.anyio
async def test_mpaas_push_and_revoke(clients: Clients) -> None:
    mpaas = clients.mpaas

    simple = await mpaas.push_simple(
        mp.PushSimpleRequest(
            **APP, **PUSH, title="Hi", content="Simple ✓", target_msgkey={"u1": "k-simple"}
        )
    )
    assert simple.push_result is not None
    assert simple.push_result.success
    await mpaas.revoke_push_message(
        mp.RevokePushMessageRequest(**APP, message_id="k-simple", target_id="u1")
    )

    templated = await mpaas.push_template(
        mp.PushTemplateRequest(
            **APP,
            **PUSH,
            template_name="welcome",
            target_msgkey={"u2": "k-template"},
            template_key_value={"name": "Zoë"},
        )
    )
    assert templated.push_result is not None

    multiple = await mpaas.push_multiple(
        mp.PushMultipleRequest(
            **APP,
            **PUSH,
            template_name="welcome",
            target_msg=[
                mp.TargetMsg(target="u3", msg_key="k-m1", template_key_value={"name": "A"}),
                mp.TargetMsg(target="u4", msg_key="k-m2", template_key_value={"name": "B"}),
            ],
        )
    )
    assert multiple.push_result is not None
    assert multiple.push_result.data
    await mpaas.revoke_push_task(mp.RevokePushTaskRequest(**APP, task_id=multiple.push_result.data))

    broadcast = await mpaas.push_broadcast(
        mp.PushBroadcastRequest(
            **APP,
            **(PUSH | {"delivery_type": 1}),
            template_name="welcome",
            msgkey="k-broadcast",
            template_key_value={"name": "all"},
        )
    )
    assert broadcast.push_result is not None
    assert broadcast.push_result.data


@pytest.mark.anyio
async def test_mpaas_analysis_and_schedules(clients: Clients) -> None:
    mpaas = clients.mpaas
    now = datetime.now(UTC)
    multiple = await mpaas.push_multiple(
        mp.PushMultipleRequest(
            **APP,
            **PUSH,
            template_name="welcome",
            target_msg=[mp.TargetMsg(target="u1", msg_key="k-a", template_key_value={"name": "A"})],
        )
    )
    assert multiple.push_result is not None
    assert multiple.push_result.data
    task_id = multiple.push_result.data
    window = {"start_time": ms(now - timedelta(days=1)), "end_time": ms(now + timedelta(days=1))}

    core = await mpaas.query_push_analysis_core_index(
        mp.QueryPushAnalysisCoreIndexRequest(**APP, **window)
    )
    assert core.result_content is not None
    tasks = await mpaas.query_push_analysis_task_list(
        mp.QueryPushAnalysisTaskListRequest(**APP, start_time=window["start_time"])
    )
    assert tasks.result_content is not None
    assert task_id in {t.task_id for t in tasks.result_content.data}
    detail = await mpaas.query_push_analysis_task_detail(
        mp.QueryPushAnalysisTaskDetailRequest(**APP, task_id=task_id)
    )
    assert detail.result_content is not None
    assert detail.result_content.data is not None

    scheduled = await mpaas.push_simple(
        mp.PushSimpleRequest(
            **APP,
            **PUSH,
            title="Later",
            content="Scheduled",
            target_msgkey={"u9": "k-later"},
            strategy_type=1,
            strategy_content=mp.Strategy(fixed_time=ms(now + timedelta(hours=2))),
        )
    )
    assert scheduled.push_result is not None
    schedules = await mpaas.query_push_scheduler_list(
        mp.QueryPushSchedulerListRequest(
            **APP, **window | {"end_time": ms(now + timedelta(days=2))}
        )
    )
    assert schedules.result_content is not None
    assert schedules.result_content.data is not None
    ids = [s.unique_id for s in schedules.result_content.data.items if s.unique_id]
    assert ids
    cancelled = await mpaas.cancel_push_scheduler(
        mp.CancelPushSchedulerRequest(**APP, unique_ids=",".join(ids))
    )
    assert cancelled.result_code == "OK"


@pytest.mark.anyio
async def test_errors_from_the_emulator(clients: Clients) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        await clients.mpaas.push_template(
            mp.PushTemplateRequest(
                **APP, **PUSH, template_name="missing", target_msgkey={"u": "k-x"}
            )
        )
    assert caught.value.code == "3022"
    assert not caught.value.retryable

    wrong = Credentials(DEFAULT_ACCESS_KEY_ID, "not-the-secret")
    transport = httpx.ASGITransport(app=clients.app)  # type: ignore[arg-type]
    async with EmasClient(endpoint="http://emulator", credentials=wrong, transport=transport) as e:
        with pytest.raises(AuthError) as denied:
            await e.cancel_push(em.CancelPushRequest(app_key=APP_KEY, message_id="1"))
    assert denied.value.code == "SignatureDoesNotMatch"
    assert "not-the-secret" not in str(denied.value)


@pytest.mark.anyio
async def test_throttling_fault_is_retryable() -> None:
    app = create_app(EmulatorConfig(faults="throttle=1"))
    transport = httpx.ASGITransport(app=app)
    async with EmasClient(endpoint="http://emulator", credentials=CREDS, transport=transport) as e:
        with pytest.raises(ThrottledError) as caught:
            await e.push(em.PushRequest(app_key=APP_KEY, **TASK))

    assert caught.value.retryable
    assert caught.value.status == 429
