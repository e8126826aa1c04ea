"""Facts about message text the spec can know before rendering.

A *literal* text has no Jinja2 expression and no ``#placeholder#``: its length is final, so the
spec checks byte and character limits on it. Text with expressions is checked after rendering
(per target) by the render stage.
"""

from __future__ import annotations

import re

#: The services' template placeholders: ``#name#`` (mPaaS console templates; pushflow substitutes
#: them itself for EMAS).
PLACEHOLDER = re.compile(r"#([A-Za-z_][A-Za-z0-9_]*)#")
_JINJA = re.compile(r"\{\{|\{%|\{#")


def is_literal(text: str) -> bool:
    """True when ``text`` will be sent exactly as written."""
    return not _JINJA.search(text) and not PLACEHOLDER.search(text)


def placeholders(text: str) -> list[str]:
    """The ``#placeholder#`` names in ``text``, in order of first appearance."""
    return list(dict.fromkeys(PLACEHOLDER.findall(text)))


def utf8_size(text: str) -> int:
    """Bytes on the wire; the services count UTF-8 bytes (a Chinese character is 3)."""
    return len(text.encode("utf-8"))
