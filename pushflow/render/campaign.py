"""A renderer for a loaded campaign: which of its texts are templates, and where each was written.

The renderer itself knows nothing of the spec models; this module reads them: the message's
texts (title, content or body, values, extras), the EMAS channel texts with a documented size,
and any other channel text that holds a template.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from pushflow.errors import Location
from pushflow.render.compiler import is_template
from pushflow.render.context import CampaignFacts
from pushflow.render.limits import EMAS_TEXT_LIMITS, Path
from pushflow.render.message import MessageKind
from pushflow.render.renderer import CampaignRenderer, Source
from pushflow.spec.campaign import EmasCampaign, MpaasCampaign
from pushflow.spec.message import MpaasSimpleMessage

#: Where a value was written, by spec path (``Document.locate`` of the loaded campaign).
Locate = Callable[[Path], Location]


def facts_of(campaign: MpaasCampaign | EmasCampaign) -> CampaignFacts:
    """``campaign`` as templates see it."""
    return CampaignFacts(
        name=campaign.name,
        provider=campaign.provider,
        app=campaign.app,
        description=campaign.description,
        epoch=campaign.epoch,
    )


def kind_of(campaign: MpaasCampaign | EmasCampaign) -> MessageKind:
    """The shape of message ``campaign`` renders into."""
    if isinstance(campaign, EmasCampaign):
        return "emas"
    return "mpaas-simple" if isinstance(campaign.message, MpaasSimpleMessage) else "mpaas-template"


def texts_of(campaign: MpaasCampaign | EmasCampaign) -> dict[Path, str]:
    """Every text of ``campaign`` the renderer renders, by spec path."""
    message = campaign.message
    texts: dict[Path, str] = {}
    for name in ("title", "content", "body"):
        value = getattr(message, name, None)
        if isinstance(value, str):
            texts["message", name] = value
    for name in ("values", "extras"):
        for key, value in (getattr(message, name, None) or {}).items():
            texts["message", name, key] = value
    channels = campaign.channels.model_dump(exclude_none=True)
    for path, value in _strings(channels, ("channels",)):
        if is_template(value) or (isinstance(campaign, EmasCampaign) and path in EMAS_TEXT_LIMITS):
            texts[path] = value
    return texts


def renderer_for(campaign: MpaasCampaign | EmasCampaign, locate: Locate) -> CampaignRenderer:
    """The renderer of ``campaign``; raises :class:`~pushflow.render.RenderError` when one of its
    templates cannot be compiled."""
    sources = {path: Source(text, locate(path)) for path, text in texts_of(campaign).items()}
    has_rows = getattr(campaign.audience, "source", None) is not None
    return CampaignRenderer(facts_of(campaign), kind_of(campaign), sources, has_rows=has_rows)


def _strings(value: Any, path: Path) -> Iterator[tuple[Path, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, index))
