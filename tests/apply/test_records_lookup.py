"""EMAS pushes recognised in QueryPushRecords by content and time, against the emulator in
process: found, not found, and unclear when calls share a content."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import httpx
import pytest

from pushflow.apply.calls import Call
from pushflow.apply.lookup import Finding, LookupContext, Unknown
from pushflow.apply.records_lookup import RecordsLookup, Span, spans
from pushflow.emulator import Emulator, EmulatorConfig, create_app
from pushflow.ledger import Send
from pushflow.providers import EmasClient
from pushflow.providers.emas_models import PushRequest
from tests.apply.conftest import CREDENTIALS
from tests.conftest import NOW

pytestmark = pytest.mark.anyio
APP_KEY = 23267207


def request(title: str, device: str) -> PushRequest:
    return PushRequest(
        app_key=APP_KEY,
        device_type="ANDROID",
        push_type="NOTICE",
        target="DEVICE",
        target_value=device,
        title=title,
        body="Today only",
    )


def unknown(title: str, device: str, claimed_at: datetime = NOW) -> Unknown:
    call = Call(
        "sale", "now", "emas.Push", "shop-emas", None, (device,), ("token",), request(title, device)
    )
    send = Send(
        "sale", "now", device, "token", "emas.Push", "unknown", "owner", None, 1, None, None,
        None, "ReadTimeout", claimed_at, claimed_at,
    )  # fmt: skip
    return Unknown(call, (send,))


@pytest.fixture
async def emas() -> AsyncIterator[tuple[EmasClient, Emulator]]:
    app = create_app(EmulatorConfig(frozen_at=NOW))
    transport = httpx.ASGITransport(app=app)
    async with EmasClient(
        endpoint="http://emulator", credentials=CREDENTIALS, transport=transport
    ) as client:
        yield client, app.state.emulator
    app.state.emulator.close()


async def look_up(
    client: EmasClient, unknowns: list[Unknown], recorded: set[str] | None = None
) -> list[Finding]:
    async def ids() -> set[str]:
        return recorded or set()

    return await RecordsLookup()(client, unknowns, LookupContext(NOW + timedelta(hours=1), ids))


async def test_a_push_of_its_own_content_is_found_with_its_message_id(
    emas: tuple[EmasClient, Emulator],
) -> None:
    client, _ = emas
    made = await client.push(request("Flash sale", "d1"))
    await client.push(request("Other news", "d2"))
    (finding,) = await look_up(client, [unknown("Flash sale", "d1")])
    assert finding == Finding(
        "found",
        "QueryPushRecords",
        f"message {made.message_id} in the call's minutes",
        message_id=made.message_id,
    )


async def test_no_push_of_its_content_is_not_found(emas: tuple[EmasClient, Emulator]) -> None:
    client, emulator = emas
    made = await client.push(request("Flash sale", "d1"))
    assert made.message_id is not None
    early = await client.push(request("Late news", "d3"))  # pushed, but before the window
    assert early.message_id is not None
    emulator.clock.freeze(NOW + timedelta(hours=1))
    findings = await look_up(
        client,
        [unknown("Flash sale", "d2", NOW), unknown("Late news", "d3", NOW + timedelta(hours=1))],
        recorded={made.message_id},  # d1's push is a sent send of the occurrence
    )
    assert [f.state for f in findings] == ["not-found", "not-found"]
    assert findings[0].detail == "no push of this content in the call's minutes"


async def test_calls_sharing_a_content_are_found_together_or_left_unclear(
    emas: tuple[EmasClient, Emulator],
) -> None:
    client, _ = emas
    await client.push(request("Sale", "d1"))
    await client.push(request("Sale", "d2"))
    both = await look_up(client, [unknown("Sale", "d1"), unknown("Sale", "d2")])
    assert (
        both
        == [Finding("found", "QueryPushRecords", "pushes of this content in the call's minutes")]
        * 2
    )  # both were made; which MessageId is whose cannot be told
    three = await look_up(
        client, [unknown("Sale", "d1"), unknown("Sale", "d2"), unknown("Sale", "d3")]
    )
    assert (
        three
        == [
            Finding(
                "unclear",
                "QueryPushRecords",
                "2 pushes of this content in the call's minutes where unknown calls would make 3: "
                "which were made cannot be told",
            )
        ]
        * 3
    )


def test_the_windows_of_calls_are_read_together_while_under_seven_days() -> None:
    minute = timedelta(minutes=1)
    near = [unknown("A", "d1"), unknown("B", "d2", NOW + minute)]
    far = unknown("C", "d3", NOW + timedelta(days=8))
    late = NOW + timedelta(days=9)
    assert spans([far, *near], late) == [
        Span(NOW - 5 * minute, NOW + 11 * minute, (1, 2)),
        Span(NOW + timedelta(days=8) - 5 * minute, NOW + timedelta(days=8) + 10 * minute, (0,)),
    ]
    assert spans(near, NOW + 2 * minute) == [Span(NOW - 5 * minute, NOW + 7 * minute, (0, 1))]
