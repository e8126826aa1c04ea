"""Every example campaign, turned into calls and sent to the emulator in process.

The emulator is an independent model of both services, so an accepted call means the request
passes its rules; the call log then shows the exact wire parameters, asserted whole for at least
one call of each API.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime

import pytest

from pushflow.plan.keys import EVERYONE, idempotent_token, job_key, msg_key, task_tag
from pushflow.providers import emas_models as em
from tests.apply.conftest import EXAMPLES, ROOT, EmulatorHarness, Example, form
from tests.conftest import NOW

pytestmark = pytest.mark.anyio


def millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def key(target: str, campaign: str = "order-shipped", occurrence: str = "now") -> str:
    return msg_key(campaign, 0, occurrence, target)


def token(campaign: str, occurrence: str, targets: list[str]) -> str:
    return idempotent_token(campaign, 0, occurrence, targets)


def task_name(name: str, campaign: str, occurrence: str, targets: list[str]) -> str:
    """A PushMultiple/PushBroadcast TaskName: the name and the call's tag."""
    return f"{name} [{task_tag(campaign, 0, occurrence, targets)}]"


@pytest.mark.parametrize("name", EXAMPLES)
async def test_every_call_of_every_example_is_accepted(
    name: str, examples: dict[str, Example], emulator: EmulatorHarness
) -> None:
    example = examples[name]
    sent = await emulator.apply(example)
    logged = await emulator.calls()
    assert [call["code"] for call in logged] == ["OK"] * len(sent)
    assert not any(call["duplicate"] for call in logged)
    targets = len(example.rows) if example.rows is not None else None
    assert len(sent) == example.route.calls(targets) * len(example.platforms)
    reached = [target for call in sent for target in call.targets]
    assert len(reached) == len(set(reached)) == (targets or 1) * len(example.platforms)


async def test_push_simple(examples: dict[str, Example], emulator: EmulatorHarness) -> None:
    await emulator.apply(examples["order-shipped-simple"])
    device = "9b1f0c3e2a7d4e58b6c1f0a9d3e2b7c4"
    (call,) = await emulator.calls(action="PushSimple", TargetMsgkey=form({device: key(device)}))
    assert call["params"] == {
        "AppId": "ONEX570DA89211721",
        "WorkspaceId": "default",
        "DeliveryType": "1",
        "ExpiredSeconds": "21600",
        "TaskName": "order-shipped",
        "PushAction": "0",
        "Uri": "https://shop.example.com/orders",
        "ExtendedParams": '{"screen":"orders"}',
        "Title": "Your order has shipped",
        "Content": "Order A-1001 is on its way and arrives tomorrow.",
        "TargetMsgkey": form({device: key(device)}),
    }


async def test_push_template_as_a_server_loop(
    examples: dict[str, Example], emulator: EmulatorHarness
) -> None:
    example = examples["morning-briefing-loop"]
    await emulator.apply(example)
    (call,) = await emulator.calls(action="PushTemplate")
    devices = ["5f2a9c7e1b3d4f6a8c0e2b4d6f8a1c3e", "7e1c3a5f9b2d4e6a8c0f1e3d5b7a9c2e"]
    loop = example.occurrence.key
    assert loop == "loop:2026-12-01..2027-04-30@08:00:00"
    assert call["params"] == {
        "AppId": "ONEX570DA89211721",
        "WorkspaceId": "default",
        "DeliveryType": "2",
        "ExpiredSeconds": "14400",
        "TaskName": "morning-briefing",
        "StrategyType": "2",
        "StrategyContent": form(
            {
                "startTime": millis(datetime(2026, 11, 30, 16, 0, tzinfo=UTC)),
                "endTime": millis(datetime(2027, 4, 29, 16, 0, tzinfo=UTC)),
                "circleType": 2,
                "circleValue": [1, 2, 3, 4, 5],
                "time": "08:00:00",
            }
        ),
        "ExtendedParams": '{"sound":"default","badge":"1"}',
        "TemplateName": "morning_briefing",
        "TemplateKeyValue": '{"headline":"Today\'s deals are live"}',
        "TargetMsgkey": form({d: key(d, "morning-briefing", loop) for d in devices}),
    }
    (scheduled,) = await emulator.calls(action="PushTemplate")
    assert scheduled["result"]["PushResult"]["Data"]  # the scheduled task id


async def test_push_template_local(examples: dict[str, Example], emulator: EmulatorHarness) -> None:
    await emulator.apply(examples["weekly-digest-template"])
    (call,) = await emulator.calls(action="PushTemplate")
    users = ["user-1024", "user-2048", "user-4096", "user-8192"]
    assert call["params"] == {
        "AppId": "ONEX570DA89211721",
        "WorkspaceId": "default",
        "DeliveryType": "3",
        "ExpiredSeconds": "43200",
        "TaskName": "weekly-digest",
        "TemplateName": "weekly_digest",
        "TemplateKeyValue": '{"shop":"Example Shop","count":"12"}',
        "TargetMsgkey": form({u: key(u, "weekly-digest", "2026-11-28T09:30") for u in users}),
    }


async def test_push_multiple(examples: dict[str, Example], emulator: EmulatorHarness) -> None:
    await emulator.apply(examples["harmony-delivery-window"])
    (call,) = await emulator.calls(action="PushMultiple")
    occurrence = "2026-12-01T07:30"
    assert call["params"] == {
        "AppId": "ONEX570DA89211721",
        "WorkspaceId": "default",
        "DeliveryType": "7",
        "ExpiredSeconds": "72000",
        "TaskName": task_name(
            "harmony-advent",
            "harmony-advent",
            occurrence,
            ["harmony-device-0001", "harmony-device-0002"],
        ),
        "TemplateName": "advent_day",
        "TargetMsg.1.Target": "harmony-device-0001",
        "TargetMsg.1.MsgKey": key("harmony-device-0001", "harmony-advent", occurrence),
        "TargetMsg.1.TemplateKeyValue": '{"day":"1"}',
        "TargetMsg.2.Target": "harmony-device-0002",
        "TargetMsg.2.MsgKey": key("harmony-device-0002", "harmony-advent", occurrence),
        "TargetMsg.2.TemplateKeyValue": '{"day":"1"}',
    }


async def test_push_multiple_per_target_values(
    examples: dict[str, Example], emulator: EmulatorHarness
) -> None:
    await emulator.apply(examples["cart-reminder-multiple"])
    calls = await emulator.calls(action="PushMultiple")
    assert [sum(name.endswith(".Target") for name in c["params"]) for c in calls] == [100, 100, 50]
    first = calls[0]["params"]
    assert {name: value for name, value in first.items() if not name.startswith("TargetMsg")} == {
        "AppId": "ONEX570DA89211721",
        "WorkspaceId": "default",
        "DeliveryType": "3",
        "ExpiredSeconds": "7200",
        "TaskName": task_name(
            "cart-reminder",
            "cart-reminder",
            "now",
            [p for n, p in first.items() if n.startswith("TargetMsg.") and n.endswith(".Target")],
        ),
        "Classification": "0",
        "ThirdChannelCategory": '{"hms":"MARKETING"}',
        "TemplateName": "cart_reminder",
    }
    assert first["TargetMsg.1.Target"] == "user-100000"
    assert len({c["params"]["TaskName"] for c in calls}) == 3  # one tag per call
    assert first["TargetMsg.1.TemplateKeyValue"] == form(
        {"name": "Yang", "item": "running shoes", "price": "¥453"}
    )


async def test_push_broadcast(examples: dict[str, Example], emulator: EmulatorHarness) -> None:
    await emulator.apply(examples["app-update-broadcast"])
    (call,) = await emulator.calls(action="PushBroadcast")
    occurrence = "2026-11-30T02:00Z"
    assert call["params"] == {
        "AppId": "ONEX570DA89211721",
        "WorkspaceId": "default",
        "DeliveryType": "1",
        "ExpiredSeconds": "259200",
        "TaskName": task_name("app-update-4-2", "app-update-4-2", occurrence, [EVERYONE]),
        "StrategyType": "1",
        "StrategyContent": form({"fixedTime": millis(datetime(2026, 11, 30, 2, 0, tzinfo=UTC))}),
        "TemplateName": "app_update",
        "Msgkey": key(EVERYONE, "app-update-4-2", occurrence),
        "TemplateKeyValue": form(
            {"version": "4.2", "highlights": "Faster checkout and a new dark mode."}
        ),
        "PushStatus": "0",
        "BindPeriod": "3",
        "AndroidChannel": "2",
    }


async def test_emas_push_with_vendor_options_and_sms(
    examples: dict[str, Example], emulator: EmulatorHarness
) -> None:
    await emulator.apply(examples["flash-sale-notice"])
    (call,) = await emulator.calls(action="Push")
    devices = [
        "1f3e5d7c9b2a4e6f8d0c1b3a5e7d9f2c",
        "2a4c6e8f0b1d3f5a7c9e1b3d5f7a9c1e",
        "3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a",
    ]
    assert call["params"] == {
        "AppKey": "23267207",
        "DeviceType": "ANDROID",
        "PushType": "NOTICE",
        "Target": "DEVICE",
        "TargetValue": ",".join(devices),
        "Title": "Flash sale starts now",
        "Body": "Up to 70% off for the next two hours.",
        "ExpireTime": "2026-11-22T06:00:00Z",
        "JobKey": job_key("flash-sale-notice", 0, "now"),
        "StoreOffline": "True",
        "AndroidOpenType": "URL",
        "AndroidOpenUrl": "https://shop.example.com/sale",
        "AndroidNotifyType": "BOTH",
        "AndroidMessageHuaweiCategory": "MARKETING",
        "AndroidNotificationXiaomiChannel": "sale",
        "AndroidExtParameters": '{"campaign":"flash-sale"}',
        "SmsTemplateName": "SMS_123456789",
        "SmsSignName": "ExampleShop",
        "SmsDelaySecs": "900",
        "IdempotentToken": token("flash-sale-notice", "now", devices),
    }


async def test_emas_tag_push_fanned_out_per_platform(
    examples: dict[str, Example], emulator: EmulatorHarness
) -> None:
    example = examples["vip-tag-push"]
    sent = await emulator.apply(example)
    assert [(c.platform, c.targets) for c in sent] == [
        ("android", ("android:*",)),
        ("ios", ("ios:*",)),
    ]
    android, ios = await emulator.calls(action="Push")
    occurrence = "2026-12-05T10:00"
    common = {
        "PushType": "NOTICE",
        "Target": "TAG",
        "TargetValue": "vip",
        "Title": "VIP early access",
        "Body": "The winter collection opens to you first, from today.",
        "ExpireTime": "2026-12-06T02:00:00Z",
        "JobKey": "vip-early-access",
    }
    assert android["params"] == {
        **common,
        "AppKey": "23267207",
        "DeviceType": "ANDROID",
        "IdempotentToken": token("vip-early-access", occurrence, ["android:*"]),
    }
    assert ios["params"] == {
        **common,
        "AppKey": "23267208",
        "DeviceType": "iOS",
        "iOSApnsEnv": "PRODUCT",
        "iOSBadgeAutoIncrement": "True",
        "iOSInterruptionLevel": "time-sensitive",
        "IdempotentToken": token("vip-early-access", occurrence, ["ios:*"]),
    }


async def test_emas_push_to_all_scheduled(
    examples: dict[str, Example], emulator: EmulatorHarness
) -> None:
    await emulator.apply(examples["push-to-all-scheduled"])
    (call,) = await emulator.calls(action="Push")
    occurrence = "2026-11-27T01:00Z"
    assert call["params"] == {
        "AppKey": "23267207",
        "DeviceType": "ANDROID",
        "PushType": "NOTICE",
        "Target": "ALL",
        "TargetValue": "all",
        "Title": "Black Friday is here",
        "Body": "Everything up to 50% off until midnight.",
        "PushTime": "2026-11-27T01:00:00Z",
        "ExpireTime": "2026-11-27T13:00:00Z",
        "JobKey": job_key("black-friday-all", 0, occurrence),
        "StoreOffline": "True",
        "IdempotentToken": token("black-friday-all", occurrence, [EVERYONE]),
    }


async def test_emas_mass_push_per_target(
    examples: dict[str, Example], emulator: EmulatorHarness
) -> None:
    example = examples["account-security-message"]
    sent = await emulator.apply(example)
    assert [(c.platform, len(c.targets)) for c in sent] == [("android", 40), ("ios", 40)]
    android, ios = await emulator.calls(action="MassPush")
    tasks = [name for name in ios["params"] if name.endswith(".TargetValue")]
    assert len(tasks) == 40
    ids = [f"ios:{account}" for account in sorted(r.target for r in example.rows or [])]
    assert {n: v for n, v in ios["params"].items() if not n.startswith("PushTask.")} == {
        "AppKey": "23267208",
        "IdempotentToken": token("account-security-check", "now", ids),
    }
    assert {n: v for n, v in ios["params"].items() if n.startswith("PushTask.1.")} == {
        "PushTask.1.DeviceType": "iOS",
        "PushTask.1.PushType": "MESSAGE",
        "PushTask.1.Target": "ACCOUNT",
        "PushTask.1.TargetValue": "acct-5000",
        "PushTask.1.Title": "Security check-up",
        "PushTask.1.Body": '{"screen": "security", "reason": "password age"}',
        "PushTask.1.ExpireTime": "2026-11-25T04:00:00Z",
        "PushTask.1.JobKey": job_key("account-security-check", 0, "now"),
        "PushTask.1.StoreOffline": "True",
        "PushTask.1.iOSApnsEnv": "PRODUCT",
        "PushTask.1.iOSRemind": "True",
        "PushTask.1.iOSRemindBody": "Please review your account security.",
    }
    assert not any(name.startswith("PushTask.1.iOS") for name in android["params"])


async def test_emas_continuous_push(
    examples: dict[str, Example], emulator: EmulatorHarness
) -> None:
    example = examples["reactivation-continuous"]
    sent = await emulator.apply(example)
    assert [c.api for c in sent] == ["emas.Push"] + ["emas.ContinuouslyPush"] * 3
    (stored,) = await emulator.calls(action="Push")
    assert stored["params"] == {
        "AppKey": "23267207",
        "DeviceType": "ANDROID",
        "PushType": "NOTICE",
        "Target": "TBD",
        "TargetValue": "TBD",
        "Title": "We miss you",
        "Body": "Come back for a welcome-back coupon, waiting in the app.",
        "ExpireTime": "2026-11-23T04:00:00Z",
        "JobKey": job_key("reactivation-dormant", 0, "now"),
        "StoreOffline": "True",
        "IdempotentToken": token("reactivation-dormant", "now", ["TBD#0"]),
    }
    with (ROOT / "campaigns" / "audiences" / "dormant-devices.csv").open() as handle:
        devices = sorted({row["device_id"] for row in csv.DictReader(handle)})
    first, *_ = await emulator.calls(action="ContinuouslyPush")
    assert first["params"] == {
        "AppKey": "23267207",
        "MessageId": stored["result"]["MessageId"],
        "Target": "DEVICE",
        "TargetValue": ",".join(devices[:1000]),
    }
    assert sent[1].keys == (token("reactivation-dormant", "now", devices[:1000]),) * 1000


async def test_the_emulator_clock_is_the_test_clock(emulator: EmulatorHarness) -> None:
    await emulator.freeze(NOW)
    assert (await emulator.control.get("/_emulator/clock")).json()["now"] == NOW.isoformat()


def test_a_continuous_push_message_key_is_its_token(examples: dict[str, Example]) -> None:
    stored = examples["reactivation-continuous"].stored()
    assert stored.targets == ()
    assert isinstance(stored.request, em.PushRequest)
    assert stored.keys == (stored.request.idempotent_token,)
