"""Field types and checks shared by the channel-option models of both services.

- ``max_lines(n, rule)``: a list of text lines with a documented maximum; the maximum reaches the
  JSON Schema as ``maxItems`` and a longer list fails with the rule name as the pydantic error
  type, so users see the same name whether an editor or ``pushflow validate`` caught it.
- ``at_most(limit)``: a ``Duration`` bound with a human message (``"at most 4h"``).
- ``text_limit(...)``: the cross-field form of a length limit, for text that may still hold
  expressions: literal text is checked now, templated text after rendering.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, JsonValue, StringConstraints
from pydantic_core import PydanticCustomError

from pushflow.spec.base import Path, Violation
from pushflow.spec.text import is_literal, utf8_size
from pushflow.spec.units import format_duration

#: A vendor switch between real sends and the vendor's test quota (wire 0 / 1).
Environment = Literal["production", "test"]

#: A JSON object the service takes as a JSON string (compile serialises it).
JsonObject = dict[str, JsonValue]

#: Non-empty text without surrounding blanks: identifiers, class names, channel ids.
Token = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]

Line = Annotated[str, StringConstraints(min_length=1)]


def max_lines(max_items: int, rule: str) -> AfterValidator:
    """Fail a list longer than ``max_items`` with error type ``rule``. Pair it with
    ``Field(json_schema_extra={"maxItems": ...})`` so editors know the bound too."""

    def check(value: list[str]) -> list[str]:
        if len(value) > max_items:
            raise PydanticCustomError(
                rule,
                "expected at most {limit} lines, got {count}",
                {"limit": max_items, "count": len(value)},
            )
        return value

    return AfterValidator(check)


def at_most(limit: timedelta) -> AfterValidator:
    """Bound a ``Duration``; the message spells the bound in the user's own units."""

    def check(value: timedelta) -> timedelta:
        if value > limit:
            raise PydanticCustomError(
                "duration_too_long",
                "expected a duration of at most {limit}, got {value}",
                {"limit": format_duration(limit), "value": format_duration(value)},
            )
        return value

    return AfterValidator(check)


def text_limit(
    text: str | None,
    path: Path,
    rule: str,
    limit: int,
    unit: Literal["characters", "bytes"] = "characters",
) -> Iterator[Violation]:
    """A violation when literal ``text`` is longer than ``limit``; templated text is left to the
    render stage, which checks the rendered value per target."""
    if text is None or not is_literal(text):
        return
    measure: Callable[[str], int] = utf8_size if unit == "bytes" else len
    size = measure(text)
    if size > limit:
        yield Violation(
            path=path,
            rule=rule,
            message=f"expected at most {limit} {unit}, got {size}",
        )


def expect(
    condition: bool,
    path: Path,
    rule: str,
    message: str,
    severity: Literal["error", "warning"] = "error",
) -> Iterator[Violation]:
    """One violation at ``path`` unless ``condition`` holds; ``message`` says what was expected."""
    if not condition:
        yield Violation(path=path, rule=rule, message=message, severity=severity)
