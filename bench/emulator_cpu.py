"""Micro-benchmark: the emulator's CPU per mPaaS PushMultiple call, in-process.

    python bench/emulator_cpu.py              # 7 runs of 60 calls, min CPU ms/call
    python bench/emulator_cpu.py --profile    # plus a cProfile of one run, by own time

What ``bench/apply.py`` sends: 100 ``TargetMsg`` per call, a three-placeholder template
(registered as through ``POST /_emulator/templates``), ACS3-signed form bodies built by
pushflow's own provider code (:class:`~pushflow.providers.mpaas_models.PushMultipleRequest`,
:mod:`pushflow.providers.form`, :mod:`pushflow.providers.signing`). Each call goes through the
whole ASGI app (Starlette routing, the dispatcher, the handler, the call log), with no latency.
Requests are built and signed before the clock starts; only the emulator's work is timed, as
``time.process_time`` (CPU, not wall time: the machine is shared), min of the runs.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import random
import time
from typing import Any

from _common import APP_ID, ITEMS, NAMES, TEMPLATE, signed_push_multiple

from pushflow.emulator import EmulatorConfig, create_app
from pushflow.providers import form
from pushflow.providers.mpaas_models import PushMultipleRequest, TargetMsg

Request = tuple[list[tuple[bytes, bytes]], bytes]


def build_requests(calls: int, per_call: int, seed: int) -> list[Request]:
    """``calls`` signed PushMultiple requests (headers, body), msgKeys all distinct."""
    rng = random.Random(seed)
    built = []
    for call in range(calls):
        targets = [
            TargetMsg(
                target=f"user-{rng.randrange(16**12):012x}",
                msg_key=f"bench-{seed}-{call}-{n}",
                template_key_value={
                    "name": rng.choice(NAMES),
                    "item": rng.choice(ITEMS),
                    "price": f"¥{rng.randrange(10, 2000)}",
                },
            )
            for n in range(per_call)
        ]
        request = PushMultipleRequest(
            app_id=APP_ID,
            workspace_id="default",
            delivery_type=3,
            expired_seconds=259200,
            task_name="bench-cart",
            template_name=TEMPLATE["name"],
            target_msg=targets,
        )
        body = form.encode(request.params()).encode("utf-8")
        headers = signed_push_multiple("127.0.0.1:8000", body)
        raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        raw.append((b"content-length", str(len(body)).encode("ascii")))
        built.append((raw, body))
    return built


async def _send(app: Any, headers: list[tuple[bytes, bytes]], body: bytes) -> dict[str, Any]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/",
        "raw_path": b"/",
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    answer: dict[str, Any] = {}
    chunks: list[bytes] = []

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    answer["body"] = json.loads(b"".join(chunks))
    return answer


def run(requests: list[Request], profile: cProfile.Profile | None = None) -> float:
    """CPU seconds per call of one fresh emulator answering ``requests``."""
    app = create_app(EmulatorConfig())
    app.state.emulator.add_template(dict(TEMPLATE))

    async def main() -> float:
        # one warm-up call outside the clock (imports, first-use caches)
        await _send(app, *requests[0])
        if profile is not None:
            profile.enable()
        start = time.process_time()
        for headers, body in requests[1:]:
            answer = await _send(app, headers, body)
            assert answer["status"] == 200, answer
            assert answer["body"]["ResultCode"] == "OK", answer
        spent = time.process_time() - start
        if profile is not None:
            profile.disable()
        return spent / (len(requests) - 1)

    return asyncio.run(main())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=60)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--per-call", type=int, default=100)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    times = []
    for number in range(args.runs):
        requests = build_requests(args.calls + 1, args.per_call, seed=number)
        times.append(run(requests))
    shown = ", ".join(f"{1000 * t:.2f}" for t in times)
    print(f"emulator CPU per PushMultiple call: min {1000 * min(times):.3f} ms ({shown})")
    if args.profile:
        profile = cProfile.Profile()
        run(build_requests(args.calls + 1, args.per_call, seed=99), profile)
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
