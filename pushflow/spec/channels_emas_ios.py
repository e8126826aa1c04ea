"""EMAS Push iOS options: ``channels.ios`` (the ``iOS*`` request parameters, APNs).

Live Activity times are durations after the send (``stale_after: 1h``), not instants: a campaign
that repeats keeps one spelling, and compile turns them into the epoch seconds the API takes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import Field

from pushflow.spec.base import RuleContext, SpecModel, Violation, wire
from pushflow.spec.channels_fields import JsonObject, Token, at_most, expect
from pushflow.spec.units import Duration

# SDK PushRequest.iOSLiveActivityDismissalDate: "with a maximum of 4 hours"
LIVE_ACTIVITY_DISMISSAL_MAX = timedelta(hours=4)
# Apple: apns-collapse-id "must not exceed 64 bytes"
COLLAPSE_ID_MAX = 64

DismissAfter = Annotated[Duration, at_most(LIVE_ACTIVITY_DISMISSAL_MAX)]


class EmasLiveActivity(SpecModel):
    """Start, update or end an iOS Live Activity (Dynamic Island)."""

    event: Literal["start", "update", "end"] = wire(
        "iOSLiveActivityEvent", "What to do with the Live Activity: start, update or end."
    )
    id: Token | None = wire(
        "iOSLiveActivityId",
        "Live Activity id the device reported to your server.",
        default=None,
    )
    attributes_type: Token | None = wire(
        "iOSLiveActivityAttributesType",
        "Type of the Live Activity to start (its ActivityAttributes type). Required to start.",
        default=None,
    )
    attributes: JsonObject | None = wire(
        "iOSLiveActivityAttributes",
        "Static attributes (order or product ids …), sent as JSON. Required to start.",
        default=None,
    )
    content_state: JsonObject | None = wire(
        "iOSLiveActivityContentState",
        "Dynamic content state (price, stock …); must match the app's ContentState.",
        default=None,
    )
    stale_after: Duration | None = wire(
        "iOSLiveActivityStaleDate",
        "How long after the send the content becomes stale; sent as an epoch-seconds instant.",
        default=None,
    )
    dismiss_after: DismissAfter | None = wire(
        "iOSLiveActivityDismissalDate",
        "How long an ended Live Activity stays on the lock screen, at most 4h; sent as an "
        "epoch-seconds instant.",
        default=None,
    )

    def violations(self, ctx: RuleContext) -> Iterator[Violation]:
        if self.event == "start":
            for key in ("attributes_type", "attributes"):
                yield from expect(
                    getattr(self, key) is not None,
                    (key,),
                    "ios-live-activity-start",
                    f"expected `{key}` to start a Live Activity",
                )
        yield from expect(
            self.dismiss_after is None or self.event == "end",
            ("dismiss_after",),
            "ios-live-activity-dismissal",
            "expected event: end with `dismiss_after`: only an ended activity is dismissed",
            severity="warning",
        )


class EmasIos(SpecModel):
    """iOS (APNs) options of an EMAS push."""

    apns_env: Literal["development", "production"] | None = wire(
        "iOSApnsEnv",
        "APNs environment: development (DEV, apps run from Xcode) or production (PRODUCT, App "
        "Store, TestFlight, Ad Hoc and enterprise builds).",
        default=None,
    )
    badge: int | None = wire(
        "iOSBadge",
        "App icon badge number; not with `badge_auto_increment`.",
        default=None,
        ge=0,
    )
    badge_auto_increment: bool | None = wire(
        "iOSBadgeAutoIncrement",
        "Let the service add one to a badge count it keeps per device (SDK 1.9.5+, the app "
        "syncs the count); not with `badge`.",
        default=None,
    )
    sound: str | None = wire(
        "iOSMusic",
        'Sound file in the app bundle or Library/Sounds; "" is silent, unset plays "default".',
        default=None,
    )
    subtitle: str | None = wire("iOSSubtitle", "Notification subtitle (iOS 10+).", default=None)
    mutable_content: bool | None = wire(
        "iOSMutableContent",
        "Let the Notification Service Extension process the notification before it shows "
        "(iOS 10+); required for silent notifications.",
        default=None,
    )
    silent: bool | None = wire(
        "iOSSilentNotification",
        "Send a silent (background) notification; needs mutable_content: true.",
        default=None,
    )
    category: Token | None = wire(
        "iOSNotificationCategory",
        "Notification category identifier registered by the app (iOS 10+).",
        default=None,
    )
    collapse_id: Token | None = wire(
        "iOSNotificationCollapseId",
        f"Notifications with the same collapse id show as one (iOS 10+); at most "
        f"{COLLAPSE_ID_MAX} characters (APNs).",
        default=None,
        max_length=COLLAPSE_ID_MAX,
    )
    thread_id: Token | None = wire(
        "iOSNotificationThreadId",
        "Groups notifications under one thread (iOS 12+).",
        default=None,
    )
    interruption_level: Literal["passive", "active", "time-sensitive", "critical"] | None = wire(
        "iOSInterruptionLevel",
        "passive (no sound or screen), active (default behaviour), time-sensitive (shows "
        "through Focus) or critical (sounds even when muted; needs Apple's entitlement).",
        default=None,
    )
    relevance_score: float | None = wire(
        "iOSRelevanceScore",
        "Rank of the notification in the notification summary, 0 to 1.",
        default=None,
        ge=0,
        le=1,
    )
    remind: bool | None = wire(
        "iOSRemind",
        "For a message to an offline device, deliver it once as an APNs notification "
        "(production environment only).",
        default=None,
    )
    remind_body: str | None = wire(
        "iOSRemindBody",
        "Body of that notification; only with remind: true and apns_env: production.",
        default=None,
    )
    ext_parameters: JsonObject | None = wire(
        "iOSExtParameters",
        'Extra key/values of the notification, sent as a JSON object, e.g. {"attachment": '
        "URL} for rich media (iOS 10+).",
        default=None,
    )
    live_activity: EmasLiveActivity | None = Field(
        default=None, description="Live Activity (Dynamic Island) push (iOSLiveActivity*)."
    )

    def violations(self, ctx: RuleContext) -> Iterator[Violation]:
        yield from expect(
            self.badge is None or not self.badge_auto_increment,
            ("badge",),
            "ios-badge-exclusive",
            "expected either `badge` or badge_auto_increment: true, not both",
        )
        yield from expect(
            not self.silent or self.mutable_content is True,
            ("mutable_content",),
            "ios-silent-mutable-content",
            "expected mutable_content: true for a silent notification",
        )
        yield from expect(
            self.remind_body is None or self.remind is True,
            ("remind",),
            "ios-remind",
            "expected remind: true with `remind_body`",
        )
        yield from expect(
            not self.remind or self.apns_env != "development",
            ("remind",),
            "ios-remind",
            "expected apns_env: production: message-to-notification only works in production",
            severity="warning",
        )
