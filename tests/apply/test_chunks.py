"""Chunking: each API's limit on targets per call, one more target making one more call; the
chunks are sent to the emulator, which refuses a call over its limit."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pushflow.apply import calls_for, with_message_id
from pushflow.audience import Row
from pushflow.errors import Location
from pushflow.plan.routes import Route, route
from pushflow.spec.limits import EMAS_TARGETS_PER_CALL
from tests.apply.conftest import EmulatorHarness, Example


def rows(count: int) -> list[Row]:
    return [Row(f"t{i:05d}", {}, Location("targets.csv", row=i + 2)) for i in range(count)]


CASES = [
    # example, per-target content, targets, API, targets per call
    ("order-shipped-simple", False, 11, "mpaas.PushSimple", [10, 1]),
    ("order-shipped-simple", True, 3, "mpaas.PushSimple", [1, 1, 1]),
    ("weekly-digest-template", False, 11, "mpaas.PushTemplate", [10, 1]),
    ("cart-reminder-multiple", True, 101, "mpaas.PushMultiple", [100, 1]),
    ("harmony-delivery-window", False, 101, "mpaas.PushMultiple", [100, 1]),
    ("account-security-message", True, 101, "emas.MassPush", [100, 1]),
    ("flash-sale-notice", False, 1000, "emas.Push", [1000]),
    ("flash-sale-notice", False, 1001, "emas.ContinuouslyPush", [1000, 1]),
    ("monthly-statement-loop", False, 2001, "emas.ContinuouslyPush", [1000, 1000, 1]),
]


@pytest.mark.anyio
@pytest.mark.parametrize(("name", "per_target", "count", "api", "sizes"), CASES)
async def test_targets_per_call(
    name: str,
    per_target: bool,
    count: int,
    api: str,
    sizes: list[int],
    examples: dict[str, Example],
    emulator: EmulatorHarness,
) -> None:
    example = examples[name]
    chosen = route(example.campaign, per_target=per_target, targets=count)
    assert chosen.api == api
    chunked = replace(example, route=chosen, rows=rows(count), messages=example.messages[:1])
    platform = example.platforms[0]
    calls = chunked.calls(platform)
    assert [len(call.targets) for call in calls] == sizes
    assert sorted(t for call in calls for t in call.targets) == sorted(
        chunked_target(platform, row.target) for row in chunked.rows or []
    )
    await emulator.freeze(example.sent_at)
    if api == "emas.ContinuouslyPush":
        message_id = await emulator.send(chunked.stored(platform))
        calls = [with_message_id(call, message_id) for call in calls]
    for call in calls:
        await emulator.send(call)


def chunked_target(platform: str | None, target: str) -> str:
    return target if platform is None else f"{platform}:{target}"


@pytest.mark.anyio
async def test_a_list_push_holds_1000_targets(
    examples: dict[str, Example], emulator: EmulatorHarness
) -> None:
    """A server-scheduled list stays on Push (a TBD message cannot be scheduled): 1001 targets
    make two Push calls."""
    example = examples["flash-sale-notice"]
    push = Route("emas.Push", EMAS_TARGETS_PER_CALL, False)
    calls = calls_for(
        example.campaign,
        app=example.app,
        occurrence=example.occurrence,
        execute=example.execute,
        route=push,
        rows=rows(1001),
        messages=example.messages,
    )
    assert [(call.api, len(call.targets)) for call in calls] == [
        ("emas.Push", 1000),
        ("emas.Push", 1),
    ]
    await emulator.freeze(example.sent_at)
    for call in calls:
        await emulator.send(call)


def test_no_rows_left_is_no_call(examples: dict[str, Example]) -> None:
    example = examples["order-shipped-simple"]
    assert replace(example, rows=[]).calls() == []
