"""EMAS Push HarmonyOS options: ``channels.harmony`` (the ``Harmony*`` request parameters)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import Field

from pushflow.spec.base import RuleContext, SpecModel, Violation, wire
from pushflow.spec.channels_fields import JsonObject, Line, Token, expect, max_lines

# emas-push.zh.txt, HarmonyInboxContent: "最多支持 3 条内容"
INBOX_MAX_LINES = 3

InboxLines = Annotated[
    list[Line],
    Field(min_length=1, json_schema_extra={"maxItems": INBOX_MAX_LINES}),
    max_lines(INBOX_MAX_LINES, "harmony-inbox-lines"),
]

_UPPER = "Wire value: upper case with '-' as '_' (device-reminder → DEVICE_REMINDER)."


class EmasHarmony(SpecModel):
    """HarmonyOS Next options of an EMAS push."""

    category: (
        Literal[
            "im",
            "voip",
            "subscription",
            "travel",
            "health",
            "work",
            "account",
            "express",
            "finance",
            "device-reminder",
            "mail",
            "customer-service",
            "marketing",
        ]
        | None
    ) = wire(
        "HarmonyCategory",
        "Notification category granted by HarmonyOS self-classification (Notification.category); "
        "marketing covers news and promotions. " + _UPPER,
        default=None,
    )
    notification_slot_type: (
        Literal[
            "social-communication",
            "service-information",
            "content-information",
            "customer-service",
            "other-types",
        ]
        | None
    ) = wire(
        "HarmonyNotificationSlotType",
        "Notification slot (SlotType) while the Alibaba Cloud channel is online. " + _UPPER,
        default=None,
    )
    action_type: Literal["app-home-page", "app-custom-page"] | None = wire(
        "HarmonyActionType",
        "What a tap opens: app-home-page (APP_HOME_PAGE) or app-custom-page (APP_CUSTOM_PAGE, "
        "needs `action` or `uri`).",
        default=None,
    )
    action: Token | None = wire(
        "HarmonyAction",
        "Action of the in-app ability to open (ClickAction.action); looked up before `uri`.",
        default=None,
    )
    uri: Token | None = wire(
        "HarmonyUri", "URI of the in-app ability to open (ClickAction.uri).", default=None
    )
    render_style: Literal["normal", "multi-line"] | None = wire(
        "HarmonyRenderStyle",
        "Notification style: normal (NORMAL, default) or multi-line (MULTI_LINE, needs `inbox`).",
        default=None,
    )
    inbox: InboxLines | None = wire(
        "HarmonyInboxContent",
        f"Lines of the multi-line style, at most {INBOX_MAX_LINES}; sent as a JSON array.",
        default=None,
    )
    image_url: str | None = wire(
        "HarmonyImageUrl",
        "HTTPS URL of the large icon on the right (png, jpg, jpeg, heif, gif or bmp, under "
        "25000 pixels).",
        default=None,
        pattern=r"^https://\S+$",
    )
    badge_add_num: int | None = wire(
        "HarmonyBadgeAddNum", "Add this to the app icon badge (SDK 1.2.0+).", default=None, ge=1
    )
    badge_set_num: int | None = wire(
        "HarmonyBadgeSetNum",
        "Set the app icon badge to this number (SDK 1.2.0+).",
        default=None,
        ge=0,
    )
    notify_id: int | None = wire(
        "HarmonyNotifyId",
        "Notification id: a new notification with the same id replaces the shown one.",
        default=None,
        ge=0,
        le=2**31 - 1,
    )
    ext_parameters: JsonObject | None = wire(
        "HarmonyExtParameters",
        "Extra key/values delivered with a notification (not with a message), sent as a JSON "
        "object.",
        default=None,
    )
    extension_push: bool | None = wire(
        "HarmonyExtensionPush",
        "Send a notification as a notification extension message (needs the HarmonyOS "
        "permission; SDK 1.2.0+).",
        default=None,
    )
    extension_extra_data: str | None = wire(
        "HarmonyExtensionExtraData",
        "extraData of the notification extension message; only with extension_push: true.",
        default=None,
    )
    receipt_id: Token | None = wire(
        "HarmonyReceiptId",
        "HarmonyOS receipt id; only needed when the default receipt is not the Alibaba Cloud one.",
        default=None,
    )
    test_message: bool | None = wire(
        "HarmonyTestMessage",
        "Send as a HarmonyOS test message (pushOptions.testMessage); default false.",
        default=None,
    )
    remind: bool | None = wire(
        "HarmonyRemind",
        "For a message to an offline device, show a notification instead (default false).",
        default=None,
    )
    remind_title: str | None = wire(
        "HarmonyRemindTitle", "Title of that notification; only with remind: true.", default=None
    )
    remind_body: str | None = wire(
        "HarmonyRemindBody", "Body of that notification; only with remind: true.", default=None
    )
    live_view: JsonObject | None = wire(
        "HarmonyLiveViewPayload",
        "HarmonyOS Live View payload (LiveViewPayload object), sent as JSON.",
        default=None,
    )

    def violations(self, ctx: RuleContext) -> Iterator[Violation]:
        yield from expect(
            self.action_type != "app-custom-page"
            or self.action is not None
            or self.uri is not None,
            ("action_type",),
            "harmony-custom-page",
            "expected `action` or `uri` with action_type: app-custom-page",
        )
        yield from expect(
            self.render_style != "multi-line" or self.inbox is not None,
            ("inbox",),
            "harmony-render-style",
            "expected `inbox` with render_style: multi-line",
        )
        yield from expect(
            self.inbox is None or self.render_style == "multi-line",
            ("render_style",),
            "harmony-render-style",
            "expected render_style: multi-line with `inbox`",
        )
        yield from expect(
            self.extension_extra_data is None or self.extension_push is True,
            ("extension_push",),
            "harmony-extension-push",
            "expected extension_push: true with `extension_extra_data`",
        )
        for key in ("remind_title", "remind_body"):
            yield from expect(
                getattr(self, key) is None or self.remind is True,
                ("remind",),
                "harmony-remind",
                f"expected remind: true with `{key}`",
            )
