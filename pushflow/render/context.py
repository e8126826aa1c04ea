"""What templates see: ``row``, ``target``, ``campaign`` and ``occurrence``.

Everything is plain data, read-only: ``row`` is a mapping of the audience row's columns,
``campaign`` a frozen record of the campaign's identity (not the pydantic model), ``occurrence``
an aware :class:`~datetime.datetime`, ``target`` the target id.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pushflow.audience.sources import Row

#: The names a template may read besides the environment's globals, in the order docs list them.
CONTEXT_NAMES = ("row", "target", "campaign", "occurrence")
#: Names whose use makes a template's text differ from target to target.
PER_TARGET_NAMES = frozenset({"row", "target"})

_MAPPING_METHODS = frozenset({"get", "keys", "items", "values"})
#: Most column names an error lists.
_LISTED = 30


@dataclass(frozen=True)
class CampaignFacts:
    """The campaign as templates see it: ``{{ campaign.name }}``."""

    name: str
    provider: str
    app: str
    description: str | None = None
    epoch: int = 0


class RowView(Mapping[str, Any]):
    """An audience row's columns, read-only; a missing column is an undefined value whose error
    names the column and lists those the row has.

    Audiences without rows (tag, all, broadcast) never reach a template that reads ``row``: the
    renderer refuses such templates when compiling.
    """

    __slots__ = ("_columns",)

    def __init__(self, columns: Mapping[str, Any]) -> None:
        self._columns = columns

    def __getitem__(self, key: str) -> Any:
        return self._columns[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)

    def __repr__(self) -> str:
        return f"RowView({dict(self._columns)!r})"

    def text(self, name: str) -> str | None:
        """The column ``name`` when it holds text (what ``{{ row.name }}`` renders to), else
        None (a missing column, or a value of another type)."""
        value = self._columns.get(name)
        return value if type(value) is str else None

    def lookup(self, name: str, undefined: Callable[..., Any]) -> Any:
        """``row.name`` / ``row['name']`` from a template: the column value, one of the mapping
        methods (when no column has that name), or ``undefined(hint=...)``."""
        if name in self._columns:
            return self._columns[name]
        if name in _MAPPING_METHODS:
            return getattr(self, name)
        columns = list(self._columns)
        close = difflib.get_close_matches(name, columns, n=1, cutoff=0.6)
        suggestion = f" (did you mean `{close[0]}`?)" if close else ""
        listed = ", ".join(columns[:_LISTED]) + (", …" if len(columns) > _LISTED else "")
        hint = (
            f"`row.{name}` is undefined: the row has no column `{name}`{suggestion}; "
            f"its columns are: {listed or 'none'}"
        )
        return undefined(hint=hint, name=name)


def template_context(facts: CampaignFacts, row: Row | None, occurrence: datetime) -> dict[str, Any]:
    """The variables of one rendering (without the sandbox's budget); without a row, ``row`` is
    empty and ``target`` None."""
    return {
        "row": RowView(row.columns if row is not None else {}),
        "target": row.target if row is not None else None,
        "campaign": facts,
        "occurrence": occurrence,
    }
