"""Endpoints, timeouts, transports and the v2 signature at client level."""

from __future__ import annotations

import httpx
import pytest
from alibabacloud_push20160801 import models as pm
from alibabacloud_push20160801.client import Client as SdkEmas

from pushflow.providers.emas import EmasClient
from pushflow.providers.emas_models import MassPushRequest, PushTask
from pushflow.providers.mpaas import MpaasClient
from pushflow.providers.rpc import endpoint_url

from .fakes import CREDS, NONCE, NOW, Recorder, SdkCall


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("cloudpush.aliyuncs.com", "https://cloudpush.aliyuncs.com/"),
        ("https://mpaas.cn-hangzhou.aliyuncs.com", "https://mpaas.cn-hangzhou.aliyuncs.com/"),
        ("http://127.0.0.1:8900", "http://127.0.0.1:8900/"),
        ("http://localhost:8900/some/path?x=1", "http://localhost:8900/"),
    ],
)
def test_endpoint_url(given: str, expected: str) -> None:
    assert str(endpoint_url(given)) == expected


@pytest.mark.anyio
async def test_default_endpoints() -> None:
    async with EmasClient(credentials=CREDS) as emas, MpaasClient(credentials=CREDS) as hz:
        assert str(emas.url) == "https://cloudpush.aliyuncs.com/"
        assert str(hz.url) == "https://mpaas.cn-hangzhou.aliyuncs.com/"
    async with MpaasClient(region="cn-shanghai-finance-1", credentials=CREDS) as fin:
        assert str(fin.url) == "https://mpaas.cn-shanghai-finance-1.aliyuncs.com/"


@pytest.mark.anyio
async def test_custom_endpoint_reaches_the_transport_with_its_host(recorder: Recorder) -> None:
    async with MpaasClient(
        endpoint="http://127.0.0.1:8900", credentials=CREDS, transport=recorder.transport
    ) as client:
        await client.call("QueryPushSchedulerList", body={"AppId": "A"})

    assert str(recorder.last.url) == "http://127.0.0.1:8900/"
    assert recorder.last.headers["host"] == "127.0.0.1:8900"


@pytest.mark.anyio
async def test_timeouts_are_configurable(recorder: Recorder) -> None:
    """Each request carries the client's timeouts to the transport, which applies them."""
    for timeout, expected in (
        (httpx.Timeout(3.0, connect=1.0), httpx.Timeout(3.0, connect=1.0)),
        (2.5, httpx.Timeout(2.5)),
        (None, httpx.Timeout(10.0, connect=5.0)),
    ):
        options = {} if timeout is None else {"timeout": timeout}
        async with EmasClient(credentials=CREDS, transport=recorder.transport, **options) as client:
            await client.call("CancelPush", query={"AppKey": "1"})
        assert recorder.last.extensions["timeout"] == expected.as_dict()


@pytest.mark.anyio
async def test_no_retries_in_the_client(recorder: Recorder) -> None:
    recorder.answer(500, {"Code": "InternalError", "Message": "x"})

    async with EmasClient(credentials=CREDS, transport=recorder.transport) as client:
        with pytest.raises(Exception, match="InternalError"):
            await client.call("CancelPush", query={"AppKey": "1"})

    assert len(recorder.requests) == 1


@pytest.mark.anyio
async def test_v2_client_request_equals_the_sdk(recorder: Recorder, sdk_request: SdkCall) -> None:
    task = {"device_type": "ALL", "push_type": "NOTICE", "target": "ALL", "target_value": "ALL"}
    async with EmasClient(
        credentials=CREDS,
        transport=recorder.transport,
        signature_version="v2",
        clock=lambda: NOW,
        nonce=lambda: NONCE,
    ) as client:
        await client.mass_push(
            MassPushRequest(app_key=5, idempotent_token="i", push_task=[PushTask(**task, body="ü")])
        )
    sdk = sdk_request(
        SdkEmas,
        "mass_push",
        pm.MassPushRequest(
            app_key=5,
            idempotent_token="i",
            push_task=[pm.MassPushRequestPushTask(**task, body="ü")],
        ),
        v2=True,
    )

    assert recorder.last_query() == sdk.query
    assert recorder.last.content.decode() == sdk.body
    assert "authorization" not in recorder.last.headers
