"""Channel options of an EMAS Push campaign (``channels:``) and its SMS fallback (``message.sms``).

YAML shape::

    channels:
      store_offline: true
      send_channels: [accs, huawei, apns]
      android:
        open_type: activity
        activity: com.example.OrderActivity
        popup: {activity: com.example.PopupActivity, title: Order shipped, body: On its way}
        huawei: {category: EXPRESS}
      ios: {apns_env: production, badge: 1, interruption_level: time-sensitive}
      harmony: {category: express, action_type: app-home-page}

Every leaf is one ``Push`` request parameter, named in the field's ``x-wire``; sections group the
``Android*`` / ``iOS*`` / ``Harmony*`` parameters and, under ``android``, each vendor's own ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

from pushflow.spec.base import RuleContext, SpecModel, Violation, wire
from pushflow.spec.channels_emas_android import EmasAndroid
from pushflow.spec.channels_emas_harmony import EmasHarmony
from pushflow.spec.channels_emas_ios import EmasIos
from pushflow.spec.channels_fields import Token, at_most, expect
from pushflow.spec.limits import EMAS_JOB_KEY_PATTERN
from pushflow.spec.text import is_literal
from pushflow.spec.units import Duration

__all__ = ["EmasAndroid", "EmasChannels", "EmasHarmony", "EmasIos", "EmasSms", "SendChannel"]

SendChannel = Literal[
    "accs", "huawei", "honor", "xiaomi", "oppo", "vivo", "meizu", "gcm", "fcm", "apns", "harmony"
]

# emas-push.zh.txt, SmsDelaySecs: "推荐设置为 15 秒以上,最大不超过 3 天"
SMS_DELAY_MAX = timedelta(days=3)
SMS_DELAY_RECOMMENDED_MIN = timedelta(seconds=15)


def _unique(value: list[str]) -> list[str]:
    repeated = sorted({item for item in value if value.count(item) > 1})
    if repeated:
        raise PydanticCustomError(
            "send-channels-unique",
            "expected each channel once, got {repeated} more than once",
            {"repeated": ", ".join(repeated)},
        )
    return value


SendChannels = Annotated[
    list[SendChannel],
    Field(min_length=1, json_schema_extra={"uniqueItems": True}),
    AfterValidator(_unique),
]


class EmasChannels(SpecModel):
    """Where and how an EMAS push is delivered, per platform and vendor channel."""

    android: EmasAndroid | None = Field(default=None, description="Android options (Android*).")
    ios: EmasIos | None = Field(default=None, description="iOS / APNs options (iOS*).")
    harmony: EmasHarmony | None = Field(default=None, description="HarmonyOS options (Harmony*).")
    store_offline: bool | None = wire(
        "StoreOffline",
        "Keep the push for devices that are offline and deliver it when they come back before "
        "it expires (default false); needed for the Android popup. APNs ignores it.",
        default=None,
    )
    send_channels: SendChannels | None = wire(
        "SendChannels",
        "Only these channels may deliver: accs (Alibaba Cloud), huawei, honor, xiaomi, oppo, "
        "vivo, meizu, gcm (GCM and FCM), fcm (FCM only), apns, harmony. Unset allows all; a "
        "push no listed channel can carry is not sent.",
        default=None,
    )
    job_key: str | None = wire(
        "JobKey",
        "Your label for the push, copied into the receipt logs: letters, digits, '_' and '-', "
        "at most 32 characters.",
        default=None,
        pattern=EMAS_JOB_KEY_PATTERN,
    )
    trim: bool | None = wire(
        "Trim",
        "Let the service cut titles and bodies that are too long for a vendor channel with "
        "explicit limits (not APNs, Huawei or Honor).",
        default=None,
    )

    def violations(self, ctx: RuleContext) -> Iterator[Violation]:
        popup = self.android.popup if self.android else None
        yield from expect(
            popup is None or popup.activity is None or self.store_offline is True,
            ("store_offline",),
            "android-popup-store-offline",
            "expected store_offline: true: the vendor-channel popup needs it",
            severity="warning",
        )
        if self.send_channels is None:
            return
        sections: list[tuple[tuple[str, ...], object, SendChannel]] = [(("ios",), self.ios, "apns")]
        if self.android is not None:
            sections += [
                (("android", vendor), getattr(self.android, vendor), vendor)
                for vendor in ("huawei", "honor", "xiaomi", "oppo", "vivo", "meizu")
            ]
        for path, section, channel in sections:
            yield from expect(
                section is None or channel in self.send_channels,
                path,
                "send-channels-excluded",
                f"expected {channel} in send_channels: options for a channel that may not "
                "deliver are never used",
                severity="warning",
            )


SmsParamKey = Annotated[str, StringConstraints(min_length=1, pattern=r"^[^&=]+$")]


class EmasSms(SpecModel):
    """SMS sent when the push was not received or not opened in time (EMAS "短信联动")."""

    template_name: Token = wire(
        "SmsTemplateName",
        "System-assigned name of the SMS template (from the SMS template page), not its title.",
    )
    sign_name: Token = wire("SmsSignName", "SMS signature.")
    params: dict[SmsParamKey, str] | None = wire(
        "SmsParams",
        "Values of the template's variables; sent as key1=value1&key2=value2.",
        default=None,
    )
    delay: Annotated[Duration, at_most(SMS_DELAY_MAX)] = wire(
        "SmsDelaySecs",
        "How long to wait for the push before the SMS goes out, at most 3d; 15s or more is "
        "recommended. Also replaces the push's expiry time.",
    )
    send_policy: Literal["not-received", "not-opened"] | None = wire(
        "SmsSendPolicy",
        "Send the SMS when the push was not-received (0) or not-opened (1).",
        default=None,
    )

    def violations(self, ctx: RuleContext) -> Iterator[Violation]:
        yield from expect(
            self.delay >= SMS_DELAY_RECOMMENDED_MIN,
            ("delay",),
            "sms-delay-short",
            "expected a delay of 15s or more, so the SMS does not duplicate a push still on "
            "its way",
            severity="warning",
        )
        for key, value in (self.params or {}).items():
            yield from expect(
                not is_literal(value) or not ("&" in value or "=" in value),
                ("params", key),
                "sms-params-format",
                "expected a value without '&' or '=': they separate SmsParams pairs",
            )
