"""What the benchmark scripts share: peak memory, audience ids with a share of repeats, the
cart-reminder campaign the two apply benchmarks (``apply.py``, ``emulator_cpu.py``) send, and
the signature of a PushMultiple body (the plain loop of ``apply.py``, ``http_layer.py``,
``emulator_cpu.py``).

The scripts run as ``python bench/<name>.py``, so this module is imported from the script's own
folder (``from _common import …``).
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

from pushflow.emulator import DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET
from pushflow.providers.credentials import Credentials
from pushflow.providers.signing import acs3_headers, new_nonce, timestamp

#: The emulator's own credentials (it accepts them without any configuration).
KEY_ID, KEY_SECRET = DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET
CREDENTIALS = Credentials(KEY_ID, KEY_SECRET)
#: The mPaaS app the apply benchmarks send to, and the console template they fill (registered
#: through the emulator's control API, as a user would create it in the console).
APP_ID = "ONEX570DA89211721"
TEMPLATE = {
    "name": "cart_reminder",
    "title": "Still thinking, #name#?",
    "content": "Your #item# is waiting at #price#",
}
#: What the template's ``#name#`` and ``#item#`` are filled with, picked at random per target.
NAMES = ["Yang", "Li", "Zhou", "Wu", "Chen", "Wang", "Zhang", "Liu", "Huang", "Zhao", "Anna"]
ITEMS = ["running shoes", "wool scarf", "tea set", "desk lamp", "backpack", "rain jacket"]


def peak_rss_mib() -> float:
    """This process's peak resident set size (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_phase(script: str, *args: str) -> dict[str, Any]:
    """Run ``script`` with ``args`` in a fresh child process and read the JSON it prints: a
    phase's own peak RSS (Linux carries the RSS of the forking process into the child's
    ``ru_maxrss``, so the parent stays small)."""
    done = subprocess.run(
        [sys.executable, script, *args], check=True, capture_output=True, text=True
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def print_peak_growth(results: dict[int, dict[str, dict[str, float]]], phase: str) -> None:
    """With results at two sizes (x10 apart), how ``phase``'s peak RSS grew between them."""
    sizes = sorted(results)
    if len(sizes) != 2:
        return
    small, large = (results[rows][phase]["peak_mib"] for rows in sizes)
    print(
        f"\npeak RSS of the {phase} phase: {small:.1f} MiB at {sizes[0]:,} rows, "
        f"{large:.1f} MiB at {sizes[1]:,} rows (x{large / small:.2f} for x10 rows)"
    )


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


def signed_push_multiple(host: str, body: bytes) -> dict[str, str]:
    """The ACS3 headers of a PushMultiple ``POST /`` to ``host`` with the form ``body``, signed
    with the emulator's credentials (pushflow's own signer)."""
    return acs3_headers(
        method="POST",
        host=host,
        action="PushMultiple",
        version="2020-10-28",
        query={},
        body=body,
        credentials=CREDENTIALS,
        date=timestamp(),
        nonce=new_nonce(),
    )
