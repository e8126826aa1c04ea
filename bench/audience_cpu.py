"""Micro-benchmark: the client CPU of reading the apply benchmark's CSV audience.

    python bench/audience_cpu.py                   # 100,000 rows, min of 15 runs
    python bench/audience_cpu.py --rows 10000 --runs 31

The file is ``bench/apply.py``'s (``write_audience``: distinct user ids in random order, columns
user_id, first_name, item, price), read as ``pushflow apply`` reads it for an mPaaS ``user``
campaign: ``read_audience`` (parse, check every id, drop duplicates, digest, keep in the store;
what the project check does through ``HeldAudience``), then every sorted chunk of 100 Rows
(``Audience.chunks``, what the send takes, 100 targets a PushMultiple call). Each phase is timed
as the thread's CPU (``time.thread_time``: the machine is shared), min of the runs, with
``csv.reader`` counting the rows of the same file as the floor.
"""

from __future__ import annotations

import argparse
import csv
import gc
import tempfile
import time
from pathlib import Path

from apply import PER_CALL, write_audience

from pushflow.audience.stream import read_audience
from pushflow.spec.audience import AudienceSource, MpaasListAudience


def measure(path: Path, runs: int) -> tuple[dict[str, float], str]:
    spec = MpaasListAudience(kind="user", source=AudienceSource(csv=path.name, id_column="user_id"))
    best = {"csv.reader": float("inf"), "read": float("inf"), "chunks": float("inf")}
    digest = ""
    for _ in range(runs):
        gc.collect()
        start = time.thread_time()
        with path.open(newline="", encoding="utf-8") as handle:
            sum(1 for _ in csv.reader(handle))
        best["csv.reader"] = min(best["csv.reader"], time.thread_time() - start)
        start = time.thread_time()
        audience = read_audience(spec, path.parent / "campaign.yaml", path.parent)
        read = time.thread_time()
        with audience:
            for _chunk in audience.chunks(PER_CALL):
                pass
            best["chunks"] = min(best["chunks"], time.thread_time() - read)
            digest = str(audience.summary.digest)
        best["read"] = min(best["read"], read - start)
    return best, digest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="audience size")
    parser.add_argument("--runs", type=int, default=15, help="runs (the min is shown)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pushflow-bench-") as folder:
        path = Path(folder) / "audience.csv"
        write_audience(path, args.rows)
        best, digest = measure(path, args.runs)
    print(
        f"{args.rows:,} rows, thread CPU, min of {args.runs}: csv.reader "
        f"{best['csv.reader']:.3f} s; read_audience {best['read']:.3f} s + chunks of "
        f"{PER_CALL} {best['chunks']:.3f} s = {best['read'] + best['chunks']:.3f} s "
        f"(digest {digest})"
    )


if __name__ == "__main__":
    main()
