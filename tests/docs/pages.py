"""The documentation pages and what they hold: fenced code blocks and test directives.

Conventions (the docstring of ``tests/test_docs.py`` is the user-facing summary):

- A fenced block's info string is ``LANGUAGE [TAG...]``. Tags: ``snippet`` (YAML fragment),
  ``norun`` (a shell example that is not run, only its ``pushflow`` command lines are parsed),
  ``file=PATH`` (the block is also written to PATH, relative to the example's working folder,
  before the next command runs).
- A fence may be indented (inside a list item); its lines are dedented by the fence's indent.
- ``<!-- docs-test: setup`` … ``-->`` holds shell lines run before the next example, their
  output unchecked (for deliberate mistakes a page describes in words).
- ``<!-- docs-test: at 2026-12-01T00:00:00Z -->`` moves the examples' clock to that instant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHELLS = ("console", "sh", "bash", "shell")

_FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
_DIRECTIVE = re.compile(r"^<!-- docs-test: (?P<kind>[a-z]+)(?P<rest>.*?)-->", re.M | re.S)


@dataclass(frozen=True)
class Block:
    """A fenced code block."""

    page: Path
    line: int
    language: str
    tags: tuple[str, ...]
    body: str

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    @property
    def file(self) -> str | None:
        for tag in self.tags:
            if tag.startswith("file="):
                return tag.removeprefix("file=")
        return None

    @property
    def flags(self) -> tuple[str, ...]:
        return tuple(tag for tag in self.tags if not tag.startswith("file="))


@dataclass(frozen=True)
class Directive:
    """A ``<!-- docs-test: KIND … -->`` comment."""

    page: Path
    line: int
    kind: str
    body: str

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


Item = Block | Directive


def pages() -> list[Path]:
    """Every documentation page: README.md and docs/**/*.md."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def items(page: Path) -> list[Item]:
    """The blocks and directives of ``page``, in page order."""
    text = page.read_text(encoding="utf-8")
    found: list[tuple[int, Item]] = []
    spans = []
    for match in _FENCE.finditer(text):
        indent = match["indent"]
        body = "".join(
            line.removeprefix(indent) for line in match["body"].splitlines(keepends=True)
        )
        language, *tags = match["info"].split() or [""]
        block = Block(page, _line(text, match.start()), language, tuple(tags), body)
        found.append((match.start(), block))
        spans.append((match.start(), match.end()))
    for match in _DIRECTIVE.finditer(text):
        if any(start <= match.start() < end for start, end in spans):
            continue
        directive = Directive(page, _line(text, match.start()), match["kind"], match["rest"])
        found.append((match.start(), directive))
    return [item for _, item in sorted(found, key=lambda pair: pair[0])]


def blocks(language: str | tuple[str, ...]) -> list[Block]:
    """Every block of these languages on every page."""
    languages = (language,) if isinstance(language, str) else language
    return [
        item
        for page in pages()
        for item in items(page)
        if isinstance(item, Block) and item.language in languages
    ]


@dataclass(frozen=True)
class Step:
    """One command of a shell example, and the output shown under it (``None``: not shown)."""

    command: str
    output: list[str] | None
    line: int


def _joined(lines: list[str], start: int) -> tuple[str, int]:
    """The command starting at ``lines[start]``, with ``\\`` continuation lines; next index."""
    command, index = lines[start], start + 1
    while command.endswith("\\") and index < len(lines):
        command = command[:-1] + " " + lines[index].strip()
        index += 1
    return command, index


def steps(block: Block) -> list[Step]:
    """The commands of a shell block: ``$ `` lines and their output (console), or every line
    that is not blank or a comment (sh, bash)."""
    lines = block.body.splitlines()
    found: list[Step] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if block.language != "console":
            command, after = _joined(lines, index)
            if command.strip() and not command.lstrip().startswith("#"):
                found.append(Step(command.strip(), None, block.line + 1 + index))
            index = after
            continue
        if not line.startswith("$ "):
            raise AssertionError(f"{block.where}: output before the first `$ ` line: {line!r}")
        number = block.line + 1 + index
        command, index = _joined(lines, index)
        output = []
        while index < len(lines) and not lines[index].startswith("$ "):
            output.append(lines[index].rstrip())
            index += 1
        while output and not output[-1]:
            output.pop()
        found.append(Step(command[2:].strip(), output or None, number))
    return found
