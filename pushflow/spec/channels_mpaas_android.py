"""mPaaS Message Push Android options: ``channels.android``.

mPaaS spreads vendor options over map-valued request parameters (``ThirdChannelCategory``,
``NotifyLevel``) and over keys of ``extendedParams``; here each sits with its vendor. Metadata
says where a field goes:

- ``x-wire``: the request parameter; with ``x-wire-key`` the key inside that map parameter
  (``ThirdChannelCategory`` → ``{"hms": "9"}``);
- ``x-extended-param``: the ``extendedParams`` key the service reads (the "system extended
  parameters" table of ``mpaas-server-api.zh.txt``), merged by compile with the user's own ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, StringConstraints, WithJsonSchema

from pushflow.spec.base import RuleContext, SpecModel, Violation, wire
from pushflow.spec.channels_fields import Token, expect


def _code_text(value: Any) -> Any:
    """YAML reads ``hms: 9`` as a number; the service takes the code as a string."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


#: A vendor classification code as the mPaaS "vendor message classification" page lists it.
CategoryCode = Annotated[
    str,
    BeforeValidator(_code_text),
    StringConstraints(min_length=1, max_length=64, strip_whitespace=True),
    WithJsonSchema({"type": ["string", "integer"]}),
]

_CATEGORY = (
    "Sent as this vendor's entry of the ThirdChannelCategory map; the code table is the mPaaS "
    "'vendor message classification' page, and service categories need the vendor's approval."
)


def vendor_category(vendor_key: str, vendor: str) -> Any:
    """The ``ThirdChannelCategory`` entry of one vendor."""
    return wire(
        "ThirdChannelCategory",
        f"{vendor} message category code. {_CATEGORY}",
        default=None,
        json_schema_extra={"x-wire-key": vendor_key},
    )


def extended(key: str, description: str, **kwargs: Any) -> Any:
    """A field the service reads from ``extendedParams[key]``."""
    return Field(
        default=None,
        description=f"{description} Sent as extendedParams key {key!r}.",
        json_schema_extra={"x-extended-param": key},
        **kwargs,
    )


class MpaasHuawei(SpecModel):
    """Huawei (HMS) options."""

    category: CategoryCode | None = vendor_category("hms", "Huawei")
    badge_add_num: int | None = extended(
        "badge_add_num",
        "Add this to the app icon badge on the Huawei channel, 1–99; needs `badge_class`.",
        ge=1,
        le=99,
    )
    badge_class: Token | None = extended(
        "badge_class", "Full class name of the app's launcher activity, for the Huawei badge."
    )

    def violations(self, ctx: RuleContext) -> Iterator[Violation]:
        yield from expect(
            self.badge_add_num is None or self.badge_class is not None,
            ("badge_class",),
            "mpaas-badge-class",
            "expected `badge_class` with `badge_add_num` (service result 3059)",
        )


class MpaasHonor(SpecModel):
    """Honor options."""

    category: CategoryCode | None = vendor_category("honor", "Honor")


class MpaasXiaomi(SpecModel):
    """Xiaomi (MiPush) options."""

    channel_id: Token | None = wire(
        "MiChannelId",
        "Xiaomi notification channel id applied for on the Xiaomi platform.",
        default=None,
    )


class MpaasOppo(SpecModel):
    """OPPO options."""

    category: CategoryCode | None = vendor_category("oppo", "OPPO")
    notify_level: Literal["notification-bar", "lock-screen", "banner"] | None = wire(
        "NotifyLevel",
        "OPPO alert level, the 'oppo' entry of the NotifyLevel map: notification-bar (1), "
        "lock-screen (2: bar and lock screen) or banner (3: bar, lock screen, banner, "
        "vibration and ringtone).",
        default=None,
        json_schema_extra={"x-wire-key": "oppo"},
    )

    def violations(self, ctx: RuleContext) -> Iterator[Violation]:
        yield from expect(
            self.notify_level is None or self.category is not None,
            ("category",),
            "oppo-notify-level-category",
            "expected `category` with `notify_level`: OPPO applies alert levels to "
            "communication and service categories",
            severity="warning",
        )


class MpaasVivo(SpecModel):
    """vivo options."""

    category: CategoryCode | None = vendor_category("vivo", "vivo")
    classification: Literal["operational", "system"] | None = wire(
        "Classification",
        "vivo message type: operational (0) or system (1); the service assumes system when unset.",
        default=None,
    )


class MpaasAndroid(SpecModel):
    """Android options of an mPaaS push."""

    channel_id: Token | None = wire(
        "ChannelId",
        "Android 8+ notification channel id created by the app; used on every Android channel.",
        default=None,
    )
    sound: Token | None = extended(
        "sound", "Custom ringtone path; the service honours it on Xiaomi (and iOS) devices."
    )
    badge: int | None = extended(
        "badge", "App icon badge number, delivered to the app, which draws it itself.", ge=0
    )
    big_text: bool | None = extended(
        "big_text",
        "Long-text style on Xiaomi and Huawei (true sends the value 1; false sends nothing).",
    )
    huawei: MpaasHuawei | None = Field(default=None, description="Huawei channel only.")
    honor: MpaasHonor | None = Field(default=None, description="Honor channel only.")
    xiaomi: MpaasXiaomi | None = Field(default=None, description="Xiaomi channel only.")
    oppo: MpaasOppo | None = Field(default=None, description="OPPO channel only.")
    vivo: MpaasVivo | None = Field(default=None, description="vivo channel only.")
