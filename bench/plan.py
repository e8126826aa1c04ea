"""Benchmark: ``pushflow plan`` of a personalized PushMultiple campaign against a plain render loop.

    python bench/plan.py                                     # 1,000,000 rows
    python bench/plan.py --rows 100000                       # a quick run
    python bench/plan.py --memory-rows 1000000,10000000      # + peak memory at 1M and 10M rows
    python bench/plan.py --frequency-cap                     # + a policy that merges audiences

A project is generated in a temp folder: ``pushflow.yaml`` with one mPaaS app, one campaign (a
template message whose ``values`` read ``{{ row.first_name }}``, ``{{ row.item }}`` and
``{{ row.price }}``, so it goes out through PushMultiple, 100 targets a call) and its audience,
``kind: user`` from a CSV of N rows in random id order with about 0.5% repeated ids. Then two
phases run, each in a fresh child process so that its peak RSS (``ru_maxrss``) is its own:

- **baseline**: the plain loop, ``csv.DictReader`` over the file and a plain
  ``jinja2.Environment`` rendering the same three expressions (compiled once) for every row;
- **pushflow**: ``pushflow.plan.build.build_plan`` of the project: validate, read the audience,
  check every id, drop repeats on disk, render and check every target, derive every key.

Both phases import the same modules first, so the memory figures compare the work, not the
imports. The throughput of both is file rows per second; the ratio is pushflow / baseline.
With ``--memory-rows``, the pushflow phase also runs at each of those sizes, for its peak RSS.
With ``--frequency-cap``, the project also has a policy ``frequency_cap: {max: 1, per: 1d}`` and a
second ``now`` campaign to two other users: together they could break the cap, so the plan merges
the sorted targets of both campaigns (every one of the N) to find that none is over.
See bench/README.md for the targets and the figures measured.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import child_phase, ids_with_repeats, peak_rss_mib

#: Share of rows that repeat an earlier id.
DUPLICATE_SHARE = 0.005
#: PushMultiple targets per call.
PER_CALL = 100
#: The expressions the campaign's values hold, and the baseline renders.
EXPRESSIONS = {
    "name": "{{ row.first_name }}",
    "item": "{{ row.item }}",
    "price": "{{ row.price }}",
}
NOW = "2026-11-27T09:00:00+00:00"

PROJECT = """\
version: 1
campaigns: [campaigns]
apps:
  bench-mpaas:
    provider: mpaas
    region: cn-hangzhou
    app_id: ONEX570DA89211721
    workspace_id: default
"""

CAMPAIGN = """\
name: bench-cart-reminder
provider: mpaas
app: bench-mpaas
message:
  kind: template
  template: cart_reminder
  values:
    name: "{{ row.first_name }}"
    item: "{{ row.item }}"
    price: "{{ row.price }}"
audience:
  kind: user
  source:
    csv: audience.csv
    id_column: user_id
strategy: now
"""

NAMES = ["Yang", "Li", "Zhou", "Wu", "Chen", "Wang", "Zhang", "Liu", "Huang", "Zhao", "Anna"]
ITEMS = ["running shoes", "wool scarf", "tea set", "desk lamp", "backpack", "rain jacket"]


POLICY = """\
policy:
  frequency_cap: {max: 1, per: 1d}
"""

OTHER_CAMPAIGN = """\
name: bench-other
provider: mpaas
app: bench-mpaas
message: {kind: simple, title: Hi, content: Another campaign}
audience:
  kind: user
  source:
    inline: [other-1, other-2]
strategy: now
"""


def generate(root: Path, rows: int, seed: int = 9, *, frequency_cap: bool = False) -> None:
    """The project: its file, the campaign, and ``rows`` audience rows with a few repeats."""
    (root / "campaigns").mkdir(parents=True, exist_ok=True)
    (root / "pushflow.yaml").write_text(PROJECT + (POLICY if frequency_cap else ""), "utf-8")
    (root / "campaigns" / "cart.yaml").write_text(CAMPAIGN, encoding="utf-8")
    if frequency_cap:
        (root / "campaigns" / "other.yaml").write_text(OTHER_CAMPAIGN, encoding="utf-8")
    rng = random.Random(seed)
    ids = ids_with_repeats(
        rng,
        rows,
        lambda: f"user-{rng.getrandbits(64):016x}",
        share=DUPLICATE_SHARE,
        remember=10_000,
    )
    with (root / "campaigns" / "audience.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["user_id", "first_name", "item", "price"])
        batch = []
        for target in ids:
            price = f"¥{rng.randrange(10, 2000)}"
            batch.append((target, rng.choice(NAMES), rng.choice(ITEMS), price))
            if len(batch) == 100_000:
                writer.writerows(batch)
                batch.clear()
        writer.writerows(batch)


def _imports() -> None:
    # The same imports in both phases, so their peak RSS compare the work.
    import jinja2  # noqa: F401

    import pushflow.plan.build  # noqa: F401


def phase_generate(root: Path, rows: int, frequency_cap: bool = False) -> dict[str, Any]:
    start = time.perf_counter()
    generate(root, rows, frequency_cap=frequency_cap)
    size = (root / "campaigns" / "audience.csv").stat().st_size
    return {"seconds": time.perf_counter() - start, "mib": size / 2**20}


def phase_baseline(root: Path) -> dict[str, Any]:
    """csv.DictReader + a plain jinja2 Environment, the three expressions compiled once."""
    _imports()
    import jinja2

    env = jinja2.Environment()
    templates = {name: env.from_string(text) for name, text in EXPRESSIONS.items()}
    start = time.perf_counter()
    rows = 0
    last: dict[str, str] = {}
    with (root / "campaigns" / "audience.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            last = {name: template.render(row=row) for name, template in templates.items()}
            rows += 1
    seconds = time.perf_counter() - start
    assert last, "no rows rendered"
    return {"rows": rows, "seconds": seconds, "peak_mib": peak_rss_mib()}


def phase_pushflow(root: Path) -> dict[str, Any]:
    """build_plan of the generated project."""
    _imports()
    from datetime import datetime

    from pushflow.plan.build import build_plan

    start = time.perf_counter()
    plan = build_plan([], project_file=root / "pushflow.yaml", now=datetime.fromisoformat(NOW))
    seconds = time.perf_counter() - start
    (campaign,) = [c for c in plan.campaigns if c.name == "bench-cart-reminder"]
    (group,) = campaign.groups
    audience = campaign.audience
    assert group.api == "mpaas.PushMultiple", group.api
    assert audience.targets is not None
    assert group.calls == -(-audience.targets // PER_CALL), (group.calls, audience.targets)
    assert set(campaign.samples[0].values) == set(EXPRESSIONS)
    capped = [c.outcome for c in campaign.policy if c.rule == "policy.frequency-cap"]
    assert capped in ([], ["pass"]), capped
    return {
        "rows": audience.targets + audience.duplicates,
        "targets": audience.targets,
        "duplicates": audience.duplicates,
        "calls": group.calls,
        "key_digest": group.key_digest,
        "seconds": seconds,
        "peak_mib": peak_rss_mib(),
    }


PHASES = {"baseline": phase_baseline, "pushflow": phase_pushflow}


def run_phase(name: str, root: Path, rows: int = 0, frequency_cap: bool = False) -> dict[str, Any]:
    """One phase in a fresh child process: its own peak RSS (Linux carries the RSS of the
    forking process into the child's ``ru_maxrss``, so this parent stays small)."""
    flag = ["--frequency-cap"] if frequency_cap else []
    return child_phase(__file__, "--phase", name, "--root", str(root), "--rows", str(rows), *flag)


def _line(name: str, result: dict[str, Any]) -> str:
    return (
        f"  {name:9} {result['seconds']:8.1f} s {result['rows'] / result['seconds']:12,.0f} rows/s"
        f"   peak RSS {result['peak_mib']:7.1f} MiB"
    )


def measure(
    rows: int, folder: Path, *, baseline: bool, frequency_cap: bool = False
) -> dict[str, dict[str, Any]]:
    root = folder / f"project-{rows}"
    made = run_phase("generate", root, rows, frequency_cap)
    print(
        f"\n{rows:,} rows: CSV {made['mib']:,.0f} MiB written in {made['seconds']:.1f} s",
        flush=True,
    )
    results: dict[str, dict[str, Any]] = {}
    if baseline:
        results["baseline"] = run_phase("baseline", root)
        print(_line("baseline", results["baseline"]), flush=True)
    ours = results["pushflow"] = run_phase("pushflow", root, frequency_cap=frequency_cap)
    print(_line("pushflow", ours), flush=True)
    print(
        f"  pushflow: {ours['targets']:,} targets, {ours['duplicates']:,} duplicates, "
        f"{ours['calls']:,} PushMultiple calls, keys {ours['key_digest']}"
    )
    if baseline:
        base = results["baseline"]
        ratio = (ours["rows"] / ours["seconds"]) / (base["rows"] / base["seconds"])
        print(f"  ratio     throughput pushflow / baseline x{ratio:.2f} (target >= 0.70)")
    for path in sorted(root.rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    root.rmdir()
    return results


def _sizes(text: str) -> list[int]:
    return sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()})


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="audience rows (throughput)")
    parser.add_argument(
        "--memory-rows",
        type=_sizes,
        default=[],
        help="comma-separated audience sizes at which to report build_plan's peak RSS too",
    )
    parser.add_argument(
        "--frequency-cap",
        action="store_true",
        help="add a frequency cap and a second campaign, so the plan merges the audiences",
    )
    parser.add_argument("--phase", choices=["generate", *PHASES], help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        if args.phase == "generate":
            print(json.dumps(phase_generate(args.root, args.rows, args.frequency_cap)))
        else:
            print(json.dumps(PHASES[args.phase](args.root)))
        return
    peaks: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="pushflow-bench-") as folder:
        for rows in sorted({args.rows, *args.memory_rows}):
            results = measure(
                rows, Path(folder), baseline=rows == args.rows, frequency_cap=args.frequency_cap
            )
            peaks[rows] = results["pushflow"]["peak_mib"]
    if len(peaks) > 1:
        print(
            "\npeak RSS of build_plan: "
            + ", ".join(f"{mib:.1f} MiB at {rows:,} rows" for rows, mib in peaks.items())
            + " (target: flat, <= 200 MiB)"
        )


if __name__ == "__main__":
    main()
