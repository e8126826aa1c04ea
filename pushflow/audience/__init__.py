"""Audiences: the targets of a campaign, read as bounded-memory streams of rows.

``sources`` reads files and inline lists row by row, ``ids`` checks each kind's target ids,
``store`` drops duplicates (in memory, on disk past a budget), and ``stream`` puts them together
as an :class:`Audience`.
"""

from pushflow.audience.sources import Row, RowError
from pushflow.audience.stream import Audience, Summary, open_audience, read_audience

__all__ = ["Audience", "Row", "RowError", "Summary", "open_audience", "read_audience"]
