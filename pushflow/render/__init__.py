"""Render: sandboxed Jinja2 turns a campaign's texts and each audience row into what the services
take (titles, bodies, ``#placeholder#`` values, extras). No I/O.

- :class:`CampaignRenderer` compiles a campaign's texts once and renders them per target;
- :func:`renderer_for` builds one from a loaded campaign;
- :class:`RenderError` carries positioned problems: the campaign value and the audience row.
"""

from pushflow.render.campaign import renderer_for
from pushflow.render.context import CampaignFacts
from pushflow.render.errors import RenderError
from pushflow.render.message import MessageKind, RenderedMessage
from pushflow.render.renderer import CampaignRenderer, Source

__all__ = [
    "CampaignFacts",
    "CampaignRenderer",
    "MessageKind",
    "RenderError",
    "RenderedMessage",
    "Source",
    "renderer_for",
]
