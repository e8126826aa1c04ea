"""Benchmark: a local-time audience (a time-zone column) read zone by zone, against the same file
read without zones.

    python bench/local_time.py                  # 1,000,000 rows (and 100,000 for the memory curve)
    python bench/local_time.py --rows 200000    # a quick run

For each size a CSV of EMAS device ids (random 32-character ids, about 2% repeated, in random
order) with a ``tz`` column (one of a dozen zones, one row in ten empty: the campaign's zone) is
written to a temp folder, then two phases run, each in a fresh child process so that its peak RSS
(``ru_maxrss``) is its own:

- **plain**: ``read_audience`` without zones (the ``tz`` column is only a column) and every
  sorted chunk of 1,000 rows: the baseline, what any campaign costs;
- **zoned**: ``read_audience`` with the zone column (each zone checked, stored with its target and
  indexed), then each zone's sorted chunks of 1,000 rows in turn, as the plan and the per-zone
  fires read them.

It prints both phases' time and peak RSS, their ratios, and the zoned phase's peak RSS at N/10 and
N rows (memory must stay flat).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import tempfile
import time
from pathlib import Path

from _common import child_phase, ids_with_repeats, peak_rss_mib, print_peak_growth

CHUNK = 1000
ZONES = [
    "Asia/Shanghai",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Asia/Singapore",
    "Europe/Berlin",
    "Europe/London",
    "Europe/Paris",
    "America/New_York",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Australia/Sydney",
    "Africa/Cairo",
    "",  # the campaign's zone
]


def generate(path: Path, rows: int, seed: int = 5) -> None:
    rng = random.Random(seed)
    ids = ids_with_repeats(
        rng, rows, lambda: f"{rng.getrandbits(128):032x}", share=0.02, remember=100_000
    )
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "tz"])
        batch = []
        for number, target in enumerate(ids):
            batch.append((target, f"user {number}", ZONES[rng.randrange(len(ZONES))]))
            if len(batch) == 100_000:
                writer.writerows(batch)
                batch.clear()
        writer.writerows(batch)


def phase(path: Path, zoned: bool) -> dict[str, float]:
    from pushflow.audience.stream import read_audience
    from pushflow.audience.zones import ZoneColumn
    from pushflow.spec.audience import AudienceSource, EmasAudience

    source = AudienceSource(csv=path.name, timezone_column="tz")
    spec = EmasAudience(kind="device", device_type="android", source=source)
    zones = ZoneColumn("tz", "UTC") if zoned else None
    start = time.perf_counter()
    with read_audience(
        spec, path.parent / "campaign.yaml", path.parent, workdir=path.parent, zones=zones
    ) as audience:
        audience.check()
        ingested = time.perf_counter()
        if zoned:
            per_zone = audience.summary.zones or {}
            rows = sum(len(c) for zone in per_zone for c in audience.chunks(CHUNK, zone))
        else:
            rows = sum(len(chunk) for chunk in audience.chunks(CHUNK))
        store = audience.disk_bytes()
        summary = audience.summary
    end = time.perf_counter()
    assert rows == summary.targets, (rows, summary)
    return {
        "targets": rows,
        "zones": len(summary.zones or {}),
        "ingest_seconds": ingested - start,
        "chunk_seconds": end - ingested,
        "seconds": end - start,
        "peak_mib": peak_rss_mib(),
        "store_mib": store / 2**20,
    }


def run_phase(name: str, path: Path, rows: int = 0) -> dict[str, float]:
    """One phase in a child process of its own (its own peak RSS)."""
    return child_phase(__file__, "--phase", name, "--csv", str(path), "--rows", str(rows))


def measure(rows: int, folder: Path) -> dict[str, dict[str, float]]:
    path = folder / f"local-{rows}.csv"
    run_phase("generate", path, rows)
    print(f"\n{rows:,} rows, {len(ZONES) - 1} zones and empty cells", flush=True)
    plain = run_phase("plain", path)
    zoned = run_phase("zoned", path)
    path.unlink()
    for name, result in (("plain", plain), ("zoned", zoned)):
        print(
            f"  {name:6} {result['seconds']:7.1f} s (ingest {result['ingest_seconds']:.1f} s + "
            f"sorted chunks {result['chunk_seconds']:.1f} s)   peak RSS "
            f"{result['peak_mib']:6.1f} MiB   store {result['store_mib']:5.0f} MiB"
        )
    print(
        f"  ratio zoned/plain: time x{zoned['seconds'] / plain['seconds']:.2f}   memory "
        f"x{zoned['peak_mib'] / plain['peak_mib']:.2f}   disk "
        f"x{zoned['store_mib'] / plain['store_mib']:.2f}   ({zoned['targets']:,.0f} targets in "
        f"{zoned['zones']:.0f} zones)"
    )
    return {"plain": plain, "zoned": zoned}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="audience size")
    parser.add_argument("--phase", choices=["generate", "plain", "zoned"], help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "generate":
        generate(args.csv, args.rows)
        print("{}")
        return
    if args.phase:
        print(json.dumps(phase(args.csv, zoned=args.phase == "zoned")))
        return
    sizes = sorted({max(args.rows // 10, 1), args.rows})
    with tempfile.TemporaryDirectory(prefix="pushflow-bench-") as folder:
        results = {rows: measure(rows, Path(folder)) for rows in sizes}
    print_peak_growth(results, "zoned")


if __name__ == "__main__":
    main()
