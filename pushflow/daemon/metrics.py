"""The daemon's Prometheus metrics, written in the text exposition format by hand.

A handful of counters, gauges and one histogram do not need ``prometheus_client``: this module
is the whole of it, and ``render()`` is what ``/metrics`` serves. Labels stay low-cardinality
(result codes, outcomes), never campaign names: a daemon may run 10 000 campaigns.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field

#: Fire lateness buckets, seconds: from "on time" to "caught up an hour late".
LATENESS_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 60.0, 300.0, 3600.0)
PREFIX = "pushflow_daemon_"


@dataclass
class Histogram:
    buckets: tuple[float, ...]
    counts: list[int] = field(init=False)
    total: float = 0.0
    count: int = 0

    def __post_init__(self) -> None:
        self.counts = [0] * (len(self.buckets) + 1)

    def observe(self, value: float) -> None:
        self.counts[bisect_left(self.buckets, value)] += 1
        self.total += value
        self.count += 1

    def lines(self, name: str) -> list[str]:
        out, running = [], 0
        for bound, count in zip(self.buckets, self.counts, strict=False):
            running += count
            out.append(f'{name}_bucket{{le="{bound:g}"}} {running}')
        out.append(f'{name}_bucket{{le="+Inf"}} {self.count}')
        out.append(f"{name}_sum {self.total:.6f}")
        out.append(f"{name}_count {self.count}")
        return out


@dataclass
class Metrics:
    """What the daemon counts. Safe to update from any thread."""

    sends: int = 0
    unknown: int = 0
    claims_lost: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    occurrences: Counter[str] = field(default_factory=Counter)
    lateness: Histogram = field(default_factory=lambda: Histogram(LATENESS_BUCKETS))
    next_fire: float | None = None
    jobs: int = 0
    reconciles: int = 0
    state_version: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fired(self, lateness: float) -> None:
        with self._lock:
            self.lateness.observe(lateness)

    def outcome(self, status: str) -> None:
        with self._lock:
            self.occurrences[status] += 1

    def tally(self, sent: int, skipped: int, unknown: int, failed: Counter[str]) -> None:
        with self._lock:
            self.sends += sent
            self.claims_lost += skipped
            self.unknown += unknown
            self.failures.update(failed)

    def render(self) -> str:
        """The exposition text (``text/plain; version=0.0.4``)."""
        with self._lock:
            lines: list[str] = []

            def metric(name: str, kind: str, text: str, values: list[str]) -> None:
                lines.extend([f"# HELP {PREFIX}{name} {text}", f"# TYPE {PREFIX}{name} {kind}"])
                lines.extend(f"{PREFIX}{value}" for value in values)

            metric("sends_total", "counter", "Sends recorded sent.", [f"sends_total {self.sends}"])
            metric(
                "send_failures_total",
                "counter",
                "Sends the service refused, by result code.",
                [
                    f'send_failures_total{{code="{_label(code)}"}} {count}'
                    for code, count in sorted(self.failures.items())
                ],
            )
            metric(
                "sends_unknown_total",
                "counter",
                "Sends whose outcome cannot be known (not resent).",
                [f"sends_unknown_total {self.unknown}"],
            )
            metric(
                "claims_lost_total",
                "counter",
                "Targets skipped because another daemon or apply had claimed or sent them.",
                [f"claims_lost_total {self.claims_lost}"],
            )
            metric(
                "occurrences_total",
                "counter",
                "Occurrences handled, by outcome.",
                [
                    f'occurrences_total{{outcome="{_label(status)}"}} {count}'
                    for status, count in sorted(self.occurrences.items())
                ],
            )
            metric(
                "fire_lateness_seconds",
                "histogram",
                "How late an occurrence started firing after its instant.",
                [
                    line.removeprefix(PREFIX)
                    for line in self.lateness.lines(PREFIX + "fire_lateness_seconds")
                ],
            )
            if self.next_fire is not None:
                metric(
                    "next_fire_timestamp_seconds",
                    "gauge",
                    "When the next occurrence fires (Unix time).",
                    [f"next_fire_timestamp_seconds {self.next_fire:.3f}"],
                )
            metric("jobs", "gauge", "Campaigns scheduled.", [f"jobs {self.jobs}"])
            metric(
                "reconciles_total",
                "counter",
                "Times the schedules were read from the state.",
                [f"reconciles_total {self.reconciles}"],
            )
            metric(
                "state_version",
                "gauge",
                "The state's change counter last reconciled.",
                [f"state_version {self.state_version}"],
            )
        return "\n".join(lines) + "\n"


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
