"""Channel options of both services: valid examples, field limits, cross-field rules, and the
proof that every channel parameter of the official SDK request models has a YAML key."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from alibabacloud_mpaas20201028 import models as mpaas_sdk
from alibabacloud_push20160801 import models as emas_sdk
from pydantic import BaseModel, ValidationError

from pushflow.spec.base import Path, RuleContext, SpecModel, collect_violations
from pushflow.spec.campaign import EmasCampaign, MpaasCampaign
from pushflow.spec.channels_emas import EmasChannels, EmasSms
from pushflow.spec.channels_mpaas import MpaasChannels, MpaasSms

CTX = RuleContext(now=datetime(2025, 1, 1, tzinfo=UTC))

EMAS_EXAMPLE: dict[str, Any] = {
    "store_offline": True,
    "send_channels": ["accs", "huawei", "xiaomi", "oppo", "vivo", "apns", "harmony"],
    "job_key": "spring_sale-2025",
    "trim": True,
    "android": {
        "open_type": "activity",
        "activity": "com.example.OrderActivity",
        "notify_type": "both",
        "sound": "alicloud_notification_sound",
        "popup": {
            "activity": "com.example.PopupActivity",
            "title": "Your order shipped",
            "body": "{{ user.name }}, it is on its way",
        },
        "notification_channel": "orders",
        "notification_bar_type": 2,
        "notification_bar_priority": -2,
        "notify_id": 100001,
        "render_style": "inbox",
        "inbox": ["line 1", "line 2", "line 3", "line 4", "line 5"],
        "badge_set": 0,
        "badge_class": "com.example.MainActivity",
        "target_user_type": "test",
        "ext_parameters": {"order": "42", "nested": {"a": [1, 2]}},
        "huawei": {"category": "EXPRESS", "urgency": "high", "target_user_type": "production"},
        "xiaomi": {"channel_id": "michannel", "template_id": "t1", "template_params": {"a": "b"}},
        "oppo": {"category": "order", "notify_level": "lock-screen", "intent_env": "test"},
        "vivo": {"category": "device-reminder", "classification": "system", "push_mode": "test"},
    },
    "ios": {
        "apns_env": "production",
        "badge_auto_increment": True,
        "sound": "",
        "mutable_content": True,
        "silent": True,
        "interruption_level": "time-sensitive",
        "relevance_score": 0.5,
        "remind": True,
        "remind_body": "You have a new message",
        "ext_parameters": {"attachment": "https://example.com/pic.png"},
        "live_activity": {
            "event": "start",
            "attributes_type": "OrderAttributes",
            "attributes": {"order": 42},
            "content_state": {"status": "packed"},
            "stale_after": "1h",
        },
    },
    "harmony": {
        "category": "device-reminder",
        "notification_slot_type": "service-information",
        "action_type": "app-custom-page",
        "uri": "https://www.example.com/push",
        "render_style": "multi-line",
        "inbox": ["one", "two", "three"],
        "image_url": "https://example.com/x.png",
        "extension_push": True,
        "extension_extra_data": "extra",
        "remind": True,
        "remind_title": "New",
    },
}

MPAAS_EXAMPLE: dict[str, Any] = {
    "android": {
        "channel_id": "orders",
        "sound": "ring",
        "badge": 3,
        "big_text": True,
        "huawei": {"category": 9, "badge_add_num": 1, "badge_class": "com.example.Main"},
        "honor": {"category": "NORMAL"},
        "xiaomi": {"channel_id": "123321"},
        "oppo": {"category": "ACCOUNT", "notify_level": "lock-screen"},
        "vivo": {"category": "1", "classification": "operational"},
    },
    "ios": {
        "sound": "ring",
        "badge": 3,
        "mutable_content": True,
        "live_activity": {"event": "end", "content_state": {"s": 1}, "dismiss_after": "4h"},
    },
    "transparent": {"urgency": "high", "hms": {"data": '{"call": 1}'}, "fcm": {"data": "x"}},
    "vendor_template": "vt-1",
}


def found(model: SpecModel) -> list[tuple[Path, str, str]]:
    return [(v.path, v.rule, v.severity) for v in collect_violations(model, CTX)]


def test_examples_are_valid_and_break_no_rule() -> None:
    emas = EmasChannels.model_validate(EMAS_EXAMPLE)
    mpaas = MpaasChannels.model_validate(MPAAS_EXAMPLE)
    assert found(emas) == []
    assert found(mpaas) == []
    assert mpaas.android is not None
    assert mpaas.android.huawei is not None
    assert mpaas.android.huawei.category == "9"


def test_sms_examples_are_valid() -> None:
    emas = EmasSms.model_validate(
        {
            "template_name": "SMS_1234567",
            "sign_name": "Shop",
            "params": {"name": "{{ user.name }}", "code": "123"},
            "delay": "2m",
            "send_policy": "not-opened",
        }
    )
    assert emas.delay.total_seconds() == 120
    assert found(emas) == []
    mpaas = MpaasSms.model_validate(
        {
            "strategy": "fallback",
            "sign_name": "Shop",
            "template_code": "SMS_1",
            "template_param": {},
        }
    )
    assert found(mpaas) == []


FIELD_ERRORS = [
    (EmasChannels, {"job_key": "has space"}, ("job_key",), "string_pattern_mismatch"),
    (EmasChannels, {"job_key": "x" * 33}, ("job_key",), "string_pattern_mismatch"),
    (EmasChannels, {"send_channels": ["gcm", "sms"]}, ("send_channels", 1), "literal_error"),
    (EmasChannels, {"send_channels": ["apns", "apns"]}, ("send_channels",), "send-channels-unique"),
    (EmasChannels, {"andriod": {}}, ("andriod",), "extra_forbidden"),
    (EmasChannels, {"android": {"notify_type": "DEFAULT"}}, ("android", "notify_type"), "literal_error"),
    (EmasChannels, {"android": {"notification_bar_type": 0}}, ("android", "notification_bar_type"), "greater_than_equal"),
    (EmasChannels, {"android": {"notification_bar_type": 101}}, ("android", "notification_bar_type"), "less_than_equal"),
    (EmasChannels, {"android": {"notification_bar_priority": 3}}, ("android", "notification_bar_priority"), "less_than_equal"),
    (EmasChannels, {"android": {"badge_add": 0}}, ("android", "badge_add"), "greater_than_equal"),
    (EmasChannels, {"android": {"badge_set": 100}}, ("android", "badge_set"), "less_than_equal"),
    (EmasChannels, {"android": {"inbox": list("abcdef")}}, ("android", "inbox"), "android-inbox-lines"),
    (EmasChannels, {"android": {"inbox": []}}, ("android", "inbox"), "too_short"),
    (EmasChannels, {"android": {"activity": " "}}, ("android", "activity"), "string_too_short"),
    (EmasChannels, {"android": {"huawei": {"category": "express"}}}, ("android", "huawei", "category"), "string_pattern_mismatch"),
    (EmasChannels, {"android": {"oppo": {"notify_level": 16}}}, ("android", "oppo", "notify_level"), "literal_error"),
    (EmasChannels, {"android": {"meizu": {"notice_msg_type": "secret"}}}, ("android", "meizu", "notice_msg_type"), "literal_error"),
    (EmasChannels, {"ios": {"apns_env": "DEV"}}, ("ios", "apns_env"), "literal_error"),
    (EmasChannels, {"ios": {"relevance_score": 1.5}}, ("ios", "relevance_score"), "less_than_equal"),
    (EmasChannels, {"ios": {"badge": -1}}, ("ios", "badge"), "greater_than_equal"),
    (EmasChannels, {"ios": {"collapse_id": "c" * 65}}, ("ios", "collapse_id"), "string_too_long"),
    (EmasChannels, {"ios": {"interruption_level": "urgent"}}, ("ios", "interruption_level"), "literal_error"),
    (EmasChannels, {"ios": {"live_activity": {"event": "end", "dismiss_after": "5h"}}}, ("ios", "live_activity", "dismiss_after"), "duration_too_long"),
    (EmasChannels, {"ios": {"live_activity": {}}}, ("ios", "live_activity", "event"), "missing"),
    (EmasChannels, {"harmony": {"inbox": ["a", "b", "c", "d"]}}, ("harmony", "inbox"), "harmony-inbox-lines"),
    (EmasChannels, {"harmony": {"image_url": "http://example.com/a.png"}}, ("harmony", "image_url"), "string_pattern_mismatch"),
    (EmasChannels, {"harmony": {"notification_slot_type": "social"}}, ("harmony", "notification_slot_type"), "literal_error"),
    (EmasSms, {"template_name": "S", "sign_name": "s", "delay": "4d"}, ("delay",), "duration_too_long"),
    (EmasSms, {"template_name": "S", "sign_name": "s"}, ("delay",), "missing"),
    (EmasSms, {"template_name": "S", "sign_name": "s", "delay": "1m", "params": {"a&b": "1"}}, ("params", "a&b", "[key]"), "string_pattern_mismatch"),
    (MpaasChannels, {"android": {"huawei": {"badge_add_num": 100}}}, ("android", "huawei", "badge_add_num"), "less_than_equal"),
    (MpaasChannels, {"android": {"oppo": {"notify_level": 16}}}, ("android", "oppo", "notify_level"), "literal_error"),
    (MpaasChannels, {"android": {"vivo": {"classification": 1}}}, ("android", "vivo", "classification"), "literal_error"),
    (MpaasChannels, {"ios": {"live_activity": {"event": "start"}}}, ("ios", "live_activity", "event"), "literal_error"),
    (MpaasChannels, {"ios": {"live_activity": {"event": "end", "dismiss_after": "1d"}}}, ("ios", "live_activity", "dismiss_after"), "duration_too_long"),
    (MpaasChannels, {"transparent": {"urgency": "HIGH", "hms": {}}}, ("transparent", "urgency"), "literal_error"),
    (MpaasSms, {"strategy": "none", "sign_name": "s", "template_code": "c"}, ("strategy",), "literal_error"),
]  # fmt: skip


@pytest.mark.parametrize(("model", "data", "loc", "error"), FIELD_ERRORS)
def test_field_limits_are_enforced(
    model: type[BaseModel], data: dict[str, Any], loc: tuple[Any, ...], error: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    assert [(e["loc"], e["type"]) for e in caught.value.errors()] == [(loc, error)]


def test_line_limits_say_what_was_expected() -> None:
    with pytest.raises(ValidationError) as caught:
        EmasChannels.model_validate({"harmony": {"inbox": ["a", "b", "c", "d"]}})
    assert caught.value.errors()[0]["msg"] == "expected at most 3 lines, got 4"


E, W = "error", "warning"
POPUP = {"activity": "com.x.Popup", "title": "t", "body": "b"}

RULES = [
    # Android: open type, popup, render style, badges
    (EmasChannels, {"android": {"open_type": "activity"}}, [(("android", "activity"), "android-open-type", E)]),
    (EmasChannels, {"android": {"open_type": "url"}}, [(("android", "open_url"), "android-open-type", E)]),
    (EmasChannels, {"android": {"open_url": "https://x"}}, [(("android", "open_type"), "android-open-type", E)]),
    (EmasChannels, {"android": {"open_type": "url", "activity": "com.x.A", "open_url": "https://x"}}, [(("android", "open_type"), "android-open-type", E)]),
    (EmasChannels, {"android": {"popup": {"title": "t", "body": "b"}}}, [(("android", "popup", "activity"), "android-popup-activity", E)]),
    (EmasChannels, {"store_offline": True, "android": {"popup": {"activity": "com.x.P", "title": "t"}}}, [(("android", "popup", "body"), "android-popup-activity", E)]),
    (EmasChannels, {"store_offline": True, "android": {"popup": {**POPUP, "title": "t" * 31}}}, [(("android", "popup", "title"), "android-popup-length", E)]),
    (EmasChannels, {"store_offline": True, "android": {"popup": {**POPUP, "body": "b" * 129}}}, [(("android", "popup", "body"), "android-popup-length", E)]),
    (EmasChannels, {"store_offline": True, "android": {"popup": {**POPUP, "title": "#name#" * 10}}}, []),
    (EmasChannels, {"store_offline": True, "android": {"popup": {**POPUP, "title": "{{ x }}" * 10}}}, []),
    (EmasChannels, {"android": {"popup": POPUP}}, [(("store_offline",), "android-popup-store-offline", W)]),
    (EmasChannels, {"android": {"inbox": ["a"]}}, [(("android", "render_style"), "android-render-style", E)]),
    (EmasChannels, {"android": {"render_style": "inbox"}}, [(("android", "inbox"), "android-render-style", E)]),
    (EmasChannels, {"android": {"render_style": "big-picture"}}, [(("android", "big_picture_url"), "android-render-style", E)]),
    (EmasChannels, {"android": {"render_style": "standard", "big_body": "b"}}, [(("android", "render_style"), "android-render-style", E)]),
    (EmasChannels, {"android": {"render_style": "long-text", "big_title": "标" * 67}}, [(("android", "big_title"), "android-big-text-bytes", E)]),
    (EmasChannels, {"android": {"render_style": "long-text", "big_body": "b" * 1001}}, [(("android", "big_body"), "android-big-text-bytes", E)]),
    (EmasChannels, {"android": {"render_style": "long-text", "big_title": "标" * 66}}, []),
    (EmasChannels, {"android": {"badge_add": 1, "badge_set": 2}}, [(("android", "badge_add"), "android-badge-exclusive", W)]),
    # Android vendors
    (EmasChannels, {"android": {"oppo": {"notify_level": "banner"}}}, [(("android", "oppo", "category"), "oppo-notify-level-category", E)]),
    (EmasChannels, {"android": {"oppo": {"intelligent_intent": {}, "delete_intent_data": {}}}}, [(("android", "oppo", "delete_intent_data"), "oppo-delete-intent-ignored", W)]),
    (EmasChannels, {"android": {"oppo": {"private_title_parameters": {"a": "b"}}}}, [(("android", "oppo", "private_msg_template_id"), "oppo-private-template", W)]),
    (EmasChannels, {"android": {"xiaomi": {"template_params": {"a": "b"}}}}, [(("android", "xiaomi", "template_id"), "xiaomi-private-template", W)]),
    (EmasChannels, {"android": {"xiaomi": {"activity": "com.x.A", "image_url": "https://x"}}}, [(("android", "xiaomi", "activity"), "deprecated-parameter", W), (("android", "xiaomi", "image_url"), "deprecated-parameter", W)]),
    # send channels
    (EmasChannels, {"send_channels": ["accs"], "ios": {}, "android": {"vivo": {}}}, [(("ios",), "send-channels-excluded", W), (("android", "vivo"), "send-channels-excluded", W)]),
    # iOS
    (EmasChannels, {"ios": {"badge": 1, "badge_auto_increment": True}}, [(("ios", "badge"), "ios-badge-exclusive", E)]),
    (EmasChannels, {"ios": {"badge": 1, "badge_auto_increment": False}}, []),
    (EmasChannels, {"ios": {"silent": True}}, [(("ios", "mutable_content"), "ios-silent-mutable-content", E)]),
    (EmasChannels, {"ios": {"remind_body": "b"}}, [(("ios", "remind"), "ios-remind", E)]),
    (EmasChannels, {"ios": {"remind": True, "apns_env": "development"}}, [(("ios", "remind"), "ios-remind", W)]),
    (EmasChannels, {"ios": {"live_activity": {"event": "start", "attributes": {}}}}, [(("ios", "live_activity", "attributes_type"), "ios-live-activity-start", E)]),
    (EmasChannels, {"ios": {"live_activity": {"event": "update", "dismiss_after": "1h"}}}, [(("ios", "live_activity", "dismiss_after"), "ios-live-activity-dismissal", W)]),
    # HarmonyOS
    (EmasChannels, {"harmony": {"action_type": "app-custom-page"}}, [(("harmony", "action_type"), "harmony-custom-page", E)]),
    (EmasChannels, {"harmony": {"render_style": "multi-line"}}, [(("harmony", "inbox"), "harmony-render-style", E)]),
    (EmasChannels, {"harmony": {"inbox": ["a"]}}, [(("harmony", "render_style"), "harmony-render-style", E)]),
    (EmasChannels, {"harmony": {"extension_extra_data": "x"}}, [(("harmony", "extension_push"), "harmony-extension-push", E)]),
    (EmasChannels, {"harmony": {"remind_body": "x", "remind": False}}, [(("harmony", "remind"), "harmony-remind", E)]),
    # SMS
    (EmasSms, {"template_name": "S", "sign_name": "s", "delay": "10s"}, [(("delay",), "sms-delay-short", W)]),
    (EmasSms, {"template_name": "S", "sign_name": "s", "delay": "1m", "params": {"a": "x&y"}}, [(("params", "a"), "sms-params-format", E)]),
    # mPaaS
    (MpaasChannels, {"android": {"huawei": {"badge_add_num": 2}}}, [(("android", "huawei", "badge_class"), "mpaas-badge-class", E)]),
    (MpaasChannels, {"android": {"oppo": {"notify_level": "banner"}}}, [(("android", "oppo", "category"), "oppo-notify-level-category", W)]),
    (MpaasChannels, {"android": {"sound": "a"}, "ios": {"sound": "b"}}, [(("ios", "sound"), "mpaas-extended-param-shared", E)]),
    (MpaasChannels, {"android": {"badge": 1}, "ios": {"badge": 2}}, [(("ios", "badge"), "mpaas-extended-param-shared", E)]),
    (MpaasChannels, {"transparent": {"urgency": "normal"}}, [(("transparent",), "mpaas-transparent-payload", E), (("transparent", "urgency"), "mpaas-transparent-urgency", W)]),
    (MpaasChannels, {"transparent": {"urgency": "high", "fcm": {}}}, [(("transparent", "urgency"), "mpaas-transparent-urgency", W)]),
    (MpaasChannels, {"ios": {"live_activity": {"event": "update", "dismiss_after": "1h"}}}, [(("ios", "live_activity", "dismiss_after"), "live-activity-dismissal", W)]),
]  # fmt: skip


@pytest.mark.parametrize(("model", "data", "expected"), RULES)
def test_cross_field_rules(
    model: type[SpecModel], data: dict[str, Any], expected: list[tuple[Path, str, str]]
) -> None:
    assert found(model.model_validate(data)) == expected


def test_rule_messages_say_what_was_expected() -> None:
    model = EmasChannels.model_validate({"ios": {"badge": 1, "badge_auto_increment": True}})
    (violation,) = collect_violations(model, CTX)
    assert violation.message == "expected either `badge` or badge_auto_increment: true, not both"
    model = EmasChannels.model_validate(
        {"store_offline": True, "android": {"popup": {**POPUP, "title": "t" * 31}}}
    )
    (violation,) = collect_violations(model, CTX)
    assert violation.message == "expected at most 30 characters, got 31"


# --- every channel parameter of the SDK request models has a YAML key -------------------------

#: Parameters no YAML key sets because compile derives them: the app's ids and keys from
#: pushflow.yaml, idempotency keys from campaign + occurrence + target, the strategy's wire form,
#: the per-target structures of PushMultiple, and SendSpeed (deprecated by EMAS).
EMAS_DERIVED = frozenset({"AppKey", "TargetValue", "PushTime", "IdempotentToken", "SendSpeed"})
MPAAS_DERIVED = frozenset(
    {"AppId", "WorkspaceId", "TenantId", "StrategyType", "StrategyContent"}
    | {"TargetMsgkey", "TargetMsg", "MsgKey", "Msgkey", "Target"}
    # PushBroadcast custom bind windows: in the SDK model only, with no documented meaning in
    # the seeds or the SDK; left out until their semantics are known.
    | {"BindStartTime", "BindEndTime", "UnBindStartTime", "UnBindEndTime", "TimeMode"}
)


def sdk_parameters(request: type[Any]) -> set[str]:
    """Wire names of a request model, from its own ``to_map`` with every attribute set."""
    instance = request()
    for name in [n for n in vars(instance) if not n.startswith("_")]:
        setattr(instance, name, [] if name in {"push_task", "target_msg"} else 1)
    return set(instance.to_map())


def spec_models(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from spec_models(arg)


def covered(model: type[BaseModel]) -> set[str]:
    """``x-wire`` names of ``model`` and of every model below it."""
    names: set[str] = set()
    for field in model.model_fields.values():
        extra = field.json_schema_extra
        if isinstance(extra, dict) and isinstance(extra.get("x-wire"), str):
            names.add(str(extra["x-wire"]))
        for child in spec_models(field.annotation):
            names |= covered(child)
    return names


@pytest.mark.parametrize("request_model", [emas_sdk.PushRequest, emas_sdk.MassPushRequestPushTask])
def test_every_emas_parameter_has_a_key(request_model: type[Any]) -> None:
    """The proof that a campaign can express every parameter of the API."""
    parameters = sdk_parameters(request_model) - EMAS_DERIVED
    assert parameters - covered(EmasCampaign) == set()
    assert {p for p in parameters if p.startswith("Sms")} <= covered(EmasSms)


@pytest.mark.parametrize(
    "request_model",
    [
        mpaas_sdk.PushSimpleRequest,
        mpaas_sdk.PushTemplateRequest,
        mpaas_sdk.PushMultipleRequest,
        mpaas_sdk.PushBroadcastRequest,
    ],
)
def test_every_mpaas_parameter_has_a_key(request_model: type[Any]) -> None:
    """The proof that a campaign can express every parameter of the API."""
    parameters = sdk_parameters(request_model) - MPAAS_DERIVED
    assert parameters - covered(MpaasCampaign) == set()


def test_keys_map_only_to_real_parameters() -> None:
    emas = set().union(*(sdk_parameters(r) for r in [emas_sdk.PushRequest]))
    mpaas = set().union(
        *(sdk_parameters(r) for r in [mpaas_sdk.PushSimpleRequest, mpaas_sdk.PushBroadcastRequest])
    )
    assert covered(EmasChannels) | covered(EmasSms) <= emas
    assert covered(MpaasChannels) | covered(MpaasSms) <= mpaas


def test_schema_carries_wire_names_limits_and_mpaas_keys() -> None:
    emas = EmasChannels.model_json_schema()["$defs"]
    assert emas["EmasHarmony"]["properties"]["inbox"]["anyOf"][0]["maxItems"] == 3
    assert emas["EmasIos"]["properties"]["badge"]["x-wire"] == "iOSBadge"
    mpaas = MpaasChannels.model_json_schema()["$defs"]
    huawei = mpaas["MpaasHuawei"]["properties"]
    assert huawei["category"]["x-wire"] == "ThirdChannelCategory"
    assert huawei["category"]["x-wire-key"] == "hms"
    assert huawei["badge_add_num"]["x-extended-param"] == "badge_add_num"
    assert mpaas["MpaasIos"]["properties"]["mutable_content"]["x-extended-param"] == (
        "mutable-content"
    )


def test_no_field_lacks_a_description() -> None:
    def undocumented(model: type[BaseModel]) -> Iterator[str]:
        for name, field in model.model_fields.items():
            if not field.description:
                yield f"{model.__name__}.{name}"
            for child in spec_models(field.annotation):
                yield from undocumented(child)

    for root in (EmasChannels, EmasSms, MpaasChannels, MpaasSms):
        assert list(undocumented(root)) == []
