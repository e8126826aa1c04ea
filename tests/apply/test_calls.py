"""Calls of campaigns that use every kind of option, their keys, and what cannot be built.

The campaigns here set options the examples leave out (vendor maps, extended parameters, Live
Activity dates, SMS, per-target extras, fan-out MassPush); their calls are sent to the emulator
and asserted whole as the emulator logged them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pushflow.apply import PENDING_MESSAGE_ID, Call, RequestError, unsent_keys, with_message_id
from pushflow.apply.calls import one_content
from pushflow.plan.keys import idempotent_token, job_key, msg_key, task_tag
from pushflow.plan.routes import Route
from pushflow.providers import emas_models as em
from pushflow.render import RenderedMessage
from pushflow.spec.project import EmasApp
from tests.apply.conftest import EmulatorHarness, Example, form, prepare
from tests.conftest import NOW, MakeProject

RICH_SIMPLE = """\
name: rich-simple
provider: mpaas
app: shop-mpaas
message:
  kind: simple
  title: "Hello {{ row.name }}"
  content: Your parcel is near.
  task_name: parcel-near
  push_style: picture
  image_urls: {default: "https://img.example.com/p.png", ios: "https://img.example.com/i.png"}
  icon_urls: {hms: "https://img.example.com/h.png"}
  action: activity
  uri: com.example.Parcel
  silent: true
  notify_type: notify
  extras: {screen: parcel, name: "{{ row.name }}"}
  sms: {strategy: fallback, sign_name: Shop, template_code: SMS_1, template_param: {code: "42"}}
audience:
  kind: android_device
  source:
    inline: [{id: dev-1, name: Ann}]
channels:
  android:
    channel_id: parcels
    badge: 2
    big_text: true
    huawei: {category: 9, badge_add_num: 1, badge_class: com.example.Main}
    xiaomi: {channel_id: "123321"}
    oppo: {category: ACCOUNT, notify_level: lock-screen}
    vivo: {category: 1, classification: system}
  ios:
    mutable_content: true
    live_activity: {event: end, content_state: {status: delivered}, dismiss_after: 1h}
  transparent:
    urgency: high
    hms: {data: '{"call": "incoming"}'}
  vendor_template: tpl-1
"""

RICH_MASS = """\
name: rich-mass
provider: emas
app: shop-emas
api: mass
message:
  kind: notice
  title: "Hi {{ row.name }}"
  body: "Your order {{ row.order }} shipped."
  expire: 1h
  extras: {order: "{{ row.order }}", source: pushflow}
audience:
  kind: account
  device_type: all
  source:
    inline: [{id: a-1, name: Ann, order: O-1}, {id: a-2, name: Bo, order: O-2}]
channels:
  store_offline: true
  send_channels: [accs, huawei, oppo, vivo, meizu, xiaomi, apns]
  trim: true
  android:
    open_type: activity
    activity: com.example.Order
    render_style: inbox
    inbox: [line one, "{{ row.order }}"]
    notification_bar_priority: 1
    target_user_type: test
    ext_parameters: {source: android}
    popup: {activity: com.example.Popup, title: "Order {{ row.order }}", body: On its way}
    huawei: {category: EXPRESS, urgency: high, importance: normal, business_type: quick-notification}
    oppo: {category: device-reminder, notify_level: banner, private_msg_template_id: t1, private_title_parameters: {name: "{{ row.name }}"}}
    vivo: {category: order, classification: system, push_mode: test}
    meizu: {notice_msg_type: private}
    xiaomi: {template_id: x1, template_params: {k: v}}
  ios:
    apns_env: development
    badge: 3
    subtitle: Orders
    mutable_content: true
    relevance_score: 0.5
    ext_parameters: {attachment: "https://img.example.com/a.png"}
    live_activity: {event: update, id: la-1, content_state: {eta: 5}, stale_after: 2h}
  harmony: {category: express}
"""

MULTIPLE_EXTRAS = """\
name: multi-extras
provider: mpaas
app: shop-mpaas
api: multiple
message:
  kind: template
  template: cart_reminder
  values: {name: "{{ row.name }}", item: socks, price: "9"}
  extras: {campaign: carts, coupon: "{{ row.coupon }}"}
audience:
  kind: user
  source:
    inline: [{id: u1, name: A, coupon: C1}, {id: u2, name: B, coupon: C2}]
"""


@pytest.fixture
def rich(make_project: MakeProject, tmp_path: Path) -> dict[str, Example]:
    root = make_project(
        {
            "campaigns/rich-simple.yaml": RICH_SIMPLE,
            "campaigns/rich-mass.yaml": RICH_MASS,
            "campaigns/multi-extras.yaml": MULTIPLE_EXTRAS,
        }
    )
    return prepare(root / "pushflow.yaml", tmp_path)


def epoch(moment: datetime) -> str:
    return str(int(moment.timestamp()))


@pytest.mark.anyio
async def test_mpaas_options_reach_their_parameters(
    rich: dict[str, Example], emulator: EmulatorHarness
) -> None:
    await emulator.apply(rich["rich-simple"])
    (call,) = await emulator.calls(action="PushSimple")
    assert call["code"] == "OK"
    assert call["params"] == {
        "AppId": "ONEX570DA89211721",
        "WorkspaceId": "default",
        "DeliveryType": "1",
        "ExpiredSeconds": "259200",
        "TaskName": "parcel-near",
        "Title": "Hello Ann",
        "Content": "Your parcel is near.",
        "TargetMsgkey": form({"dev-1": msg_key("rich-simple", 0, "now", "dev-1")}),
        "PushStyle": "2",
        "ImageUrls": form(
            {
                "defaultUrl": "https://img.example.com/p.png",
                "iosUrl": "https://img.example.com/i.png",
            }
        ),
        "IconUrls": form({"hmsUrl": "https://img.example.com/h.png"}),
        "PushAction": "1",
        "Uri": "com.example.Parcel",
        "Silent": "1",
        "NotifyType": "notify",
        "ExtendedParams": form(
            {
                "screen": "parcel",
                "name": "Ann",
                "badge": "2",
                "big_text": "1",
                "badge_add_num": "1",
                "badge_class": "com.example.Main",
                "mutable-content": "1",
            }
        ),
        "ChannelId": "parcels",
        "MiChannelId": "123321",
        "Classification": "1",
        "ThirdChannelCategory": form({"hms": "9", "oppo": "ACCOUNT", "vivo": "1"}),
        "NotifyLevel": form({"oppo": "2"}),
        "ActivityEvent": "end",
        "ActivityContentState.status": "delivered",
        "DismissalDate": epoch(datetime(2026, 11, 22, 5, 0, tzinfo=UTC)),
        "TransparentMessagePayload.hms.data": '{"call": "incoming"}',
        "TransparentMessageUrgency": "HIGH",
        "VendorTemplate": "tpl-1",
        "SmsStrategy": "1",
        "SmsSignName": "Shop",
        "SmsTemplateCode": "SMS_1",
        "SmsTemplateParam": '{"code":"42"}',
    }


@pytest.mark.anyio
async def test_extras_that_differ_per_target_ride_in_each_target_msg(
    rich: dict[str, Example], emulator: EmulatorHarness
) -> None:
    await emulator.apply(rich["multi-extras"])
    (call,) = await emulator.calls(action="PushMultiple")
    keys = {user: msg_key("multi-extras", 0, "now", user) for user in ("u1", "u2")}
    assert call["params"] == {
        "AppId": "ONEX570DA89211721",
        "WorkspaceId": "default",
        "DeliveryType": "3",
        "ExpiredSeconds": "259200",
        "TaskName": f"multi-extras [{task_tag('multi-extras', 0, 'now', ['u1', 'u2'])}]",
        "TemplateName": "cart_reminder",
        "ExtendedParams": '{"campaign":"carts"}',
        "TargetMsg.1.Target": "u1",
        "TargetMsg.1.MsgKey": keys["u1"],
        "TargetMsg.1.TemplateKeyValue": form({"item": "socks", "price": "9", "name": "A"}),
        "TargetMsg.1.ExtendedParams": '{"coupon":"C1"}',
        "TargetMsg.2.Target": "u2",
        "TargetMsg.2.MsgKey": keys["u2"],
        "TargetMsg.2.TemplateKeyValue": form({"item": "socks", "price": "9", "name": "B"}),
        "TargetMsg.2.ExtendedParams": '{"coupon":"C2"}',
    }


@pytest.mark.anyio
async def test_emas_options_per_platform_in_a_fanned_out_mass_push(
    rich: dict[str, Example], emulator: EmulatorHarness
) -> None:
    sent = await emulator.apply(rich["rich-mass"])
    assert [c.targets for c in sent] == [("android:a-1", "android:a-2"), ("ios:a-1", "ios:a-2")]
    android, ios = (tasks(call["params"]) for call in await emulator.calls(action="MassPush"))
    shared = {
        "PushType": "NOTICE",
        "Target": "ACCOUNT",
        "TargetValue": "a-1",
        "Title": "Hi Ann",
        "Body": "Your order O-1 shipped.",
        "ExpireTime": "2026-11-22T05:00:00Z",
        "JobKey": job_key("rich-mass", 0, "now"),
        "StoreOffline": "True",
        "SendChannels": "accs,huawei,oppo,vivo,meizu,xiaomi,apns",
        "Trim": "True",
    }
    assert android[0] == {
        "AppKey": "23267207",
        "IdempotentToken": idempotent_token("rich-mass", 0, "now", ["android:a-1", "android:a-2"]),
    }
    assert android[1] == {
        **shared,
        "DeviceType": "ANDROID",
        "AndroidOpenType": "ACTIVITY",
        "AndroidActivity": "com.example.Order",
        "AndroidRenderStyle": "3",
        "AndroidInboxBody": '["line one","O-1"]',
        "AndroidNotificationBarPriority": "1",
        "AndroidTargetUserType": "1",
        "AndroidExtParameters": '{"source":"android","order":"O-1"}',
        "AndroidPopupActivity": "com.example.Popup",
        "AndroidPopupTitle": "Order O-1",
        "AndroidPopupBody": "On its way",
        "AndroidMessageHuaweiCategory": "EXPRESS",
        "AndroidMessageHuaweiUrgency": "HIGH",
        "AndroidNotificationHuaweiChannel": "NORMAL",
        "AndroidHuaweiBusinessType": "1",
        "AndroidMessageOppoCategory": "DEVICE_REMINDER",
        "AndroidMessageOppoNotifyLevel": "16",
        "AndroidOppoPrivateMsgTemplateId": "t1",
        "AndroidOppoPrivateTitleParameters.name": "Ann",
        "AndroidMessageVivoCategory": "ORDER",
        "AndroidNotificationVivoChannel": "1",
        "AndroidVivoPushMode": "1",
        "AndroidMeizuNoticeMsgType": "1",
        "AndroidXiaomiTemplateId": "x1",
        "AndroidXiaomiTemplateParams": '{"k":"v"}',
    }
    assert android[2] == android[1] | {
        "TargetValue": "a-2",
        "Title": "Hi Bo",
        "Body": "Your order O-2 shipped.",
        "AndroidInboxBody": '["line one","O-2"]',
        "AndroidExtParameters": '{"source":"android","order":"O-2"}',
        "AndroidPopupTitle": "Order O-2",
        "AndroidOppoPrivateTitleParameters.name": "Bo",
    }
    assert ios[0] == {
        "AppKey": "23267208",
        "IdempotentToken": idempotent_token("rich-mass", 0, "now", ["ios:a-1", "ios:a-2"]),
    }
    assert ios[1] == {
        **shared,
        "DeviceType": "iOS",
        "iOSApnsEnv": "DEV",
        "iOSBadge": "3",
        "iOSSubtitle": "Orders",
        "iOSMutableContent": "True",
        "iOSRelevanceScore": "0.5",
        "iOSExtParameters": form(
            {"source": "pushflow", "order": "O-1", "attachment": "https://img.example.com/a.png"}
        ),
        "iOSLiveActivityEvent": "update",
        "iOSLiveActivityId": "la-1",
        "iOSLiveActivityContentState": '{"eta":5}',
        "iOSLiveActivityStaleDate": epoch(datetime(2026, 11, 22, 6, 0, tzinfo=UTC)),
    }
    assert ios[2] == ios[1] | {
        "TargetValue": "a-2",
        "Title": "Hi Bo",
        "Body": "Your order O-2 shipped.",
        "iOSExtParameters": form(
            {"source": "pushflow", "order": "O-2", "attachment": "https://img.example.com/a.png"}
        ),
    }


def tasks(params: dict[str, str]) -> dict[int, dict[str, str]]:
    """MassPush parameters by task: ``PushTask.N.X`` under N (without the prefix), others
    under 0."""
    found: dict[int, dict[str, str]] = {}
    for name, value in params.items():
        if name.startswith("PushTask."):
            _, number, rest = name.split(".", 2)
            found.setdefault(int(number), {})[rest] = value
        else:
            found.setdefault(0, {})[name] = value
    return found


def test_keys_are_one_per_target(examples: dict[str, Example]) -> None:
    (call,) = examples["weekly-digest-template"].calls()
    assert call.keys == tuple(
        msg_key("weekly-digest", 0, "2026-11-28T09:30", target) for target in call.targets
    )
    for example in ("flash-sale-notice", "account-security-message"):
        for platform in examples[example].platforms:
            for call in examples[example].calls(platform):
                token = getattr(call.request, "idempotent_token", None)
                assert call.keys == (token,) * len(call.targets)


def test_fanned_out_platforms_get_their_own_keys(examples: dict[str, Example]) -> None:
    example = examples["account-security-message"]
    (android,) = example.calls("android")
    (ios,) = example.calls("ios")
    assert {t.split(":", 1)[1] for t in android.targets} == {
        t.split(":", 1)[1] for t in ios.targets
    }
    assert android.keys[0] != ios.keys[0]


def test_continuous_push_calls_wait_for_the_message_id(examples: dict[str, Example]) -> None:
    call = examples["reactivation-continuous"].calls()[0]
    assert call.needs_message_id
    assert call.message_id_missing
    filled = with_message_id(call, "500000000001")
    assert isinstance(filled.request, em.ContinuouslyPushRequest)
    assert filled.request.message_id == "500000000001"
    assert not filled.message_id_missing
    assert call.request.wire()["MessageId"] == PENDING_MESSAGE_ID
    with pytest.raises(ValueError, match="empty MessageId"):
        with_message_id(call, "")
    push = examples["flash-sale-notice"].calls()[0]
    with pytest.raises(ValueError, match=r"emas\.Push takes no MessageId"):
        with_message_id(push, "1")


def test_a_call_has_one_key_per_target(examples: dict[str, Example]) -> None:
    call = examples["flash-sale-notice"].calls()[0]
    with pytest.raises(ValueError, match="one key per target, got 1 keys for 3 targets"):
        Call(**{**call.__dict__, "keys": call.keys[:1]})


def test_options_an_api_cannot_carry_are_listed(
    examples: dict[str, Example], rich: dict[str, Example]
) -> None:
    assert unsent_keys(examples["weekly-digest-template"].campaign, "mpaas.PushTemplate") == []
    assert unsent_keys(examples["order-shipped-simple"].campaign, "mpaas.PushSimple") == []
    simple = rich["rich-simple"].campaign
    assert unsent_keys(simple, "mpaas.PushBroadcast") == [
        "message.push_style",
        "message.uri",
        "message.image_urls",
        "message.icon_urls",
        "message.sms.strategy",
        "message.sms.sign_name",
        "message.sms.template_code",
        "message.sms.template_param",
        "channels.ios.live_activity.event",
        "channels.ios.live_activity.content_state",
        "channels.ios.live_activity.dismiss_after",
    ]
    flash = examples["flash-sale-notice"].campaign
    assert unsent_keys(flash, "emas.Push") == []
    assert unsent_keys(flash, "emas.MassPush") == [
        "message.sms.template_name",
        "message.sms.sign_name",
        "message.sms.delay",
    ]


def test_a_platform_without_an_app_key_is_refused(examples: dict[str, Example]) -> None:
    example = examples["monthly-statement-loop"]
    android_only = EmasApp(provider="emas", app_keys={"android": 23267207})
    with pytest.raises(RequestError, match=r"no ios AppKey in pushflow.yaml \(app_keys.ios\)"):
        replace(example, app=android_only).calls()


def test_a_stored_message_cannot_be_scheduled(examples: dict[str, Example]) -> None:
    example = replace(examples["reactivation-continuous"], execute="server")
    with pytest.raises(RequestError, match="Target=TBD"):
        example.stored()


def test_messages_must_match_the_rows(examples: dict[str, Example]) -> None:
    example = examples["order-shipped-simple"]
    with pytest.raises(ValueError, match="2 rows need 1 or 2 messages, got 3"):
        replace(example, messages=[*example.messages, example.messages[0]]).calls()
    with pytest.raises(ValueError, match="given for row"):
        replace(example, messages=example.messages[::-1]).calls()
    with pytest.raises(ValueError, match="no rendered message"):
        replace(example, messages=[]).calls()


def test_one_content_calls_refuse_per_target_messages(examples: dict[str, Example]) -> None:
    example = examples["order-shipped-simple"]
    same = Route("mpaas.PushSimple", 10, False)
    with pytest.raises(ValueError, match="sends one content to every target, but"):
        replace(example, route=same).calls()
    first, second = (RenderedMessage(t, title=t) for t in ("a", "b"))
    assert one_content("emas.Push", [("a", first), ("b", first)]) is first
    with pytest.raises(ValueError, match="but b has its own"):
        one_content("emas.Push", [("a", first), ("b", second)])


def test_a_server_strategy_needs_a_time(examples: dict[str, Example]) -> None:
    with pytest.raises(ValueError, match="sends now: it has no server strategy"):
        replace(examples["order-shipped-simple"], execute="server").calls()


def test_now_and_local_sends_carry_no_strategy(examples: dict[str, Example]) -> None:
    for name in ("order-shipped-simple", "weekly-digest-template"):
        for call in examples[name].calls():
            assert "StrategyType" not in call.request.wire()
    assert examples["weekly-digest-template"].occurrence.instant > NOW
