"""EMAS Push options that only one Android vendor channel reads: ``channels.android.<vendor>``.

Wire names and value tables come from the official SDK request model (``PushRequest``) and the
seed ``emas-push.zh.txt``. There is no FCM-only parameter: FCM reads the shared
``android.notification_channel``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import StringConstraints

from pushflow.spec.base import RuleContext, SpecModel, Violation, wire
from pushflow.spec.channels_fields import Environment, JsonObject, Token, expect

Importance = Literal["low", "normal"]

#: AndroidMessageOppoCategory and AndroidMessageVivoCategory share one table.
VendorCategory = Literal[
    "im",
    "account",
    "device-reminder",
    "order",
    "todo",
    "subscription",
    "news",
    "content",
    "marketing",
    "social",
]
_CATEGORY_WIRE = "Wire value: upper case with '-' as '_' (device-reminder → DEVICE_REMINDER)."

HuaweiCategory = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z_]*$")]


class EmasHuawei(SpecModel):
    """Huawei (HMS) channel options."""

    category: HuaweiCategory | None = wire(
        "AndroidMessageHuaweiCategory",
        "Huawei self-classification category (cloud or local category value from Huawei's "
        "message classification standard, e.g. IM, ACCOUNT, MARKETING), or VOIP / PLAY_VOICE "
        "for high-priority pass-through; needs the category right granted by Huawei.",
        default=None,
        examples=["IM", "MARKETING"],
    )
    urgency: Literal["high", "normal"] | None = wire(
        "AndroidMessageHuaweiUrgency",
        "Huawei delivery priority: high (HIGH) or normal (NORMAL); high needs Huawei's approval.",
        default=None,
    )
    importance: Importance | None = wire(
        "AndroidNotificationHuaweiChannel",
        "Huawei notification importance: low (LOW, news and marketing) or normal (NORMAL, "
        "service and communication). Huawei now recommends `category` instead.",
        default=None,
    )
    business_type: Literal["standard", "quick-notification"] | None = wire(
        "AndroidHuaweiBusinessType",
        "standard (0, default) sends a normal Huawei notification; quick-notification (1) a "
        "Huawei Quick Notification.",
        default=None,
    )
    target_user_type: Environment | None = wire(
        "AndroidHuaweiTargetUserType",
        "production (0, default) or test (1); Huawei allows 500 test notifications per app a "
        "day outside the per-device quota. Overrides android.target_user_type.",
        default=None,
    )
    receipt_id: Token | None = wire(
        "AndroidHuaweiReceiptId",
        "Huawei receipt configuration id; only needed when Huawei's default receipt is not "
        "the Alibaba Cloud one.",
        default=None,
    )
    live_notification: JsonObject | None = wire(
        "AndroidHuaweiLiveNotificationPayload",
        "Huawei Live Notification payload (LiveNotificationPayload object), sent as JSON.",
        default=None,
    )


class EmasHonor(SpecModel):
    """Honor channel options."""

    importance: Importance | None = wire(
        "AndroidNotificationHonorChannel",
        "Honor notification importance: low (LOW, news and marketing) or normal (NORMAL, "
        "service and communication); normal needs Honor's self-classification right.",
        default=None,
    )
    target_user_type: Environment | None = wire(
        "AndroidHonorTargetUserType",
        "production (0, default) or test (1); Honor allows 1000 test notifications per app a "
        "day outside the per-device quota. Overrides android.target_user_type.",
        default=None,
    )


class EmasXiaomi(SpecModel):
    """Xiaomi (MiPush) channel options."""

    channel_id: Token | None = wire(
        "AndroidNotificationXiaomiChannel",
        "Xiaomi notification channel id applied for on the Xiaomi platform (at most 8 per app).",
        default=None,
    )
    template_id: Token | None = wire(
        "AndroidXiaomiTemplateId", "Xiaomi private-message template id.", default=None
    )
    template_params: dict[str, str] | None = wire(
        "AndroidXiaomiTemplateParams",
        "Values of the Xiaomi private-message template's parameters, sent as a JSON object.",
        default=None,
    )
    focus_param: JsonObject | None = wire(
        "AndroidXiaomiFocusParam",
        "Xiaomi Super Island data (miui.focus.param), sent as JSON.",
        default=None,
    )
    focus_pics: JsonObject | None = wire(
        "AndroidXiaomiFocusPics",
        "Xiaomi Super Island images (miui.focus.pic_xxx), sent as JSON.",
        default=None,
    )
    big_picture_url: Token | None = wire(
        "AndroidXiaomiBigPictureUrl",
        "Deprecated by Xiaomi (August 2023): URL Xiaomi returned for an uploaded big picture.",
        default=None,
        json_schema_extra={"deprecated": True},
    )
    image_url: Token | None = wire(
        "AndroidXiaomiImageUrl",
        "Deprecated by Xiaomi (August 2023): URL Xiaomi returned for an uploaded picture "
        "(MIUI 12+, long-text style only).",
        default=None,
        json_schema_extra={"deprecated": True},
    )
    activity: Token | None = wire(
        "AndroidXiaoMiActivity",
        "Deprecated: use android.popup.activity, which serves every vendor channel.",
        default=None,
        json_schema_extra={"deprecated": True},
    )
    notify_title: str | None = wire(
        "AndroidXiaoMiNotifyTitle",
        "Deprecated: use android.popup.title, which serves every vendor channel.",
        default=None,
        json_schema_extra={"deprecated": True},
    )
    notify_body: str | None = wire(
        "AndroidXiaoMiNotifyBody",
        "Deprecated: use android.popup.body, which serves every vendor channel.",
        default=None,
        json_schema_extra={"deprecated": True},
    )

    def violations(self, ctx: RuleContext) -> Iterator[Violation]:
        yield from expect(
            not self.template_params or self.template_id is not None,
            ("template_id",),
            "xiaomi-private-template",
            "expected `template_id` with `template_params`",
            severity="warning",
        )
        replaced = {"activity": "activity", "notify_title": "title", "notify_body": "body"}
        for key, new in replaced.items():
            yield from expect(
                getattr(self, key) is None,
                (key,),
                "deprecated-parameter",
                f"expected android.popup.{new}: the service deprecated this Xiaomi-only key",
                severity="warning",
            )
        for key in ("big_picture_url", "image_url"):
            yield from expect(
                getattr(self, key) is None,
                (key,),
                "deprecated-parameter",
                "Xiaomi stopped honouring pictures set at push time in August 2023",
                severity="warning",
            )


class EmasOppo(SpecModel):
    """OPPO (OPUSH) channel options."""

    category: VendorCategory | None = wire(
        "AndroidMessageOppoCategory",
        "OPPO message category: im, account, device-reminder, order, todo, subscription "
        "(communication and service, need OPPO's approval) or news, content, marketing, social. "
        + _CATEGORY_WIRE,
        default=None,
    )
    notify_level: Literal["notification-bar", "lock-screen", "banner"] | None = wire(
        "AndroidMessageOppoNotifyLevel",
        "OPPO alert level: notification-bar (1), lock-screen (2: bar, lock screen, ringtone, "
        "vibration) or banner (16: all of those plus a banner, needs approval). Needs `category`.",
        default=None,
    )
    private_msg_template_id: Token | None = wire(
        "AndroidOppoPrivateMsgTemplateId", "OPPO private-message template id.", default=None
    )
    private_title_parameters: dict[str, str] | None = wire(
        "AndroidOppoPrivateTitleParameters",
        "Values of the OPPO private-message template's title parameters.",
        default=None,
    )
    private_content_parameters: dict[str, str] | None = wire(
        "AndroidOppoPrivateContentParameters",
        "Values of the OPPO private-message template's content parameters.",
        default=None,
    )
    intelligent_intent: JsonObject | None = wire(
        "AndroidOppoIntelligentIntent",
        "OPPO Fluid Cloud intent (IntelligentIntent object), sent as JSON.",
        default=None,
    )
    delete_intent_data: JsonObject | None = wire(
        "AndroidOppoDeleteIntentData",
        "OPPO Fluid Cloud intent deletion data, sent as JSON; ignored with `intelligent_intent`.",
        default=None,
    )
    intent_env: Environment | None = wire(
        "AndroidOppoIntentEnv",
        "OPPO Fluid Cloud environment: production (0, default) or test (1). Overrides "
        "android.target_user_type.",
        default=None,
    )

    def violations(self, ctx: RuleContext) -> Iterator[Violation]:
        yield from expect(
            self.notify_level is None or self.category is not None,
            ("category",),
            "oppo-notify-level-category",
            "expected `category` with `notify_level`: OPPO needs both",
        )
        yield from expect(
            self.delete_intent_data is None or self.intelligent_intent is None,
            ("delete_intent_data",),
            "oppo-delete-intent-ignored",
            "expected only one of `intelligent_intent` and `delete_intent_data`: the service "
            "ignores the deletion data when an intent is given",
            severity="warning",
        )
        has_params = self.private_title_parameters or self.private_content_parameters
        yield from expect(
            not has_params or self.private_msg_template_id is not None,
            ("private_msg_template_id",),
            "oppo-private-template",
            "expected `private_msg_template_id` with private template parameters",
            severity="warning",
        )


class EmasVivo(SpecModel):
    """vivo channel options."""

    category: VendorCategory | None = wire(
        "AndroidMessageVivoCategory",
        "vivo message category: im, account, todo, device-reminder, order, subscription "
        "(system messages, need vivo's approval) or news, content, marketing, social "
        "(operational). " + _CATEGORY_WIRE,
        default=None,
    )
    classification: Literal["operational", "system"] | None = wire(
        "AndroidNotificationVivoChannel",
        "vivo classification: operational (0, default) or system (1). vivo now recommends "
        "`category` instead.",
        default=None,
    )
    push_mode: Environment | None = wire(
        "AndroidVivoPushMode",
        "production (0, default) or test (1); test sends only reach devices registered as test "
        "devices in the vivo console. Overrides android.target_user_type.",
        default=None,
    )
    receipt_id: Token | None = wire(
        "AndroidVivoReceiptId",
        "vivo receipt id; only needed when vivo's default receipt is not the Alibaba Cloud one.",
        default=None,
    )
    live_message: JsonObject | None = wire(
        "AndroidVivoLiveMessage",
        "vivo Atomic Island data (liveMessage object), sent as JSON.",
        default=None,
    )


class EmasMeizu(SpecModel):
    """Meizu channel options."""

    notice_msg_type: Literal["public", "private"] | None = wire(
        "AndroidMeizuNoticeMsgType",
        "Meizu message type: public (0, default) or private (1).",
        default=None,
    )
