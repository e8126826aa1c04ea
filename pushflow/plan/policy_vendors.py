"""How a campaign's messages are classified by a vendor channel: vivo's operational (运营消息) and
system (系统消息) messages, for the vendor windows of the policy (docs/policy.md).

EMAS (Push API, seed ``emas-push.zh.txt``): ``AndroidMessageVivoCategory`` (``category``) decides
when set: im, account, todo, device-reminder, order and subscription are system messages; news,
content, marketing and social are operational. Else ``AndroidNotificationVivoChannel``
(``classification``); unset, the service sends an operational message. Only notices and
messages shown by the vendor channel (``channels.android.remind``) go through vivo, only to
Android devices, and not when ``send_channels`` leaves vivo out.

mPaaS (PushMultiple and the other push APIs): ``classification`` (``Classification``); unset,
the service assumes a system message. The vivo ``category`` is a code of the mPaaS "vendor
message classification" table, which is not read here. iOS and HarmonyOS audiences (and iOS
broadcasts) never reach vivo.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pushflow.spec.campaign import EmasCampaign, MpaasCampaign
from pushflow.spec.channels_emas_vendors import VendorCategory

VivoClass = Literal["operational", "system"]

#: vivo categories that are system messages (they need vivo's approval); the rest are
#: operational.
VIVO_SYSTEM_CATEGORIES: frozenset[VendorCategory] = frozenset(
    {"im", "account", "todo", "device-reminder", "order", "subscription"}
)


@dataclass(frozen=True)
class Classified:
    """A campaign's vivo message class and why: the key that decided it, or the default."""

    kind: VivoClass
    #: Path of the campaign key that decided it; None when it is the service's default.
    key: tuple[str, ...] | None
    why: str


def vivo_class(campaign: EmasCampaign | MpaasCampaign) -> Classified | None:
    """The class vivo gives the campaign's messages, or None when they do not go through vivo."""
    if isinstance(campaign, EmasCampaign):
        return _emas(campaign)
    return _mpaas(campaign)


def _emas(campaign: EmasCampaign) -> Classified | None:
    channels = campaign.channels
    if campaign.audience.device_type not in ("android", "all"):
        return None
    if channels.send_channels is not None and "vivo" not in channels.send_channels:
        return None
    android = channels.android
    if campaign.message.kind == "message" and not (android and android.remind):
        return None  # an in-app message: the Alibaba Cloud channel only
    vivo = android.vivo if android else None
    path = ("channels", "android", "vivo")
    if vivo is not None and vivo.category is not None:
        kind: VivoClass = "system" if vivo.category in VIVO_SYSTEM_CATEGORIES else "operational"
        return Classified(kind, (*path, "category"), f"category {vivo.category}")
    if vivo is not None and vivo.classification is not None:
        return Classified(
            vivo.classification,
            (*path, "classification"),
            f"classification {vivo.classification}",
        )
    return Classified("operational", None, "EMAS's default without a vivo category")


def _mpaas(campaign: MpaasCampaign) -> Classified | None:
    audience = campaign.audience
    if audience.kind in ("ios_device", "harmony_device"):
        return None
    if audience.kind == "broadcast" and audience.platform != "android":
        return None
    android = campaign.channels.android
    vivo = android.vivo if android else None
    if vivo is not None and vivo.classification is not None:
        return Classified(
            vivo.classification,
            ("channels", "android", "vivo", "classification"),
            f"classification {vivo.classification}",
        )
    return Classified("system", None, "mPaaS's default without a vivo classification")
