"""What a campaign says: the message, per provider.

mPaaS sends either a *simple* message (title and content written in the request) or a
*template* message (a template created in the mPaaS console, filled with ``#placeholder#``
values). EMAS has no server-side templates: a *notice* (shown in the notification bar) or a
*message* (delivered to the app), both with a title and body; pushflow substitutes
``#placeholders#`` in them itself.

Values of placeholders, titles and bodies may hold Jinja2 expressions (``{{ row.name }}``),
rendered per target later; the spec only checks what is final already (literal text).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import AnyUrl, Field, StringConstraints

from pushflow.spec.base import RuleContext, SpecModel, Violation, wire
from pushflow.spec.channels_emas import EmasSms
from pushflow.spec.channels_mpaas import MpaasSms
from pushflow.spec.limits import (
    EMAS_EXPIRE_MAX,
    EMAS_EXPIRE_MIN,
    EMAS_TITLE_MAX_BYTES,
    MPAAS_EXTENDED_PARAMS_MAX,
)
from pushflow.spec.text import is_literal, placeholders, utf8_size
from pushflow.spec.units import Duration, format_duration

NonEmpty = Annotated[str, StringConstraints(min_length=1)]
ExtendedParams = dict[Annotated[str, StringConstraints(min_length=1, max_length=128)], str]


class TemplateText(SpecModel):
    """A local copy of a console template, for previews and for checking that every
    ``#placeholder#`` gets a value. pushflow never sends it: the service uses its own copy."""

    title: str = Field(default="", description="The template's title, with #placeholders#.")
    content: str = Field(default="", description="The template's content, with #placeholders#.")

    def names(self) -> list[str]:
        """Every placeholder the template uses."""
        return placeholders(self.title + "\n" + self.content)


class MpaasCommon(SpecModel):
    """Fields every mPaaS message has."""

    task_name: NonEmpty | None = wire(
        "TaskName",
        "Name of the push task as the mPaaS console lists it. Default: the campaign name.",
        default=None,
    )
    expire: Duration | None = wire(
        "ExpiredSeconds",
        "How long the service keeps trying to deliver, e.g. 6h. Default: the project default, "
        "else 72h.",
        default=None,
    )
    extras: ExtendedParams = wire(
        "ExtendedParams",
        "Extended parameters delivered with the message (key → value). At most 20, counting "
        "the system keys pushflow adds for channel options (mPaaS code 3035).",
        default_factory=dict,
    )
    push_style: Literal["default", "big-text", "picture"] | None = wire(
        "PushStyle",
        "Notification style: default (0), big-text (1) or picture (2, uses image_urls).",
        default=None,
    )
    action: Literal["url", "activity"] | None = wire(
        "PushAction",
        "What tapping the notification does: open a web URL (0) or an intent activity (1); "
        "the target is `uri`. Default: url.",
        default=None,
    )
    uri: NonEmpty | None = wire("Uri", "Where tapping the notification leads.", default=None)
    image_urls: dict[Literal["default", "oppo", "miui", "fcm", "ios"], AnyUrl] | None = wire(
        "ImageUrls",
        "Big-picture URLs per channel (defaultUrl, oppoUrl, miuiUrl, fcmUrl, iosUrl).",
        default=None,
    )
    icon_urls: dict[Literal["default", "hms", "oppo", "miui", "fcm", "ios"], AnyUrl] | None = wire(
        "IconUrls",
        "Icon URLs per channel (defaultUrl, hmsUrl, oppoUrl, miuiUrl, fcmUrl, iosUrl).",
        default=None,
    )
    silent: bool | None = wire(
        "Silent", "Deliver without sound or vibration (Silent=1).", default=None
    )
    notify_type: Literal["notify", "transparent"] | None = wire(
        "NotifyType",
        "Channel type: notify (the default channel) or transparent (the MPS self-built channel).",
        default=None,
    )
    sms: MpaasSms | None = Field(
        default=None, description="SMS fallback when the push is not delivered."
    )

    def violations(self, ctx: RuleContext) -> Iterator[Violation]:
        if self.action is not None and self.uri is None:
            yield Violation(("action",), "mpaas-action-uri", f"action {self.action} needs a `uri`")
        if self.push_style == "picture" and not self.image_urls:
            yield Violation(
                ("push_style",), "mpaas-picture-image", "push_style picture needs `image_urls`"
            )


class MpaasSimpleMessage(MpaasCommon):
    """A message written in full in the request (PushSimple)."""

    kind: Literal["simple"] = Field(description="A simple message: title and content inline.")
    title: NonEmpty = wire("Title", "Notification title. May hold {{ expressions }}.")
    content: NonEmpty = wire("Content", "Notification body. May hold {{ expressions }}.")


class MpaasTemplateMessage(MpaasCommon):
    """A message made from a console template (PushTemplate, PushMultiple, PushBroadcast)."""

    kind: Literal["template"] = Field(description="A message from an mPaaS console template.")
    template: NonEmpty = wire("TemplateName", "Name of the template in the mPaaS console.")
    values: dict[NonEmpty, str] = wire(
        "TemplateKeyValue",
        "Value of each #placeholder# of the template; may hold {{ expressions }} over the "
        "audience row (then each target gets its own values through PushMultiple).",
        default_factory=dict,
    )
    template_text: TemplateText | None = Field(
        default=None,
        description="Optional local copy of the template's text: enables previews in plans and "
        "the check that every placeholder has a value.",
    )

    def violations(self, ctx: RuleContext) -> Iterator[Violation]:
        yield from super().violations(ctx)
        if self.template_text is None:
            return
        names = self.template_text.names()
        for name in names:
            if name not in self.values:
                yield Violation(
                    ("values",),
                    "template-placeholder-missing",
                    f"template placeholder #{name}# has no value in `values` (mPaaS code 3023)",
                )
        for name in self.values:
            if name not in names:
                yield Violation(
                    ("values", name),
                    "template-placeholder-unknown",
                    f"`{name}` is not a placeholder of the template text "
                    f"(it has: {', '.join(names) or 'none'})",
                )


MpaasMessage = Annotated[MpaasSimpleMessage | MpaasTemplateMessage, Field(discriminator="kind")]


class EmasMessage(SpecModel):
    """An EMAS notice (notification bar) or message (delivered to the app)."""

    kind: Literal["notice", "message"] = wire(
        "PushType", "notice (NOTICE: shown by the system) or message (MESSAGE: to the app)."
    )
    title: str = wire(
        "Title",
        "Title, at most 200 bytes in UTF-8 (a Chinese character is 3 bytes). Required for "
        "Android and HarmonyOS. May hold {{ expressions }} and #placeholders#.",
        default="",
    )
    body: NonEmpty = wire("Body", "Body of the notice or message. May hold {{ expressions }}.")
    values: dict[NonEmpty, str] = Field(
        default_factory=dict,
        description="Values for #placeholders# in title and body, substituted by pushflow "
        "(EMAS has no server templates); may hold {{ expressions }} over the audience row.",
    )
    expire: Duration | None = wire(
        "ExpireTime",
        "How long an offline notice or message is kept (with channels.store_offline); at "
        "most 72h, at least 3s. Default 72h.",
        default=None,
    )
    extras: ExtendedParams = Field(
        default_factory=dict,
        description="Extended parameters for every platform (merged into AndroidExtParameters, "
        "iOSExtParameters and HarmonyExtParameters; platform options win). At most 20.",
    )
    sms: EmasSms | None = Field(
        default=None, description="SMS fallback when the push is not delivered in time."
    )

    def violations(self, ctx: RuleContext) -> Iterator[Violation]:
        if is_literal(self.title) and utf8_size(self.title) > EMAS_TITLE_MAX_BYTES:
            yield Violation(
                ("title",),
                "emas-title-bytes",
                f"title is {utf8_size(self.title)} bytes in UTF-8; EMAS allows at most "
                f"{EMAS_TITLE_MAX_BYTES}",
            )
        if self.expire is not None and not EMAS_EXPIRE_MIN <= self.expire <= EMAS_EXPIRE_MAX:
            yield Violation(
                ("expire",),
                "emas-expire-range",
                f"expire is {format_duration(self.expire)}; EMAS keeps offline pushes between "
                f"{format_duration(EMAS_EXPIRE_MIN)} and {format_duration(EMAS_EXPIRE_MAX)}",
            )
        if len(self.extras) > MPAAS_EXTENDED_PARAMS_MAX:
            yield Violation(
                ("extras",),
                "emas-extended-params",
                f"at most {MPAAS_EXTENDED_PARAMS_MAX} extended parameters, "
                f"found {len(self.extras)}",
            )
        used = placeholders(self.title + "\n" + self.body)
        for name in used:
            if name not in self.values:
                yield Violation(
                    ("values",),
                    "template-placeholder-missing",
                    f"placeholder #{name}# in title or body has no value in `values`",
                )
        for name in self.values:
            if name not in used:
                yield Violation(
                    ("values", name),
                    "template-placeholder-unknown",
                    f"`{name}` is not a #placeholder# of the title or body",
                )
