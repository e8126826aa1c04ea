"""Benchmark aid: where the client CPU of ``bench/apply.py``'s pushflow phase goes, by thread.

    python bench/apply_threads.py                          # 3 runs of 100,000 targets
    python bench/apply_threads.py --without-record-update  # the bound of a cheaper record

The emulator and the project are bench/apply.py's (``--latency 50``, 1,000 PushMultiple calls
of 100). Each run is a fresh child process on a fresh state, beside a run of the plain httpx
loop, and prints the client CPU per call of:

- the whole process (``getrusage``: what bench/apply.py reports);
- the event loop's thread (thread time of ``apply_plan``: check, read, render, build, HTTP);
- the ledger writer's thread (``RUSAGE_THREAD`` around each of its rounds; its system part, the
  WAL writes and fsyncs, shown apart) and its rounds per call;
- the rest (other threads).

``--without-record-update`` skips the SQLite statement that records a call's outcome (the
sends stay ``claimed``): not a working apply, only the most any cheaper record of a call's
outcome could save.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from apply import PER_CALL, EmulatorProcess, _env, phase_httpx, phase_pushflow, write_project


def child(settings: argparse.Namespace) -> dict[str, Any]:
    """The pushflow phase with the threads' CPU counted (runs in the child process)."""
    from pushflow.apply import session, writer
    from pushflow.ledger import sqlite_sends

    counted = {"main": 0.0, "ledger": 0.0, "ledger_sys": 0.0, "rounds": 0}
    write = writer.LedgerWriter._write

    def timed_write(self: writer.LedgerWriter, work: Any) -> Any:
        before = resource.getrusage(resource.RUSAGE_THREAD)
        try:
            return write(self, work)
        finally:
            after = resource.getrusage(resource.RUSAGE_THREAD)
            system = after.ru_stime - before.ru_stime
            counted["ledger"] += after.ru_utime - before.ru_utime + system
            counted["ledger_sys"] += system
            counted["rounds"] += 1

    apply_plan = session.apply_plan

    def timed_apply(*args: Any, **kwargs: Any) -> Any:
        started = time.thread_time()
        try:
            return apply_plan(*args, **kwargs)
        finally:
            counted["main"] += time.thread_time() - started

    writer.LedgerWriter._write = timed_write  # type: ignore[method-assign]
    session.apply_plan = timed_apply
    if settings.without_record_update:
        sqlite_sends.finish = lambda conn, campaign, occurrence, targets, *_: len(targets)
    result = phase_pushflow(settings)
    return {**result, **counted}


def run_child(args: argparse.Namespace, root: Path, endpoint: str, phase: str) -> dict[str, Any]:
    settings = {**vars(args), "root": str(root), "endpoint": endpoint, "phase": phase}
    command = [sys.executable, __file__, "--child", json.dumps(settings)]
    env = {**os.environ, **_env()}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"phase {phase} failed:\n{done.stderr}")
    got: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return got


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="targets (100 a call)")
    parser.add_argument("--latency", type=int, default=50, help="emulator latency, ms")
    parser.add_argument("--concurrency", type=int, default=16, help="calls in flight")
    parser.add_argument("--runs", type=int, default=3, help="runs of each phase")
    parser.add_argument(
        "--without-record-update",
        action="store_true",
        help="skip the record statement (a bound, not an apply)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        settings = argparse.Namespace(**json.loads(args.child))
        phase = phase_httpx if settings.phase == "httpx" else child
        print(json.dumps(phase(settings)))
        return

    with tempfile.TemporaryDirectory(prefix="pushflow-bench-threads-") as folder:
        root = Path(folder) / "project"
        emulator = EmulatorProcess(args.latency)
        try:
            write_project(root, endpoint=emulator.url, rows=args.rows, qps=100_000, name="cart")
            print(
                f"{args.rows:,} targets ({-(-args.rows // PER_CALL):,} calls), emulator "
                f"{args.latency} ms, {args.concurrency} in flight"
                + (", WITHOUT the record statement" if args.without_record_update else ""),
                flush=True,
            )
            ratios = []
            for _ in range(args.runs):
                emulator.reset()
                base = run_child(args, root, emulator.url, "httpx")
                shutil.rmtree(root / ".pushflow", ignore_errors=True)
                emulator.reset()
                ours = run_child(args, root, emulator.url, "pushflow")
                calls = ours["calls"]

                def ms(seconds: float, calls: int = calls) -> str:
                    return f"{1000 * seconds / calls:.2f}"

                rest = ours["cpu"] - ours["main"] - ours["ledger"]
                ratios.append((ours["cpu"] / calls) / (base["cpu"] / base["calls"]))
                print(
                    f"  httpx {ms(base['cpu'], base['calls'])} ms/call | pushflow "
                    f"{ms(ours['cpu'])} ms/call: event loop {ms(ours['main'])}, ledger "
                    f"{ms(ours['ledger'])} (system {ms(ours['ledger_sys'])}, "
                    f"{ours['rounds'] / calls:.2f} rounds/call), rest {ms(rest)} | "
                    f"CPU x{ratios[-1]:.2f}",
                    flush=True,
                )
            print(f"  median CPU/call pushflow / httpx x{statistics.median(ratios):.2f}")
        finally:
            emulator.close()


if __name__ == "__main__":
    main()
