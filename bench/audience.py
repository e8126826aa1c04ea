"""Benchmark: an audience file streamed through id checks, dedupe and sorted chunking.

    python bench/audience.py                 # 10,000,000 rows (and 1,000,000 for the memory curve)
    python bench/audience.py --rows 200000   # a quick run

For each size a CSV of EMAS device ids (random 32-character ids, about 2% repeated, in random
order, two more columns) is written to a temp folder, then two phases run, each in a fresh child
process so that its peak RSS (``ru_maxrss``) is its own:

- **baseline**: read the CSV with the ``csv`` module and count the rows;
- **audience**: ``read_audience`` (read, check ids, dedupe into the SQLite store, digest; in
  memory below 64 MiB of rows, about 175,000 of this file) and then every sorted chunk of 1,000
  rows with their columns, as compile will.

Both phases import ``pushflow.audience.stream`` first, so the memory ratio compares the work and
not the imports. See bench/README.md for what the numbers should look like.
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
DUPLICATE_SHARE = 0.02


def generate(path: Path, rows: int, seed: int = 4) -> None:
    """``rows`` CSV rows of 32-character hex ids, about 2% of them repeats, in random order."""
    rng = random.Random(seed)
    ids = ids_with_repeats(
        rng,
        rows,
        lambda: f"{rng.getrandbits(128):032x}",
        share=DUPLICATE_SHARE,
        remember=100_000,
    )
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "city"])
        batch = []
        for number, target in enumerate(ids):
            batch.append((target, f"user {number}", "Hangzhou"))
            if len(batch) == 100_000:
                writer.writerows(batch)
                batch.clear()
        writer.writerows(batch)


def phase_generate(path: Path, rows: int) -> dict[str, float]:
    start = time.perf_counter()
    generate(path, rows)
    return {"seconds": time.perf_counter() - start, "mib": path.stat().st_size / 2**20}


def phase_baseline(path: Path) -> dict[str, float]:
    import pushflow.audience.stream  # noqa: F401 - the same imports as the audience phase

    start = time.perf_counter()
    with path.open(newline="", encoding="utf-8") as handle:
        rows = sum(1 for _ in csv.reader(handle)) - 1
    return {"rows": rows, "seconds": time.perf_counter() - start, "peak_mib": peak_rss_mib()}


def phase_audience(path: Path) -> dict[str, float]:
    from pushflow.audience.stream import read_audience
    from pushflow.spec.audience import AudienceSource, EmasAudience

    spec = EmasAudience(kind="device", device_type="android", source=AudienceSource(csv=path.name))
    start = time.perf_counter()
    with read_audience(spec, path.parent / "campaign.yaml", path.parent, workdir=path.parent) as a:
        ingested = time.perf_counter()
        rows = sum(len(chunk) for chunk in a.chunks(CHUNK))
        store = a.disk_bytes()
        summary = a.summary
    end = time.perf_counter()
    assert rows == summary.targets, (rows, summary)
    return {
        "rows": rows + summary.duplicates + summary.bad_rows,
        "targets": rows,
        "duplicates": summary.duplicates,
        "bad_rows": summary.bad_rows,
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
    path = folder / f"audience-{rows}.csv"
    made = run_phase("generate", path, rows)
    print(
        f"\n{rows:,} rows: CSV {made['mib']:,.0f} MiB written in {made['seconds']:.1f} s",
        flush=True,
    )
    base = run_phase("baseline", path)
    audience = run_phase("audience", path)
    path.unlink()
    for name, result in (("baseline", base), ("audience", audience)):
        print(
            f"  {name:9} {result['seconds']:8.1f} s {result['rows'] / result['seconds']:12,.0f} "
            f"rows/s   peak RSS {result['peak_mib']:7.1f} MiB"
        )
    print(
        f"  audience: ingest {audience['ingest_seconds']:.1f} s + sorted chunks "
        f"{audience['chunk_seconds']:.1f} s; {audience['targets']:,.0f} targets, "
        f"{audience['duplicates']:,.0f} duplicates; store {audience['store_mib']:,.0f} MiB on disk"
    )
    print(
        f"  ratio     time x{audience['seconds'] / base['seconds']:.1f}   "
        f"memory x{audience['peak_mib'] / base['peak_mib']:.2f}"
    )
    return {"baseline": base, "audience": audience}


PHASES = {"baseline": phase_baseline, "audience": phase_audience}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="audience size")
    parser.add_argument("--phase", choices=["generate", *PHASES], help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        if args.phase == "generate":
            print(json.dumps(phase_generate(args.csv, args.rows)))
        else:
            print(json.dumps(PHASES[args.phase](args.csv)))
        return
    sizes = sorted({max(args.rows // 10, 1), args.rows})
    with tempfile.TemporaryDirectory(prefix="pushflow-bench-") as folder:
        results = {rows: measure(rows, Path(folder)) for rows in sizes}
    print_peak_growth(results, "audience")


if __name__ == "__main__":
    main()
