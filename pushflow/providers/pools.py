"""Connection pools for one endpoint: a few small ones rather than one large one.

httpcore's connection pool looks at every one of its connections each time a request starts or
ends: whether it is closed, whether the server closed it (a ``poll`` of its socket when it is
idle), and, for each connection, how many are idle (a count over all of them again). The cost
per request grows with the square of the pool's connections: with 16 calls in flight it was
about a third of the CPU httpx spends on a PushMultiple call. :class:`Pools` keeps
:data:`POOLS` transports (sharing one TLS context) and sends each request through the one with
the fewest requests in flight, so each pool holds a quarter of the connections and the work per
request is a sixteenth.

A request goes to the transport itself (:func:`exchange`), not through ``httpx.AsyncClient``:
what the client adds (cookies kept from each response, auth and redirect flows, event hooks) is
nothing pushflow uses. The transports run on asyncio's own streams (:mod:`.network`);
bench/http_layer.py measures the two together against ``httpx.AsyncClient``. When the
environment names a proxy (``HTTPS_PROXY``, ``ALL_PROXY``…), httpx's clients send instead, as
before: httpx decides which requests take it and how (``NO_PROXY``), on its own network layer.

With a ``transport`` (the in-process emulator, tests) there is one pool: the transport.
"""

from __future__ import annotations

import logging
import urllib.request

import httpx

from pushflow.providers.network import Transport

logger = logging.getLogger(__name__)

#: Pools of a client that reaches the network.
POOLS = 4


def proxied() -> bool:
    """Whether the environment names a proxy for httpx (its own test: ``http``, ``https`` or
    ``all`` in :func:`urllib.request.getproxies`)."""
    found = urllib.request.getproxies()
    return any(found.get(scheme) for scheme in ("http", "https", "all"))


class Pools:
    """Transports to one endpoint; :meth:`send` picks the least busy."""

    def __init__(
        self, transport: httpx.AsyncBaseTransport | None, timeout: httpx.Timeout | float
    ) -> None:
        self._clients: list[httpx.AsyncClient] = []
        #: The transports requests go to, each closed with the pools (a ``transport`` given
        #: too, as httpx's client closes its own).
        self._transports: list[httpx.AsyncBaseTransport] = []
        if transport is not None:
            self._transports = [transport]
        else:
            tls = httpx.create_ssl_context()
            if proxied():
                self._clients = [
                    httpx.AsyncClient(verify=tls, timeout=timeout) for _ in range(POOLS)
                ]
            else:
                self._transports = [Transport(tls) for _ in range(POOLS)]
        self._busy = [0] * len(self._clients or self._transports)

    @property
    def size(self) -> int:
        """How many pools."""
        return len(self._busy)

    @property
    def in_flight(self) -> list[int]:
        """Requests in flight, per pool."""
        return list(self._busy)

    async def send(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` (read in full) through the pool with the fewest in flight."""
        busy = self._busy
        index = busy.index(min(busy))
        busy[index] += 1
        try:
            if self._clients:
                return await self._clients[index].send(request)
            return await exchange(self._transports[index], request)
        finally:
            busy[index] -= 1

    async def aclose(self) -> None:
        for client in self._clients:
            await client.aclose()
        for transport in self._transports:
            await transport.aclose()


async def exchange(transport: httpx.AsyncBaseTransport, request: httpx.Request) -> httpx.Response:
    """``request`` through ``transport``, the answer read in full: what
    ``httpx.AsyncClient.send`` does for it when the client has no cookies, auth, redirects to
    follow or event hooks. The timeouts are the request's own
    (:meth:`~pushflow.providers.rpc.RpcClient.build_request` sets them).
    Each exchange is logged at DEBUG, in the line httpx's client logs at INFO."""
    response = await transport.handle_async_request(request)
    response.request = request
    try:
        await response.aread()
    finally:
        await response.aclose()
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            'HTTP Request: %s %s "%s %d %s"',
            request.method,
            request.url,
            response.http_version,
            response.status_code,
            response.reason_phrase,
        )
    return response
