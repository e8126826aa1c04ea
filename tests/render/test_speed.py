"""Rendering a large audience: 100,000 rows through a typical per-target campaign.

Measured, not asserted (timings vary by machine): run with ``-s`` to see the rate. On the
development machine this takes about 2.5 s (four per-target texts: ≈6 µs per text per row).
"""

from __future__ import annotations

import time

from pushflow.audience.sources import Row
from pushflow.errors import Location
from tests.render.conftest import OCCURRENCE, Build

ROWS = 100_000


def test_100k_rows(build: Build) -> None:
    renderer = build(
        "emas",
        {
            ("message", "title"): "#name#, your #item# is waiting",
            ("message", "body"): "Now {{ row.price }} until {{ occurrence.strftime('%H:%M') }}",
            ("message", "values", "name"): "{{ row.first_name|title }}",
            ("message", "values", "item"): "{{ row.item }}",
            ("message", "extras", "sku"): "{{ row.sku }}",
        },
    )
    rows = [
        Row(
            f"u{n}",
            {"user_id": f"u{n}", "first_name": "ann", "item": "hat", "price": "9", "sku": str(n)},
            Location("audiences/big.csv", row=n + 2),
        )
        for n in range(ROWS)
    ]
    start = time.perf_counter()
    messages = [renderer.render(r, OCCURRENCE) for r in rows]
    elapsed = time.perf_counter() - start
    print(f"\nrendered {ROWS} rows in {elapsed:.2f}s ({elapsed / ROWS * 1e6:.1f} µs a row)")
    assert messages[-1].title == "Ann, your hat is waiting"
    assert messages[-1].extras == {"sku": str(ROWS - 1)}
