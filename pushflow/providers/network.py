"""httpcore's network layer on asyncio's own streams, for the calls pushflow makes.

httpx reaches the network through httpcore, and httpcore's network layer on asyncio is anyio's.
Each read and each write opens an anyio cancel scope for its timeout and asks sniffio which
event loop runs; each time a request starts or ends, the pool asks every idle connection whether
its server closed it, and anyio answers that through a dictionary of its socket's attributes
built for every question (a ``getpeername`` call among them). On the apply benchmark that came to
about a quarter of the instructions of a PushMultiple call.

:class:`AsyncioBackend` is the same layer on :func:`asyncio.open_connection`, with
:func:`asyncio.timeout` for the timeouts: pushflow runs only on asyncio. It keeps httpcore's
contract (the errors it raises, TLS started on a connected stream, ``get_extra_info``), so httpx
and httpcore above it are unchanged: pooling, keep-alive, HTTP/1.1 parsing, TLS verification,
the mapping to httpx's exceptions. :class:`Transport` is :class:`httpx.AsyncHTTPTransport` with
its pool on this backend.
"""

from __future__ import annotations

import asyncio
import select
import ssl
from asyncio.trsock import TransportSocket
from collections.abc import Awaitable, Iterable
from typing import Any

import httpcore
import httpx

#: httpx's own defaults for a client's pool (``httpx.AsyncClient()``), stated here because
#: :class:`Transport` builds its pool itself.
LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)
#: anyio's delay between connection attempts to a host's addresses (RFC 8305), kept.
HAPPY_EYEBALLS_DELAY = 0.25


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One connection: an :class:`asyncio.StreamReader` and its writer."""

    __slots__ = ("_reader", "_socket", "_writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        # The TCP socket (asyncio's wrapper of it), also under TLS: asyncio's TLS runs over the
        # same socket's transport.
        self._socket: TransportSocket | None = writer.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        """Up to ``max_bytes`` bytes; ``b""`` once the server has closed its side."""
        try:
            async with asyncio.timeout(timeout):
                return await self._reader.read(max_bytes)
        except TimeoutError as exc:
            raise httpcore.ReadTimeout(exc) from exc
        except OSError as exc:
            raise httpcore.ReadError(exc) from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        writer = self._writer
        try:
            if writer.transport.is_closing():
                raise ConnectionResetError("the connection is closed")
            writer.write(buffer)
            async with asyncio.timeout(timeout):
                await writer.drain()
        except TimeoutError as exc:
            raise httpcore.WriteTimeout(exc) from exc
        except OSError as exc:
            raise httpcore.WriteError(exc) from exc

    async def aclose(self) -> None:
        """Close at once, as anyio does under httpcore: no TLS ``close_notify`` is waited for
        (httpcore closes a connection it will not use again, often on a cancelled call)."""
        transport = self._writer.transport
        transport.close()  # a TCP connection with nothing left to send ends here, with a FIN
        transport.abort()  # TLS, or bytes still buffered: dropped, the socket closed

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """TLS over this connection (the same reader and writer go on, encrypted)."""
        try:
            async with asyncio.timeout(timeout):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError as exc:
            await self.aclose()
            raise httpcore.ConnectTimeout(exc) from exc
        except OSError as exc:  # ssl.SSLError (a certificate refused) is an OSError
            await self.aclose()
            raise httpcore.ConnectError(exc) from exc
        return self

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":
            return self._closed_by_server()
        if info == "socket":
            return self._socket
        if info == "ssl_object":
            return self._writer.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._writer.get_extra_info("sockname")
        if info == "server_addr":
            return self._writer.get_extra_info("peername")
        return None

    def _closed_by_server(self) -> bool:
        """Whether an idle connection has something to read, which for HTTP/1.1 means the
        server closed it (or broke the protocol): httpcore then opens a new one.

        asyncio reads a connection as data comes, so what the server sent (bytes, or its end)
        may already be in the reader rather than waiting in the socket: both are looked at.
        """
        reader = self._reader
        if reader.at_eof() or reader.exception() is not None:
            return True
        if self._writer.transport.is_closing():
            return True
        # Bytes nobody asked for, already read; StreamReader has no public way to ask.
        if getattr(reader, "_buffer", None):
            return True
        return _socket_readable(self._socket)


def _socket_readable(sock: TransportSocket | None) -> bool:
    """httpcore's own test: a closed socket counts as readable."""
    if sock is None or sock.fileno() < 0:
        return True
    poll = select.poll()
    poll.register(sock.fileno(), select.POLLIN)
    return bool(poll.poll(0))


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend on asyncio's streams (see the module's documentation)."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        # asyncio sets TCP_NODELAY on TCP sockets itself, as anyio does.
        opening = asyncio.open_connection(
            host,
            port,
            local_addr=(local_address, 0) if local_address else None,
            happy_eyeballs_delay=HAPPY_EYEBALLS_DELAY,
        )
        return await _connected(opening, timeout, socket_options)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        opening = asyncio.open_unix_connection(path)
        return await _connected(opening, timeout, socket_options)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


async def _connected(
    opening: Awaitable[tuple[asyncio.StreamReader, asyncio.StreamWriter]],
    timeout: float | None,
    options: Iterable[Any] | None,
) -> AsyncioStream:
    """The stream ``opening`` makes within ``timeout`` (httpcore's errors if it does not), with
    the socket ``options`` set."""
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await opening
    except TimeoutError as exc:
        raise httpcore.ConnectTimeout(exc) from exc
    except OSError as exc:
        raise httpcore.ConnectError(exc) from exc
    stream = AsyncioStream(reader, writer)
    sock = stream.get_extra_info("socket")
    for option in options or ():
        sock.setsockopt(*option)
    return stream


class Transport(httpx.AsyncHTTPTransport):
    """:class:`httpx.AsyncHTTPTransport` (HTTP/1.1, ``ssl_context`` verifying) whose pool runs
    on :class:`AsyncioBackend`."""

    def __init__(self, ssl_context: ssl.SSLContext, limits: httpx.Limits = LIMITS) -> None:
        super().__init__(verify=ssl_context, limits=limits)
        # httpx builds its pool on httpcore's default backend and takes no other: the same
        # pool, built again on this one. tests/providers/test_network.py checks it is used.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=AsyncioBackend(),
        )
