"""Bounds the render stage enforces: the sandbox's own budgets and the services' text limits.

The services' limits come from :mod:`pushflow.spec.limits` and the channel modules (one source of
truth with the spec, which checks literal text); here they are keyed by the spec path of the text
they bound, so rendered text is checked exactly where the spec could not check it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pushflow.spec.channels_emas_android import (
    BIG_BODY_MAX_BYTES,
    BIG_TITLE_MAX_BYTES,
    POPUP_BODY_MAX_CHARS,
    POPUP_TITLE_MAX_CHARS,
)
from pushflow.spec.limits import EMAS_TITLE_MAX_BYTES
from pushflow.spec.text import utf8_size

#: A value's place in a campaign document: ``("message", "values", "name")``.
Path = tuple[str | int, ...]

# pushflow's own budgets (no seed: they keep a template from exhausting memory or time).
#: Most characters one template may render (or build in between). Push texts are far smaller.
MAX_OUTPUT_CHARS = 64 * 1024
#: Longest ``range()`` a template may make (Jinja2's default, 100000, is far beyond any message).
MAX_RANGE = 1000
#: Most loop iterations one rendering of one template may run, all loops together.
MAX_LOOP_ITERATIONS = 10_000
#: Largest integer ``**`` may produce, in bits.
MAX_POWER_BITS = 4096

Unit = Literal["bytes", "characters"]


@dataclass(frozen=True)
class TextLimit:
    """A documented bound on one rendered text."""

    name: str
    limit: int
    unit: Unit
    rule: str
    wire: str

    def measure(self, text: str) -> int:
        """The size of ``text`` in this limit's unit."""
        return utf8_size(text) if self.unit == "bytes" else len(text)

    def message(self, size: int) -> str:
        """Why ``size`` is too much, e.g. ``title is 214 bytes in UTF-8; EMAS allows …``."""
        encoded = " in UTF-8" if self.unit == "bytes" else ""
        return (
            f"{self.name} is {size} {self.unit}{encoded}; EMAS allows at most {self.limit} "
            f"({self.wire})"
        )


_ANDROID = ("channels", "android")

#: EMAS texts with a documented size, by spec path (emas-push.zh.txt, see the imported names).
EMAS_TEXT_LIMITS: dict[Path, TextLimit] = {
    ("message", "title"): TextLimit(
        "title", EMAS_TITLE_MAX_BYTES, "bytes", "emas-title-bytes", "Title"
    ),
    (*_ANDROID, "popup", "title"): TextLimit(
        "popup title",
        POPUP_TITLE_MAX_CHARS,
        "characters",
        "android-popup-length",
        "AndroidPopupTitle",
    ),
    (*_ANDROID, "popup", "body"): TextLimit(
        "popup body", POPUP_BODY_MAX_CHARS, "characters", "android-popup-length", "AndroidPopupBody"
    ),
    (*_ANDROID, "big_title"): TextLimit(
        "big title", BIG_TITLE_MAX_BYTES, "bytes", "android-big-text-bytes", "AndroidBigTitle"
    ),
    (*_ANDROID, "big_body"): TextLimit(
        "big body", BIG_BODY_MAX_BYTES, "bytes", "android-big-text-bytes", "AndroidBigBody"
    ),
}
