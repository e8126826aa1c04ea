"""Calls to the network go through a few small connection pools, each call the least busy."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from pushflow.emulator import (
    DEFAULT_ACCESS_KEY_ID,
    DEFAULT_ACCESS_KEY_SECRET,
    EmulatorConfig,
    create_app,
)
from pushflow.providers import mpaas_models as mp
from pushflow.providers.credentials import Credentials
from pushflow.providers.mpaas import MpaasClient
from pushflow.providers.pools import POOLS, Pools
from tests.emulator.conftest import serving

CREDS = Credentials(DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET)
REQUEST = mp.PushSimpleRequest(
    app_id="ONEX570DA89211721",
    workspace_id="default",
    delivery_type=3,
    expired_seconds=300,
    task_name="pools",
    title="Hi",
    content="Hello",
    target_msgkey={"u1": "k1"},
)


@pytest.fixture(scope="module")
def slow_endpoint() -> Iterator[str]:
    """The emulator over TCP, answering after 300 ms."""
    with serving(EmulatorConfig(latency_ms=300), stop_wait=2) as (port, _):
        yield f"http://127.0.0.1:{port}"


@pytest.mark.anyio
async def test_calls_in_flight_are_spread_over_the_pools(slow_endpoint: str) -> None:
    async with MpaasClient(endpoint=slow_endpoint, credentials=CREDS) as client:
        pools: Pools = client._pools
        assert pools.size == POOLS == 4
        calls = [asyncio.create_task(client.push_simple(REQUEST)) for _ in range(8)]
        await asyncio.sleep(0.1)  # every call sent, none answered
        assert pools.in_flight == [2, 2, 2, 2]
        answers = await asyncio.gather(*calls)
        assert [answer.result_code for answer in answers] == ["OK"] * 8
        assert pools.in_flight == [0, 0, 0, 0]


@pytest.mark.anyio
async def test_a_transport_is_the_one_pool() -> None:
    app = create_app(EmulatorConfig())
    transport = httpx.ASGITransport(app=app)
    async with MpaasClient(
        endpoint="http://emulator", credentials=CREDS, transport=transport
    ) as client:
        assert client._pools.size == 1
        answer = await client.push_simple(REQUEST)
        assert answer.result_code == "OK"
    app.state.emulator.close()
