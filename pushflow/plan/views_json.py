"""The JSON view of a plan: what ``pushflow plan --out`` saves and ``pushflow apply`` reads.

The text is the pydantic dump of :class:`~pushflow.plan.model.Plan`: keys in model field order
(``format_version`` first), two-space indent, UTF-8 unescaped, a final newline; the same plan
always gives the same bytes. Its schema is ``schemas/plan.schema.json``.

``format_version`` policy: adding a field keeps the version; removing or renaming one, or
changing what one means, bumps it. The model forbids unknown keys, so an older pushflow refuses
a plan with a field it does not know instead of applying less than was reviewed.
:func:`load_plan` refuses a version it does not know before reading anything else.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from pushflow.errors import PushflowError
from pushflow.plan.model import FORMAT_VERSION, Plan


class PlanFormatError(PushflowError):
    """A saved plan cannot be read: not JSON, another format version, or not a plan."""


def render_json(plan: Plan) -> str:
    """The plan as JSON text, stable byte for byte, ``format_version`` first."""
    data = plan.model_dump(mode="json")
    ordered = {"format_version": data.pop("format_version"), **data}
    return json.dumps(ordered, indent=2, ensure_ascii=False) + "\n"


def load_plan(text: str, *, source: str = "plan") -> Plan:
    """Read a plan saved by :func:`render_json`; ``source`` names it in errors (a file path)."""
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanFormatError(
            f"{source}:{exc.lineno}:{exc.colno}: not a pushflow plan: invalid JSON ({exc.msg})"
        ) from exc
    if not isinstance(data, dict):
        raise PlanFormatError(f"{source}: not a pushflow plan: expected a JSON object")
    version = data.get("format_version")
    if version != FORMAT_VERSION or isinstance(version, bool):
        found = "no format_version" if version is None else f"format_version {version!r}"
        raise PlanFormatError(
            f"{source}: {found}; this pushflow reads plan format_version {FORMAT_VERSION}. "
            "Make the plan again with this pushflow (`pushflow plan`), or use the pushflow "
            "version that made it"
        )
    try:
        return Plan.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or '(top)'}: {error['msg']}"
            for error in exc.errors()
        )
        raise PlanFormatError(f"{source}: not a valid pushflow plan: {problems}") from exc
