"""Channel options of an mPaaS Message Push campaign (``channels:``) and its SMS supplement
(``message.sms``); the same fields serve PushSimple, PushTemplate, PushMultiple and PushBroadcast.

YAML shape::

    channels:
      android:
        channel_id: orders
        huawei: {category: "9", badge_add_num: 1, badge_class: com.example.MainActivity}
        oppo: {category: ACCOUNT, notify_level: lock-screen}
        vivo: {category: "1", classification: system}
        xiaomi: {channel_id: "123321"}
      ios:
        sound: ping.caf
        badge: 3
        live_activity: {event: end, content_state: {status: delivered}, dismiss_after: 1h}
      transparent:
        urgency: high
        hms: {data: '{"call": "incoming"}'}

Field metadata (``x-wire``, ``x-wire-key``, ``x-extended-param``) is described in
:mod:`pushflow.spec.channels_mpaas_android`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from pushflow.spec.base import RuleContext, SpecModel, Violation, wire
from pushflow.spec.channels_fields import JsonObject, Token, at_most, expect
from pushflow.spec.channels_mpaas_android import MpaasAndroid, extended
from pushflow.spec.units import Duration

__all__ = [
    "MPAAS_RESERVED_EXTENDED_PARAMS",
    "MpaasAndroid",
    "MpaasChannels",
    "MpaasIos",
    "MpaasSms",
    "MpaasTransparent",
]

#: extendedParams keys users must not set themselves: the service's own ("系统扩展参数") and
#: those the channel models above own ("系统具有一定意义的扩展参数"), mpaas-server-api.zh.txt.
MPAAS_RESERVED_EXTENDED_PARAMS = frozenset(
    {"notifyType", "action", "silent", "pushType", "templateCode", "channel", "taskId"}
    | {"sound", "badge", "mutable-content", "badge_add_num", "badge_class", "big_text"}
)

# Apple: an ended Live Activity stays on the lock screen for at most four hours.
LIVE_ACTIVITY_DISMISSAL_MAX = timedelta(hours=4)


class MpaasLiveActivity(SpecModel):
    """Update or end an iOS Live Activity (deliveryType 5 / 6 targets)."""

    event: Literal["update", "end"] = wire("ActivityEvent", "Live Activity event: update or end.")
    content_state: JsonObject | None = wire(
        "ActivityContentState",
        "New content-state; must match the parameters the app's activity defines.",
        default=None,
    )
    dismiss_after: Annotated[Duration, at_most(LIVE_ACTIVITY_DISMISSAL_MAX)] | None = wire(
        "DismissalDate",
        "How long an ended activity stays on the lock screen, at most 4h (iOS uses 4h when "
        "unset); sent as an epoch-seconds instant. Only for event: end.",
        default=None,
    )

    def violations(self, ctx: RuleContext) -> Iterator[Violation]:
        yield from expect(
            self.dismiss_after is None or self.event == "end",
            ("dismiss_after",),
            "live-activity-dismissal",
            "expected event: end with `dismiss_after`: the service ignores it on update",
            severity="warning",
        )


class MpaasIos(SpecModel):
    """iOS options of an mPaaS push."""

    sound: Token | None = extended("sound", "Sound file played with the notification.")
    badge: int | None = extended("badge", "App icon badge number; iOS shows it as is.", ge=0)
    mutable_content: bool | None = extended(
        "mutable-content",
        "Let the Notification Service Extension process the notification (true sends 1).",
    )
    live_activity: MpaasLiveActivity | None = Field(
        default=None, description="Live Activity update or end (Activity*, DismissalDate)."
    )


_PAYLOAD = "Pass-through message body for the {vendor} channel, the {key!r} entry of the "
_PAYLOAD += "TransparentMessagePayload map (data, android.category, ttl …)."


def payload(key: str, vendor: str) -> Any:
    return wire(
        "TransparentMessagePayload",
        _PAYLOAD.format(vendor=vendor, key=key),
        default=None,
        json_schema_extra={"x-wire-key": key},
    )


class MpaasTransparent(SpecModel):
    """Vendor pass-through (data) messages, per vendor channel."""

    hms: JsonObject | None = payload("hms", "Huawei")
    honor: JsonObject | None = payload("honor", "Honor")
    fcm: JsonObject | None = payload("fcm", "Firebase (FCM)")
    harmonyos: JsonObject | None = payload("harmonyos", "HarmonyOS")
    urgency: Literal["high", "normal"] | None = wire(
        "TransparentMessageUrgency",
        "HIGH / NORMAL priority, Huawei, Honor and HarmonyOS only; on HarmonyOS high sends a "
        "notification extension message and normal a background message.",
        default=None,
    )

    def violations(self, ctx: RuleContext) -> Iterator[Violation]:
        vendors = ("hms", "honor", "fcm", "harmonyos")
        yield from expect(
            any(getattr(self, key) is not None for key in vendors),
            (),
            "mpaas-transparent-payload",
            "expected a payload for at least one of " + ", ".join(vendors),
        )
        yield from expect(
            self.urgency is None
            or any(getattr(self, key) is not None for key in ("hms", "honor", "harmonyos")),
            ("urgency",),
            "mpaas-transparent-urgency",
            "expected an hms, honor or harmonyos payload with `urgency`: no other channel reads it",
            severity="warning",
        )


class MpaasChannels(SpecModel):
    """Where and how an mPaaS push is delivered, per platform and vendor channel."""

    android: MpaasAndroid | None = Field(default=None, description="Android options.")
    ios: MpaasIos | None = Field(default=None, description="iOS options.")
    transparent: MpaasTransparent | None = Field(
        default=None,
        description="Vendor pass-through messages (TransparentMessagePayload / Urgency).",
    )
    vendor_template: Token | None = wire(
        "VendorTemplate",
        "Vendor template setting passed to the service as written (the service documentation "
        "does not describe its content).",
        default=None,
    )

    def violations(self, ctx: RuleContext) -> Iterator[Violation]:
        if self.android is None or self.ios is None:
            return
        for key in ("sound", "badge"):
            mine, theirs = getattr(self.android, key), getattr(self.ios, key)
            yield from expect(
                mine is None or theirs is None or mine == theirs,
                ("ios", key),
                "mpaas-extended-param-shared",
                f"expected the same {key} as android.{key}: both are extendedParams key "
                f"{key!r} of one request",
            )


SmsTemplateParamKey = Annotated[str, StringConstraints(min_length=1)]


class MpaasSms(SpecModel):
    """SMS supplement of an mPaaS push (Hangzhou non-finance region only)."""

    strategy: Literal["fallback", "parallel"] = wire(
        "SmsStrategy",
        "fallback (1) sends the SMS when the push does not arrive; parallel (2) sends both at "
        "once. Without this section no SMS is sent (0).",
    )
    sign_name: Token = wire("SmsSignName", "Approved SMS signature.")
    template_code: Token = wire(
        "SmsTemplateCode", "Approved SMS template code, e.g. SMS_123456789."
    )
    template_param: dict[SmsTemplateParamKey, str] | None = wire(
        "SmsTemplateParam",
        "Values of the SMS template's variables; sent as a JSON object.",
        default=None,
    )


def extended_params_set(model: SpecModel) -> set[str]:
    """The ``extendedParams`` keys the typed options of ``model`` (and below) will fill in."""
    keys: set[str] = set()
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        if value is None:
            continue
        extra = field.json_schema_extra
        if isinstance(extra, dict) and isinstance(extra.get("x-extended-param"), str):
            keys.add(str(extra["x-extended-param"]))
        if isinstance(value, SpecModel):
            keys |= extended_params_set(value)
    return keys
