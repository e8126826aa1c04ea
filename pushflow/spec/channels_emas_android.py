"""EMAS Push Android options: ``channels.android`` (the ``Android*`` request parameters).

Limits are the seed's (``emas-push.zh.txt``); where the newer SDK docstring differs, the note at
the field says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import Field

from pushflow.spec.base import RuleContext, SpecModel, Violation, wire
from pushflow.spec.channels_emas_vendors import (
    EmasHonor,
    EmasHuawei,
    EmasMeizu,
    EmasOppo,
    EmasVivo,
    EmasXiaomi,
)
from pushflow.spec.channels_fields import (
    Environment,
    JsonObject,
    Line,
    Token,
    expect,
    max_lines,
    text_limit,
)

# emas-push.zh.txt, AndroidPopupTitle / AndroidPopupBody: "长度限制:30 字符" / "128 字符"
POPUP_TITLE_MAX_CHARS = 30
POPUP_BODY_MAX_CHARS = 128
# emas-push.zh.txt, AndroidBigTitle / AndroidBigBody: "200 个字节" / "1000 字节"
BIG_TITLE_MAX_BYTES = 200
BIG_BODY_MAX_BYTES = 1000
# emas-push.zh.txt, AndroidInboxBody: "元素不超过 5 个"
INBOX_MAX_LINES = 5

RenderStyle = Literal["standard", "long-text", "big-picture", "inbox"]
InboxLines = Annotated[
    list[Line],
    Field(min_length=1, json_schema_extra={"maxItems": INBOX_MAX_LINES}),
    max_lines(INBOX_MAX_LINES, "android-inbox-lines"),
]


class EmasPopup(SpecModel):
    """The notification a vendor channel shows for an offline device ("辅助弹窗")."""

    activity: Token | None = wire(
        "AndroidPopupActivity",
        "Activity opened when the vendor-channel notification is tapped; turns the popup on.",
        default=None,
    )
    title: str | None = wire(
        "AndroidPopupTitle",
        f"Popup notification title, at most {POPUP_TITLE_MAX_CHARS} characters (and within the "
        "vendor channel's own limit). Required with `activity`.",
        default=None,
    )
    body: str | None = wire(
        "AndroidPopupBody",
        f"Popup notification body, at most {POPUP_BODY_MAX_CHARS} characters (and within the "
        "vendor channel's own limit). Required with `activity`.",
        default=None,
    )

    def violations(self, ctx: RuleContext) -> Iterator[Violation]:
        has_text = self.title is not None or self.body is not None
        yield from expect(
            not has_text or self.activity is not None,
            ("activity",),
            "android-popup-activity",
            "expected `activity` with a popup title or body",
        )
        if self.activity is not None:
            for key in ("title", "body"):
                yield from expect(
                    getattr(self, key) is not None,
                    (key,),
                    "android-popup-activity",
                    f"expected a popup {key}: the service requires it with `activity`",
                )
        yield from text_limit(self.title, ("title",), "android-popup-length", POPUP_TITLE_MAX_CHARS)
        yield from text_limit(self.body, ("body",), "android-popup-length", POPUP_BODY_MAX_CHARS)


class EmasAndroid(SpecModel):
    """Android notification options of an EMAS push, shared by all channels unless a vendor
    section overrides them."""

    open_type: Literal["application", "activity", "url", "none"] | None = wire(
        "AndroidOpenType",
        "What a tap opens: application (APPLICATION, default), activity (ACTIVITY, needs "
        "`activity`), url (URL, needs `open_url`) or none (NONE).",
        default=None,
    )
    activity: Token | None = wire(
        "AndroidActivity",
        "Activity opened on tap, e.g. com.example.OrderActivity; only with open_type: activity.",
        default=None,
    )
    open_url: Token | None = wire(
        "AndroidOpenUrl", "URL opened on tap; only with open_type: url.", default=None
    )
    notify_type: Literal["vibrate", "sound", "both", "none"] | None = wire(
        "AndroidNotifyType",
        "How the notification alerts: vibrate (VIBRATE, default), sound (SOUND), both (BOTH) or "
        "none (NONE, silent).",
        default=None,
    )
    sound: Token | None = wire(
        "AndroidMusic",
        "Notification sound on the Huawei channel: a file in app/src/main/res/raw/, without "
        "extension. Unset plays the default ringtone.",
        default=None,
    )
    remind: bool | None = wire(
        "AndroidRemind",
        "For a message (PushType MESSAGE) to an offline device, show the popup notification "
        "instead (default false).",
        default=None,
    )
    popup: EmasPopup | None = Field(
        default=None,
        description="Vendor-channel popup notification for offline devices (AndroidPopup*); "
        "works only with store_offline: true.",
    )
    notification_channel: Token | None = wire(
        "AndroidNotificationChannel",
        "Android 8+ notification channel id; must exist in the app. Also the channel id on the "
        "Huawei, FCM, OPPO private-message and Alibaba Cloud channels.",
        default=None,
    )
    notification_bar_type: int | None = wire(
        "AndroidNotificationBarType",
        "Custom notification bar style registered in the app, 1–100.",
        default=None,
        ge=1,
        le=100,
    )
    notification_bar_priority: int | None = wire(
        "AndroidNotificationBarPriority",
        "Position priority in the notification bar, -2 to 2.",
        default=None,
        ge=-2,
        le=2,
    )
    notify_id: int | None = wire(
        "AndroidNotificationNotifyId",
        "Notification id: a new notification with the same id replaces the shown one (all "
        "vendor channels except FCM).",
        default=None,
        ge=0,
        le=2**31 - 1,
    )
    group: Token | None = wire(
        "AndroidNotificationGroup",
        "Group key: the bar shows only the newest of a group with a count (Huawei, Honor, "
        "Alibaba Cloud channel up to SDK 3.9.1).",
        default=None,
    )
    thread_id: Token | None = wire(
        "AndroidNotificationThreadId",
        "Thread key: notifications of a thread fold together and expand (Alibaba Cloud "
        "channel, SDK 3.9.2+).",
        default=None,
    )
    render_style: RenderStyle | None = wire(
        "AndroidRenderStyle",
        "Notification style: standard (0, default), long-text (1), big-picture (2, Alibaba Cloud "
        "channel only) or inbox (3). Required for every style but standard.",
        default=None,
    )
    big_title: str | None = wire(
        "AndroidBigTitle",
        f"Long-text title, at most {BIG_TITLE_MAX_BYTES} bytes (UTF-8); Honor and Huawei EMUI "
        "11+. Falls back to the title.",
        default=None,
    )
    big_body: str | None = wire(
        "AndroidBigBody",
        f"Long-text body, at most {BIG_BODY_MAX_BYTES} bytes (UTF-8) and the vendor's limit. "
        "Falls back to the body.",
        default=None,
    )
    big_picture_url: Token | None = wire(
        "AndroidBigPictureUrl",
        "Picture of the big-picture style (Alibaba Cloud channel, SDK 3.6.0+).",
        default=None,
    )
    image_url: Token | None = wire(
        "AndroidImageUrl",
        "Large icon on the right (Huawei long-text and inbox styles, Honor long-text style, "
        "Alibaba Cloud channel SDK 3.5.0+).",
        default=None,
    )
    inbox: InboxLines | None = wire(
        "AndroidInboxBody",
        f"Lines of the inbox style, at most {INBOX_MAX_LINES}; sent as a JSON array.",
        default=None,
    )
    badge_add: int | None = wire(
        "AndroidBadgeAddNum",
        "Add this to the app icon badge, 1–99 (Huawei and Honor channels). Ignored when "
        "`badge_set` is given.",
        default=None,
        ge=1,
        le=99,
    )
    badge_set: int | None = wire(
        "AndroidBadgeSetNum",
        "Set the app icon badge to this number, 0–99 (Huawei, Honor and, on the Alibaba Cloud "
        "channel, vivo devices). The seed says 1–99; the SDK allows 0, which clears it.",
        default=None,
        ge=0,
        le=99,
    )
    badge_class: Token | None = wire(
        "AndroidBadgeClass",
        "Full class name of the app's launcher activity, for the badge (Huawei and Honor).",
        default=None,
    )
    target_user_type: Environment | None = wire(
        "AndroidTargetUserType",
        "production (0, default) or test (1) on the Huawei, Honor, vivo and OPPO Fluid Cloud "
        "channels at once; a vendor section's own setting wins.",
        default=None,
    )
    ext_parameters: JsonObject | None = wire(
        "AndroidExtParameters",
        "Extra key/values delivered with a notification (not with a message), sent as a JSON "
        "object.",
        default=None,
    )
    huawei: EmasHuawei | None = Field(default=None, description="Huawei channel only.")
    honor: EmasHonor | None = Field(default=None, description="Honor channel only.")
    xiaomi: EmasXiaomi | None = Field(default=None, description="Xiaomi channel only.")
    oppo: EmasOppo | None = Field(default=None, description="OPPO channel only.")
    vivo: EmasVivo | None = Field(default=None, description="vivo channel only.")
    meizu: EmasMeizu | None = Field(default=None, description="Meizu channel only.")

    def violations(self, ctx: RuleContext) -> Iterator[Violation]:
        yield from self._open_type_rules()
        yield from self._render_style_rules()
        yield from expect(
            self.badge_add is None or self.badge_set is None,
            ("badge_add",),
            "android-badge-exclusive",
            "expected only one of `badge_add` and `badge_set`: the service ignores "
            "`badge_add` when `badge_set` is given",
            severity="warning",
        )
        yield from text_limit(
            self.big_title, ("big_title",), "android-big-text-bytes", BIG_TITLE_MAX_BYTES, "bytes"
        )
        yield from text_limit(
            self.big_body, ("big_body",), "android-big-text-bytes", BIG_BODY_MAX_BYTES, "bytes"
        )

    def _open_type_rules(self) -> Iterator[Violation]:
        for key, kind in (("activity", "activity"), ("open_url", "url")):
            given = getattr(self, key) is not None
            if self.open_type == kind:
                yield from expect(
                    given, (key,), "android-open-type", f"expected `{key}` with open_type: {kind}"
                )
            else:
                yield from expect(
                    not given,
                    ("open_type",),
                    "android-open-type",
                    f"expected open_type: {kind} with `{key}`",
                )

    def _render_style_rules(self) -> Iterator[Violation]:
        needs: dict[str, RenderStyle] = {
            "big_title": "long-text",
            "big_body": "long-text",
            "big_picture_url": "big-picture",
            "inbox": "inbox",
        }
        for key, style in needs.items():
            if getattr(self, key) is not None:
                yield from expect(
                    self.render_style == style,
                    ("render_style",),
                    "android-render-style",
                    f"expected render_style: {style} with `{key}`",
                )
        for style, key in (("big-picture", "big_picture_url"), ("inbox", "inbox")):
            if self.render_style == style:
                yield from expect(
                    getattr(self, key) is not None,
                    (key,),
                    "android-render-style",
                    f"expected `{key}` with render_style: {style}",
                )
