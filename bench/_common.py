"""What the benchmark scripts share: peak memory, and audience ids with a share of repeats.

The scripts run as ``python bench/<name>.py``, so this module is imported from the script's own
folder (``from _common import …``).
"""

from __future__ import annotations

import random
import resource
from collections.abc import Callable, Iterator


def peak_rss_mib() -> float:
    """This process's peak resident set size (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ids_with_repeats(
    rng: random.Random, rows: int, make: Callable[[], str], *, share: float, remember: int
) -> Iterator[str]:
    """``rows`` ids from ``make()``, about ``share`` of them a repeat of one of the last
    ``remember`` new ones, in random order. Lazy: a caller may draw from ``rng`` between ids and
    still get the same file for the same seed."""
    recent: list[str] = []
    for _ in range(rows):
        if recent and rng.random() < share:
            yield rng.choice(recent)
            continue
        target = make()
        if len(recent) < remember:
            recent.append(target)
        else:
            recent[rng.randrange(len(recent))] = target
        yield target
