"""Benchmark: ``pushflow apply`` over TCP against a plain httpx loop and the official SDK.

    python bench/apply.py                  # 100,000 targets (1,000 PushMultiple calls)
    python bench/apply.py --rows 20000     # a quick run
    python bench/apply.py --repeat 4       # more runs of the httpx and pushflow phases
    python bench/apply.py --state postgresql://postgres@127.0.0.1:5432/bench  # shared state

``pushflow emulator --latency 50`` is started as a subprocess on a free loopback port (every
answer delayed 50 ms: a realistic round trip), with the template registered through its control
API (``POST /_emulator/templates``), as a user would create it in the mPaaS console. A project is
generated in a temp folder: one mPaaS app whose ``endpoint`` is the emulator, one campaign (a
template message whose ``values`` read ``{{ row.first_name }}``, ``{{ row.item }}`` and
``{{ row.price }}``, so it goes out through PushMultiple, 100 targets a call) sent ``now`` to
``kind: user`` from a CSV of N distinct ids in random order, and ``rate_limits`` high enough not
to cap the run. Then these phases run, each in a fresh child process, the emulator's log and
state reset before each:

- **httpx** (the baseline): the cheapest client anyone could write. It reads the CSV, builds
  every PushMultiple form body (the same parameters pushflow sends), signs each request with
  pushflow's own ACS3 signer (:mod:`pushflow.providers.signing`) and sends them with one
  ``httpx.AsyncClient``, the same number of calls in flight as pushflow. No ledger, no
  retries, no checks.
- **pushflow**: ``make_plan`` (not timed: the plan is the review step, measured by
  bench/plan.py), then ``apply_plan`` (timed): check the project, record the revision, read the
  audience, render and claim every chunk, call, record every outcome, all in the state file.
- **sdk**: the official ``alibabacloud_mpaas20201028`` client as its documentation shows it:
  ``Client(Config(...)).push_multiple(PushMultipleRequest(...))``, one call after another as in
  its examples. Time-boxed: ``--sdk-calls`` calls, calls/s extrapolated.
- **qps**: ``apply_plan`` of a second project capped by ``rate_limits: {mpaas.PushMultiple:
  --qps}`` over ``--qps-calls`` calls; the achieved rate is taken from the emulator's call log
  (arrival times of the calls, as the service sees them).

Each phase reports calls/s (calls / wall time of the timed part) and client CPU per call
(``resource.getrusage`` of its own process, user + sys, every thread, over the timed part). The
emulator's CPU per call is shown beside it: on a small machine client and server share the
cores. The httpx and pushflow phases run ``--repeat`` times (2), alternating which goes first
(pushflow on a fresh state each time: a new SQLite file, or with ``--state`` a PostgreSQL
database whose ledger tables are emptied with ``TRUNCATE``), and the verdict takes the median
of the per-run ratios: on a shared machine the load moves between phases. Each target is
printed with PASS or MISS.
See bench/README.md for the targets and the figures measured.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from _common import APP_ID, ITEMS, KEY_ID, KEY_SECRET, NAMES, TEMPLATE, signed_push_multiple

PER_CALL = 100

PROJECT = """\
version: 1
state: {state}
campaigns: [campaigns]
apps:
  bench-mpaas:
    provider: mpaas
    region: cn-hangzhou
    app_id: {app_id}
    workspace_id: default
    endpoint: {endpoint}
rate_limits:
  mpaas.PushMultiple: {qps}
"""

CAMPAIGN = """\
name: {name}
provider: mpaas
app: bench-mpaas
message:
  kind: template
  template: cart_reminder
  values:
    name: "{{{{ row.first_name }}}}"
    item: "{{{{ row.item }}}}"
    price: "{{{{ row.price }}}}"
audience:
  kind: user
  source:
    csv: audience.csv
    id_column: user_id
strategy: now
"""


# --- setup ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def write_audience(path: Path, rows: int, seed: int = 11) -> None:
    """``rows`` distinct user ids in random order, with the three personal columns."""
    rng = random.Random(seed)
    ids = rng.sample(range(16**12), rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["user_id", "first_name", "item", "price"])
        for number in ids:
            price = f"¥{rng.randrange(10, 2000)}"
            writer.writerow((f"user-{number:012x}", rng.choice(NAMES), rng.choice(ITEMS), price))


def write_project(
    root: Path,
    *,
    endpoint: str,
    rows: int,
    qps: float,
    name: str,
    state: str = ".pushflow/state.db",
) -> Path:
    (root / "campaigns").mkdir(parents=True, exist_ok=True)
    project = root / "pushflow.yaml"
    text = PROJECT.format(app_id=APP_ID, endpoint=endpoint, qps=qps, state=state)
    project.write_text(text, encoding="utf-8")
    (root / "campaigns" / "cart.yaml").write_text(CAMPAIGN.format(name=name), encoding="utf-8")
    write_audience(root / "campaigns" / "audience.csv", rows)
    return project


class EmulatorProcess:
    """``pushflow emulator --latency MS --port P`` as a subprocess, with its control API."""

    def __init__(self, latency: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "pushflow", "emulator", "--port", str(self.port)]
        self.process = subprocess.Popen(
            [*command, "--latency", str(latency)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.control = httpx.Client(base_url=f"{self.url}/_emulator", timeout=120)
        deadline = time.monotonic() + 30
        while True:
            try:
                if self.control.get("/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the emulator did not start: {self.process.stderr}")
            time.sleep(0.05)
        self.control.post("/templates", json=TEMPLATE).raise_for_status()

    def reset(self) -> None:
        self.control.post("/reset").raise_for_status()

    def cpu_seconds(self) -> float:
        """user + sys of the emulator process so far (from /proc)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def call_times(self, action: str) -> list[float]:
        """Arrival times (POSIX seconds) of the successful calls of ``action``."""
        from datetime import datetime

        calls = self.control.get("/calls", params={"action": action, "code": "OK"}).json()
        items = calls["calls"] if isinstance(calls, dict) else calls
        return sorted(datetime.fromisoformat(call["time"]).timestamp() for call in items)

    def close(self) -> None:
        self.control.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# --- phases (each in a child process) ------------------------------------------------------


#: The ledger's tables, emptied before each pushflow run on a ``--state`` database.
LEDGER_TABLES = "revocations, sends, occurrences, schedules, server_tasks, revisions, apply_lock"


def fresh_state(root: Path, state: str | None) -> None:
    """A fresh state for the next pushflow run: the project's SQLite file removed, or the
    ``--state`` PostgreSQL database's ledger tables emptied (created by the first run)."""
    if state is None:
        shutil.rmtree(root / ".pushflow", ignore_errors=True)
        return
    from pushflow.ledger import Ledger

    with Ledger(state) as ledger, ledger.engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {LEDGER_TABLES} RESTART IDENTITY CASCADE")


def shown_state(state: str | None) -> str:
    """Where the state is, for the header line (a password in the URL hidden)."""
    if state is None:
        return "SQLite (a file per run)"
    from sqlalchemy.engine import make_url

    return make_url(state).render_as_string(hide_password=True)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _env() -> dict[str, str]:
    return {"ALIBABA_CLOUD_ACCESS_KEY_ID": KEY_ID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": KEY_SECRET}


def phase_pushflow(args: argparse.Namespace) -> dict[str, Any]:
    """make_plan (untimed), then apply_plan (timed) of the generated project."""
    from datetime import UTC, datetime

    from pushflow.apply.run import ApplyOptions
    from pushflow.apply.session import apply_plan, make_plan

    project = Path(args.root) / "pushflow.yaml"
    env = _env()
    started = time.perf_counter()
    plan = make_plan([], project_file=project, now=datetime.now(UTC), environ=env)
    planned = time.perf_counter() - started
    options = ApplyOptions(environ=env, concurrency=args.concurrency, lock_timeout=5)
    cpu, start = _cpu(), time.perf_counter()
    applied = apply_plan(plan, [], project_file=project, options=options)
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    total = applied.total
    assert total.ok, total
    assert total.sent == args.rows, (total.sent, args.rows)
    return {
        "calls": total.calls,
        "targets": total.sent,
        "seconds": seconds,
        "cpu": cpu,
        "plan_seconds": planned,
    }


def _push_multiple_body(rows: list[list[str]], task: str, first: int) -> dict[str, str]:
    """The PushMultiple parameters of one chunk, flattened as on the wire."""
    body = {
        "AppId": APP_ID,
        "WorkspaceId": "default",
        "DeliveryType": "3",
        "ExpiredSeconds": "259200",
        "TaskName": task,
        "TemplateName": TEMPLATE["name"],
    }
    for n, (target, name, item, price) in enumerate(rows, start=1):
        body[f"TargetMsg.{n}.Target"] = target
        body[f"TargetMsg.{n}.MsgKey"] = f"{task}-{first + n}"
        body[f"TargetMsg.{n}.TemplateKeyValue"] = json.dumps(
            {"name": name, "item": item, "price": price}, ensure_ascii=False
        )
    return body


def phase_httpx(args: argparse.Namespace) -> dict[str, Any]:
    """The plain loop: read, build, sign (pushflow's signer), send with bounded concurrency."""
    from pushflow.providers.signing import form_body

    url = args.endpoint + "/"
    host = httpx.URL(args.endpoint).netloc.decode("ascii")

    def chunks() -> Any:
        with (Path(args.root) / "campaigns" / "audience.csv").open(
            newline="", encoding="utf-8"
        ) as f:
            reader = csv.reader(f)
            next(reader)
            chunk: list[list[str]] = []
            for row in reader:
                chunk.append(row)
                if len(chunk) == PER_CALL:
                    yield chunk
                    chunk = []
            if chunk:
                yield chunk

    async def main() -> tuple[int, int]:
        slots = asyncio.Semaphore(args.concurrency)
        sent = calls = 0

        async with httpx.AsyncClient(timeout=30) as client:

            async def one(rows: list[list[str]], first: int) -> None:
                nonlocal sent, calls
                try:
                    content = form_body(_push_multiple_body(rows, "plain", first)).encode()
                    headers = signed_push_multiple(host, content)
                    response = await client.post(url, content=content, headers=headers)
                    answer = response.json()
                    assert response.status_code == 200, answer
                    assert answer["ResultCode"] == "OK", answer
                    calls += 1
                    sent += len(rows)
                finally:
                    slots.release()

            tasks = set()
            first = 0
            for rows in chunks():
                await slots.acquire()
                task = asyncio.create_task(one(rows, first))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                first += len(rows)
            await asyncio.gather(*tasks)
        return calls, sent

    cpu, start = _cpu(), time.perf_counter()
    calls, sent = asyncio.run(main())
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    assert sent == args.rows, (sent, args.rows)
    return {"calls": calls, "targets": sent, "seconds": seconds, "cpu": cpu}


def phase_sdk(args: argparse.Namespace) -> dict[str, Any]:
    """The official SDK as its docs show it: a Client from a Config, push_multiple, in turn."""
    from alibabacloud_mpaas20201028 import models as mpaas_models
    from alibabacloud_mpaas20201028.client import Client
    from alibabacloud_tea_openapi.models import Config

    config = Config(
        access_key_id=os.environ["ALIBABA_CLOUD_ACCESS_KEY_ID"],
        access_key_secret=os.environ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"],
        endpoint=httpx.URL(args.endpoint).netloc.decode("ascii"),
        protocol="http",
    )
    client = Client(config)
    rows: list[list[str]] = []
    with (Path(args.root) / "campaigns" / "audience.csv").open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        for row in reader:
            rows.append(row)
            if len(rows) == args.sdk_calls * PER_CALL:
                break
    cpu, start = _cpu(), time.perf_counter()
    calls = sent = 0
    for at in range(0, len(rows), PER_CALL):
        chunk = rows[at : at + PER_CALL]
        request = mpaas_models.PushMultipleRequest(
            app_id=APP_ID,
            workspace_id="default",
            delivery_type=3,
            expired_seconds=259200,
            task_name="sdk",
            template_name=TEMPLATE["name"],
            target_msg=[
                mpaas_models.PushMultipleRequestTargetMsg(
                    target=target,
                    msg_key=f"sdk-{at + n}",
                    template_key_value=json.dumps(
                        {"name": name, "item": item, "price": price}, ensure_ascii=False
                    ),
                )
                for n, (target, name, item, price) in enumerate(chunk, start=1)
            ],
        )
        response = client.push_multiple(request)
        assert response.body.result_code == "OK", response.body
        calls += 1
        sent += len(chunk)
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    return {"calls": calls, "targets": sent, "seconds": seconds, "cpu": cpu}


PHASES = {"httpx": phase_httpx, "pushflow": phase_pushflow, "sdk": phase_sdk}


def run_phase(name: str, args: argparse.Namespace, **extra: Any) -> dict[str, Any]:
    settings = {**vars(args), **extra, "phase": name}
    command = [sys.executable, __file__, "--child", json.dumps(settings, default=str)]
    done = subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, **_env()}, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"phase {name} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# --- the run -------------------------------------------------------------------------------


def measure(name: str, emulator: EmulatorProcess, args: argparse.Namespace, **extra: Any) -> Any:
    emulator.reset()
    server_cpu = emulator.cpu_seconds()
    result = run_phase(name, args, **extra)
    result["server_cpu"] = emulator.cpu_seconds() - server_cpu
    return result


def line(name: str, result: dict[str, Any]) -> str:
    calls = result["calls"]
    return (
        f"  {name:9} {calls:6,} calls {result['seconds']:7.2f} s "
        f"{calls / result['seconds']:9,.1f} calls/s   "
        f"client CPU {1000 * result['cpu'] / calls:6.2f} ms/call   "
        f"emulator CPU {1000 * result['server_cpu'] / calls:6.2f} ms/call"
    )


def main() -> None:
    from pushflow.apply.run import ApplyOptions

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="targets (100 a call)")
    parser.add_argument("--latency", type=int, default=50, help="emulator latency, ms")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=ApplyOptions().concurrency,
        help="calls in flight, pushflow and the plain loop (default: apply's)",
    )
    parser.add_argument(
        "--repeat", type=int, default=2, help="runs of the httpx and pushflow phases (medians)"
    )
    parser.add_argument("--sdk-calls", type=int, default=40, help="calls the SDK phase makes")
    parser.add_argument("--qps", type=float, default=20, help="the cap of the QPS phase")
    parser.add_argument("--qps-calls", type=int, default=200, help="calls of the QPS phase")
    parser.add_argument(
        "--state", help="a PostgreSQL URL for the ledger (default: a SQLite file per run)"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        settings = argparse.Namespace(**json.loads(args.child))
        print(json.dumps(PHASES[settings.phase](settings)))
        return

    with tempfile.TemporaryDirectory(prefix="pushflow-bench-apply-") as folder:
        emulator = EmulatorProcess(args.latency)
        try:
            run(args, Path(folder), emulator)
        finally:
            emulator.close()


def rate(result: dict[str, Any]) -> float:
    return float(result["calls"]) / float(result["seconds"])


def cpu(result: dict[str, Any]) -> float:
    return float(result["cpu"]) / float(result["calls"])


def verdict(label: str, value: float, target: str, ok: bool, shown: str | None = None) -> str:
    figure = shown if shown is not None else f"x{value:6.2f}"
    return f"  {label:27} {figure:>8}   target {target:8} {'PASS' if ok else 'MISS'}"


def run(args: argparse.Namespace, folder: Path, emulator: EmulatorProcess) -> None:
    main_root, qps_root = folder / "throughput", folder / "qps"
    started = time.perf_counter()
    state = {"state": args.state} if args.state else {}
    write_project(
        main_root, endpoint=emulator.url, rows=args.rows, qps=100_000, name="bench-cart", **state
    )
    qps_rows = args.qps_calls * PER_CALL
    write_project(
        qps_root, endpoint=emulator.url, rows=qps_rows, qps=args.qps, name="bench-qps", **state
    )
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"{args.rows:,} targets ({-(-args.rows // PER_CALL):,} PushMultiple calls of {PER_CALL}), "
        f"emulator on {emulator.url} with {args.latency} ms latency, "
        f"{args.concurrency} calls in flight, state {shown_state(args.state)}; projects written in "
        f"{time.perf_counter() - started:.1f} s; load average {load} on {os.cpu_count()} CPUs\n",
        flush=True,
    )
    extra = {"root": str(main_root), "endpoint": emulator.url}
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for number in range(args.repeat):
        # Alternate which goes first, so a load that drifts during the run weighs on both.
        order = ("httpx", "pushflow") if number % 2 == 0 else ("pushflow", "httpx")
        got: dict[str, dict[str, Any]] = {}
        for name in order:
            if name == "pushflow":
                fresh_state(main_root, args.state)
            got[name] = measure(name, emulator, args, **extra)
            print(line(name, got[name]), flush=True)
        base, ours = got["httpx"], got["pushflow"]
        pairs.append((base, ours))
        print(
            f"  run {number + 1}: calls/s x{rate(ours) / rate(base):.2f}, "
            f"CPU/call x{cpu(ours) / cpu(base):.2f} (pushflow / httpx); "
            f"plan {ours['plan_seconds']:.1f} s before apply (not timed)\n",
            flush=True,
        )
    sdk = measure("sdk", emulator, args, **extra)
    print(line("sdk", sdk), flush=True)

    emulator.reset()
    fresh_state(qps_root, args.state)
    capped = run_phase("pushflow", args, root=str(qps_root), endpoint=emulator.url, rows=qps_rows)
    times = emulator.call_times("PushMultiple")
    achieved = (len(times) - 1) / (times[-1] - times[0])
    print(
        f"  qps cap   {capped['calls']:6,} calls {capped['seconds']:7.2f} s "
        f"{capped['calls'] / capped['seconds']:9,.1f} calls/s (whole apply); "
        f"at the emulator {achieved:.2f} calls/s for a cap of {args.qps:g}"
    )

    speed = statistics.median(rate(ours) / rate(base) for base, ours in pairs)
    work = statistics.median(cpu(ours) / cpu(base) for base, ours in pairs)
    versus_sdk = statistics.median(rate(ours) for _, ours in pairs) / rate(sdk)
    deviation = achieved / args.qps - 1
    print(f"\n  median of {len(pairs)} run{'s' if len(pairs) > 1 else ''}:")
    print(verdict("calls/s pushflow / httpx", speed, ">= 0.80", speed >= 0.8))
    print(verdict("CPU/call pushflow / httpx", work, "<= 1.25", work <= 1.25))
    print(verdict("calls/s pushflow / sdk", versus_sdk, ">= 10", versus_sdk >= 10))
    shown = f"{deviation:+.1%}"
    print(verdict("QPS cap accuracy", deviation, "±5%", abs(deviation) <= 0.05, shown))


if __name__ == "__main__":
    main()
