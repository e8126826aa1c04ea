"""Connection pools for one endpoint: a few small ones rather than one large one.

httpcore's connection pool looks at every one of its connections each time a request starts or
ends: whether it is closed, whether the server closed it (a ``poll`` of its socket when it is
idle), and, for each connection, how many are idle (a count over all of them again). The cost
per request grows with the square of the pool's connections: with 16 calls in flight it was
about a third of the CPU httpx spends on a PushMultiple call. :class:`Pools` keeps
:data:`POOLS` ``httpx.AsyncClient`` objects (sharing one TLS context) and sends each request
through the one with the fewest requests in flight, so each pool holds a quarter of the
connections and the work per request is a sixteenth.

With a ``transport`` (the in-process emulator, tests) there is one client: the transport is
the pool.
"""

from __future__ import annotations

import httpx

#: Pools of a client that reaches the network.
POOLS = 4


class Pools:
    """``httpx.AsyncClient`` objects to one endpoint; :meth:`send` picks the least busy."""

    def __init__(
        self, transport: httpx.AsyncBaseTransport | None, timeout: httpx.Timeout | float
    ) -> None:
        if transport is not None:
            self.clients = [httpx.AsyncClient(transport=transport, timeout=timeout)]
        else:
            tls = httpx.create_ssl_context()
            self.clients = [httpx.AsyncClient(verify=tls, timeout=timeout) for _ in range(POOLS)]
        self._busy = [0] * len(self.clients)

    @property
    def in_flight(self) -> list[int]:
        """Requests in flight, per pool."""
        return list(self._busy)

    @property
    def first(self) -> httpx.AsyncClient:
        """The client requests are built with (every client has the same settings)."""
        return self.clients[0]

    async def send(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` (read in full) through the pool with the fewest in flight."""
        busy = self._busy
        index = busy.index(min(busy))
        busy[index] += 1
        try:
            return await self.clients[index].send(request)
        finally:
            busy[index] -= 1

    async def aclose(self) -> None:
        for client in self.clients:
            await client.aclose()
