"""Timing: a campaign's strategy as occurrences in time, and as the services' time values.

Everything here is a pure function of the clock it is given (``after``, ``now``), as
APScheduler's ``get_next_fire_time(previous, now)``: no module reads the system clock, so plain
arguments and freezegun test it alike. The rules (DST gaps and folds, month ends, windows) are in
``docs/timing.md``.

- :mod:`~pushflow.timing.occurrence`: :class:`Occurrence`, its key, the wall-clock rules;
- :mod:`~pushflow.timing.loops`: loop calendars (daily, weekly, monthly);
- :mod:`~pushflow.timing.occurrences`: ``occurrences``, ``next_occurrence``, ``due``, and the
  single occurrences of ``at`` and ``now``;
- :mod:`~pushflow.timing.wire`: mPaaS ``StrategyContent`` values and EMAS ``PushTime``.
"""

from pushflow.timing.occurrence import Occurrence
from pushflow.timing.occurrences import (
    at_occurrence,
    due,
    next_occurrence,
    now_occurrence,
    occurrences,
)

__all__ = [
    "Occurrence",
    "at_occurrence",
    "due",
    "next_occurrence",
    "now_occurrence",
    "occurrences",
]
