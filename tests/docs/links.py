"""The links of a page, and the anchors GitHub gives its headings."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

_CODE = re.compile(r"^([ \t]*)```.*?^\1```[ \t]*$|`[^`\n]+`|<!--.*?-->", re.MULTILINE | re.DOTALL)
_LINK = re.compile(r"\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^)\s]+)\)")
_HEADING = re.compile(r"^#{1,6} (.+?)\s*#*$", re.MULTILINE)


def prose(text: str) -> str:
    """``text`` without code blocks, code spans and comments (links there are not links)."""
    return _CODE.sub(lambda match: "\n" * match.group(0).count("\n"), text)


def links(page: Path) -> list[tuple[int, str]]:
    """(line, target) of every Markdown link of ``page``."""
    text = prose(page.read_text(encoding="utf-8"))
    return [(text.count("\n", 0, m.start()) + 1, m.group(1)) for m in _LINK.finditer(text)]


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"<[^>]+>", "", heading).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every anchor of ``page``'s headings (a repeated one gets ``-1``, ``-2``…)."""
    text = page.read_text(encoding="utf-8")
    text = re.sub(r"^([ \t]*)```.*?^\1```[ \t]*$", "", text, flags=re.MULTILINE | re.DOTALL)
    seen: Counter[str] = Counter()
    found = set()
    for match in _HEADING.finditer(text):
        base = slug(match.group(1))
        found.add(f"{base}-{seen[base]}" if seen[base] else base)
        seen[base] += 1
    return found
