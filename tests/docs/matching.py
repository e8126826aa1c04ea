"""Does a command's output match what a page shows under it?

- Without elision the shown lines must equal the output, line for line (trailing blanks
  ignored).
- A line that is only ``...`` or ``…`` stands for any number of lines (none included).
- ``...`` or ``…`` inside a line stands for any text on that line (a time, a digest, a path).
"""

from __future__ import annotations

import re
from functools import cache

ELISION = ("...", "…")


def _pattern(line: str) -> re.Pattern[str]:
    parts = re.split(r"\.\.\.|…", line)
    return re.compile(".*".join(re.escape(part) for part in parts), re.DOTALL)


@cache
def _compiled(line: str) -> re.Pattern[str]:
    return _pattern(line)


def _segments(expected: list[str]) -> tuple[list[list[str]], bool, bool]:
    """Runs of lines between elision lines, and whether the output may have lines before the
    first run and after the last one."""
    segments: list[list[str]] = [[]]
    for line in expected:
        if line.strip() in ELISION:
            segments.append([])
        else:
            segments[-1].append(line)
    open_start = not segments[0] and len(segments) > 1
    open_end = not segments[-1] and len(segments) > 1
    return [s for s in segments if s], open_start, open_end


def _fits(segment: list[str], actual: list[str], at: int) -> bool:
    if at + len(segment) > len(actual):
        return False
    return all(_compiled(want).fullmatch(actual[at + i]) for i, want in enumerate(segment))


def matches(expected: list[str], actual_text: str) -> bool:
    """Whether ``actual_text`` is what the ``expected`` lines show."""
    actual = [line.rstrip() for line in actual_text.splitlines()]
    while actual and not actual[-1]:
        actual.pop()
    segments, open_start, open_end = _segments([line.rstrip() for line in expected])
    if not segments:
        return True

    def place(index: int, at: int) -> bool:
        segment = segments[index]
        first = index == 0
        last = index == len(segments) - 1
        positions = range(at, len(actual) - len(segment) + 1)
        if first and not open_start:
            positions = range(0, 1)
        for position in positions:
            if not _fits(segment, actual, position):
                continue
            end = position + len(segment)
            if last:
                if open_end or end == len(actual):
                    return True
            elif place(index + 1, end):
                return True
        return False

    return place(0, 0)


def explain(expected: list[str], actual_text: str) -> str:
    """Why ``expected`` does not match: the shown lines no output line matches, if any."""
    actual = [line.rstrip() for line in actual_text.splitlines()]
    missing = [
        line
        for line in expected
        if line.strip() not in ELISION and not any(_compiled(line).fullmatch(a) for a in actual)
    ]
    if missing:
        return "no output line matches these shown lines:\n" + "\n".join(missing)
    return "every shown line is printed, but not in this order or not alone (elide with ...)"
