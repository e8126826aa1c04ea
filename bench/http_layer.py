"""Micro-benchmark: client CPU per signed PushMultiple call, pushflow's pools against httpx.

    python bench/http_layer.py                  # 5 alternating runs of 1,000 calls each way
    python bench/http_layer.py --calls 300      # a quick run

What ``bench/apply.py`` measures end to end, cut down to the HTTP layer: the same signed
PushMultiple requests (100 ``TargetMsg`` each, ``pushflow emulator --latency 50`` over TCP, 16
in flight) sent

- **httpx**: with ``httpx.AsyncClient.post``, as the plain loop of bench/apply.py does;
- **pushflow**: with :class:`pushflow.providers.pools.Pools` (what ``RpcClient`` sends with: four
  pools, requests straight to httpx's transports, on :mod:`pushflow.providers.network`).

Every request of a run is built and signed before its clock starts (fresh nonces for each run:
the emulator refuses a nonce twice), so only sending, receiving and reading the answer are
timed: ``getrusage`` (user + sys) of this process per call, and calls/s. The two ways alternate,
run by run, and the verdict is the median of the per-run ratios: the machine is shared.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import time
from collections.abc import Awaitable, Callable

import httpx
from _common import signed_push_multiple
from apply import PER_CALL, EmulatorProcess, _push_multiple_body

from pushflow.providers.pools import Pools
from pushflow.providers.rpc import DEFAULT_TIMEOUT
from pushflow.providers.signing import form_body

Signed = tuple[bytes, dict[str, str]]


def signed_requests(url: str, calls: int, run: str) -> list[Signed]:
    host = httpx.URL(url).netloc.decode("ascii")
    built = []
    for call in range(calls):
        rows = [[f"user-{call:06d}{n:04d}", "Anna", "tea set", "¥120"] for n in range(PER_CALL)]
        content = form_body(_push_multiple_body(rows, run, call * PER_CALL)).encode()
        headers = signed_push_multiple(host, content)
        built.append((content, headers))
    return built


async def send_all(
    requests: list[Signed], send: Callable[[bytes, dict[str, str]], Awaitable[httpx.Response]]
) -> None:
    slots = asyncio.Semaphore(16)

    async def one(content: bytes, headers: dict[str, str]) -> None:
        try:
            response = await send(content, headers)
            assert response.status_code == 200, response.text
            assert response.json()["ResultCode"] == "OK", response.text
        finally:
            slots.release()

    tasks = []
    for content, headers in requests:
        await slots.acquire()
        tasks.append(asyncio.create_task(one(content, headers)))
    await asyncio.gather(*tasks)


async def with_httpx(url: str, requests: list[Signed]) -> None:
    async with httpx.AsyncClient(timeout=DEFAULT_TIMEOUT) as client:
        await send_all(
            requests, lambda body, headers: client.post(url, content=body, headers=headers)
        )


async def with_pushflow(url: str, requests: list[Signed]) -> None:
    pools = Pools(None, DEFAULT_TIMEOUT)
    timeout = DEFAULT_TIMEOUT.as_dict()

    def send(body: bytes, headers: dict[str, str]) -> Awaitable[httpx.Response]:
        request = httpx.Request(
            "POST", url, headers=headers, content=body, extensions={"timeout": timeout}
        )
        return pools.send(request)

    try:
        await send_all(requests, send)
    finally:
        await pools.aclose()


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000, help="calls per run")
    parser.add_argument("--runs", type=int, default=5, help="runs each way (alternating)")
    parser.add_argument("--latency", type=int, default=50, help="emulator latency, ms")
    args = parser.parse_args()
    emulator = EmulatorProcess(args.latency)
    url = emulator.url + "/"
    ways = {"httpx": with_httpx, "pushflow": with_pushflow}
    print(
        f"{args.calls:,} signed PushMultiple calls of {PER_CALL} a run, 16 in flight, "
        f"emulator on {emulator.url} with {args.latency} ms latency\n"
    )
    ratios: list[tuple[float, float]] = []
    try:
        for number in range(args.runs):
            order = ("httpx", "pushflow") if number % 2 == 0 else ("pushflow", "httpx")
            got = {}
            for name in order:
                requests = signed_requests(url, args.calls, f"{name}{number}")
                emulator.reset()
                used, start = cpu(), time.perf_counter()
                asyncio.run(ways[name](url, requests))
                seconds, used = time.perf_counter() - start, cpu() - used
                got[name] = (args.calls / seconds, 1000 * used / args.calls)
                print(
                    f"  {name:9} {args.calls:6,} calls {seconds:6.2f} s "
                    f"{got[name][0]:8.1f} calls/s   client CPU {got[name][1]:5.2f} ms/call"
                )
            ratio = (got["pushflow"][0] / got["httpx"][0], got["pushflow"][1] / got["httpx"][1])
            ratios.append(ratio)
            print(f"  run {number + 1}: calls/s x{ratio[0]:.2f}, CPU/call x{ratio[1]:.2f}\n")
    finally:
        emulator.close()
    speed = statistics.median(ratio[0] for ratio in ratios)
    work = statistics.median(ratio[1] for ratio in ratios)
    print(
        f"  median of {len(ratios)} runs: calls/s x{speed:.2f}, "
        f"CPU/call x{work:.2f} (pushflow / httpx)"
    )


if __name__ == "__main__":
    main()
