"""Checks on rendered texts: the services' size limits and texts that must not end up empty.

Each finding is ``(path, message, rule)``; the renderer adds the campaign position of ``path``
and the audience row.
"""

from __future__ import annotations

from collections.abc import Mapping

from pushflow.render.limits import EMAS_TEXT_LIMITS, Path
from pushflow.render.message import BODY, CONTENT, TITLE, MessageKind

Finding = tuple[Path, str, str]

#: Texts the service rejects when empty, with what it says (mpaas-server-api.zh.txt code 3024
#: "标题或内容为空"; emas-push.zh.txt, Body "是" required).
_REQUIRED: dict[MessageKind, dict[Path, str]] = {
    "mpaas-simple": {
        TITLE: "mPaaS rejects an empty title (code 3024)",
        CONTENT: "mPaaS rejects an empty content (code 3024)",
    },
    "emas": {BODY: "EMAS requires a body"},
    "mpaas-template": {},
}


def has_checks(kind: MessageKind) -> bool:
    """Whether :func:`check_message` can find anything in a ``kind`` message (nothing, for an
    mPaaS template's values: no text of it is required or limited on its own)."""
    return bool(_REQUIRED[kind]) or kind == "emas"


def check_message(kind: MessageKind, texts: Mapping[Path, str]) -> list[Finding]:
    """Every limit the rendered ``texts`` of a ``kind`` message break."""
    found: list[Finding] = []
    for path, reason in _REQUIRED[kind].items():
        if path in texts and not texts[path].strip():
            name = ".".join(str(part) for part in path[1:])
            found.append((path, f"{name} is empty after rendering; {reason}", "render-empty"))
    if kind == "emas":
        for path, limit in EMAS_TEXT_LIMITS.items():
            text = texts.get(path)
            if text is None:
                continue
            size = limit.measure(text)
            if size > limit.limit:
                found.append((path, limit.message(size), limit.rule))
    return found
