"""Helpers for render tests: a campaign's facts, an occurrence, rows, and one-text renderers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from pushflow.audience.sources import Row
from pushflow.errors import Location
from pushflow.render import CampaignFacts, CampaignRenderer, MessageKind, Source

FACTS = CampaignFacts("cart-reminder", "mpaas", "shop-mpaas", "Remind carts", epoch=2)
OCCURRENCE = datetime(2026, 12, 1, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
SHOWN = "campaigns/x.yaml"


def at(line: int, col: int = 5) -> Location:
    """A position in the test campaign file."""
    return Location(SHOWN, line, col)


def row(number: int = 2, target: str = "u1", **columns: Any) -> Row:
    """A CSV-like row of ``audiences/vip.csv``."""
    return Row(target, {"user_id": target, **columns}, Location("audiences/vip.csv", row=number))


Build = Callable[..., CampaignRenderer]


@pytest.fixture
def build() -> Build:
    """``build(kind, {path: text}, has_rows=True)``: each text on its own line 10, 11, …"""

    def make(
        kind: MessageKind, texts: Mapping[tuple[str | int, ...], str], *, has_rows: bool = True
    ) -> CampaignRenderer:
        sources = {
            path: Source(text, at(10 + index)) for index, (path, text) in enumerate(texts.items())
        }
        return CampaignRenderer(FACTS, kind, sources, has_rows=has_rows)

    return make


BODY = ("message", "body")


def render_body(text: str, the_row: Row | None = None) -> str | None:
    """Render ``text`` as the body of an EMAS message for ``the_row`` (default: a VIP row)."""
    renderer = CampaignRenderer(FACTS, "emas", {BODY: Source(text, at(10))})
    return renderer.render(the_row or row(first_name="Ann", item="Hat"), OCCURRENCE).body
