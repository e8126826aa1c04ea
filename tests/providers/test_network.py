"""pushflow's own network layer under httpx (``pushflow.providers.network``), against real sockets
on 127.0.0.1: plain TCP and TLS servers written here, so each test decides what the server does
(answer, close, stall, present a certificate)."""

from __future__ import annotations

import asyncio
import hashlib
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpcore
import httpx
import pytest
import trustme

from pushflow.emulator import EmulatorConfig
from pushflow.providers import network
from pushflow.providers.errors import TransportError
from pushflow.providers.mpaas import MpaasClient
from pushflow.providers.network import AsyncioBackend, AsyncioStream, Transport
from pushflow.providers.pools import Pools, exchange, proxied
from tests.emulator.conftest import serving
from tests.providers.test_pools import CREDS, REQUEST

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def server(handler: Handler, tls: ssl.SSLContext | None = None) -> AsyncIterator[int]:
    """An asyncio server on 127.0.0.1 running ``handler`` per connection; yields its port."""
    tasks: set[asyncio.Task[None]] = set()

    async def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        tasks.add(task)
        try:
            await handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            pass
        finally:
            writer.close()

    listening = await asyncio.start_server(connected, "127.0.0.1", 0, ssl=tls)
    try:
        yield listening.sockets[0].getsockname()[1]
    finally:
        listening.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def read_request(reader: asyncio.StreamReader) -> bytes:
    """One HTTP/1.1 request's body (the request is read to its end)."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return await reader.readexactly(length)


def answer(body: bytes, *, close: bool = False) -> bytes:
    extra = b"Connection: close\r\n" if close else b""
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
        + b"Content-Length: %d\r\n" % len(body)
        + extra
        + b"\r\n"
        + body
    )


def post(url: str, body: bytes = b"ping", timeout: float = 5) -> httpx.Request:
    return httpx.Request(
        "POST", url, content=body, extensions={"timeout": httpx.Timeout(timeout).as_dict()}
    )


def echo_sha256(connections: list[int]) -> Handler:
    """Answers each request on a connection with the SHA-256 of its body, keeping it open."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        while True:
            body = await read_request(reader)
            writer.write(answer(hashlib.sha256(body).hexdigest().encode()))
            await writer.drain()

    return handle


@pytest.fixture
def transport() -> Transport:
    return Transport(httpx.create_ssl_context())


@pytest.mark.anyio
async def test_requests_go_over_one_kept_alive_connection(transport: Transport) -> None:
    connections: list[int] = []
    async with server(echo_sha256(connections)) as port:
        for body in (b"one", b"two", b"three"):
            response = await exchange(transport, post(f"http://127.0.0.1:{port}/", body))
            assert response.status_code == 200
            assert response.text == hashlib.sha256(body).hexdigest()
            assert response.request.content == body
        await transport.aclose()
    assert len(connections) == 1


@pytest.mark.anyio
async def test_a_body_larger_than_the_socket_buffers_is_sent_whole(transport: Transport) -> None:
    body = bytes(range(256)) * (8 * 4096)  # 8 MiB: the writer has to wait for the reader
    async with server(echo_sha256([])) as port:
        response = await exchange(transport, post(f"http://127.0.0.1:{port}/", body, 30))
        await transport.aclose()
    assert response.text == hashlib.sha256(body).hexdigest()


@pytest.mark.anyio
async def test_a_connection_the_server_closed_while_idle_is_not_used_again(
    transport: Transport,
) -> None:
    """The server answers and then closes the connection without saying so (no ``Connection:
    close``). The next request must go over a new connection: sent over the old one, it would
    find the server gone before any answer."""
    connections: list[int] = []

    async def answer_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        await read_request(reader)
        writer.write(answer(b"ok"))
        await writer.drain()

    async with server(answer_once) as port:
        for _ in range(3):
            response = await exchange(transport, post(f"http://127.0.0.1:{port}/"))
            assert response.text == "ok"
            await asyncio.sleep(0.05)  # the server's end reaches the client
        await transport.aclose()
    assert len(connections) == 3


@pytest.mark.anyio
async def test_connection_close_answers_are_honoured(transport: Transport) -> None:
    connections: list[int] = []

    async def close_after(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        await read_request(reader)
        writer.write(answer(b"bye", close=True))
        await writer.drain()

    async with server(close_after) as port:
        for _ in range(2):
            response = await exchange(transport, post(f"http://127.0.0.1:{port}/"))
            assert response.text == "bye"
        await transport.aclose()
    assert len(connections) == 2


@pytest.mark.anyio
async def test_no_answer_within_the_read_timeout_is_a_read_timeout(transport: Transport) -> None:
    async def stall(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        await asyncio.sleep(30)

    async with server(stall) as port:
        with pytest.raises(httpx.ReadTimeout):
            await exchange(transport, post(f"http://127.0.0.1:{port}/", timeout=0.2))
        await transport.aclose()


@pytest.mark.anyio
async def test_a_refused_connection_is_a_connect_error(transport: Transport) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens once it is closed
    with pytest.raises(httpx.ConnectError, match=r"127\.0\.0\.1"):
        await exchange(transport, post(f"http://127.0.0.1:{port}/"))
    await transport.aclose()


@pytest.mark.anyio
async def test_a_connection_not_made_within_the_timeout_is_a_connect_timeout(
    transport: Transport, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def never(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(30)

    monkeypatch.setattr(network.asyncio, "open_connection", never)
    request = post("http://127.0.0.1:9/")
    request.extensions["timeout"] = httpx.Timeout(5, connect=0.1).as_dict()
    with pytest.raises(httpx.ConnectTimeout):
        await exchange(transport, request)
    await transport.aclose()


@pytest.mark.anyio
async def test_service_errors_keep_their_kind_through_the_client() -> None:
    """What :class:`RpcClient` makes of the network layer's errors: ``TransportError`` with
    httpx's name of the failure, as before the layer was pushflow's."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with MpaasClient(endpoint=f"http://127.0.0.1:{port}", credentials=CREDS) as client:
        with pytest.raises(TransportError) as caught:
            await client.push_simple(REQUEST)
    assert caught.value.code == "ConnectError"
    assert caught.value.retryable


# --- TLS -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


def tls_server(authority: trustme.CA, *names: str) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert(*names).configure_cert(context)
    return context


def trusting(authority: trustme.CA) -> ssl.SSLContext:
    context = httpx.create_ssl_context()
    authority.configure_trust(context)
    return context


@pytest.mark.anyio
async def test_https_with_a_trusted_certificate(authority: trustme.CA) -> None:
    connections: list[int] = []
    transport = Transport(trusting(authority))
    async with server(echo_sha256(connections), tls_server(authority, "localhost")) as port:
        for body in (b"secret-free", b"twice"):
            response = await exchange(transport, post(f"https://localhost:{port}/", body))
            assert response.text == hashlib.sha256(body).hexdigest()
        await transport.aclose()
    assert len(connections) == 1


@pytest.mark.anyio
async def test_https_refuses_a_certificate_it_does_not_trust(authority: trustme.CA) -> None:
    transport = Transport(httpx.create_ssl_context())  # the public roots only
    async with server(echo_sha256([]), tls_server(authority, "localhost")) as port:
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            await exchange(transport, post(f"https://localhost:{port}/"))
        await transport.aclose()


@pytest.mark.anyio
async def test_https_refuses_a_certificate_for_another_host(authority: trustme.CA) -> None:
    transport = Transport(trusting(authority))
    async with server(echo_sha256([]), tls_server(authority, "push.example.test")) as port:
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            await exchange(transport, post(f"https://localhost:{port}/"))
        await transport.aclose()


# --- the stream itself ---------------------------------------------------------------------


@asynccontextmanager
async def stream_pair() -> AsyncIterator[tuple[AsyncioStream, socket.socket]]:
    """An :class:`AsyncioStream` over one end of a socket pair; the other end, blocking."""
    ours, theirs = socket.socketpair()
    reader, writer = await asyncio.open_connection(sock=ours)
    stream = AsyncioStream(reader, writer)
    try:
        yield stream, theirs
    finally:
        await stream.aclose()
        theirs.close()


@pytest.mark.anyio
async def test_an_idle_stream_is_readable_once_the_peer_has_closed_or_sent() -> None:
    async with stream_pair() as (stream, peer):
        assert stream.get_extra_info("is_readable") is False
        peer.sendall(b"unexpected")
        await asyncio.sleep(0.01)
        assert stream.get_extra_info("is_readable") is True
    async with stream_pair() as (stream, peer):
        peer.shutdown(socket.SHUT_WR)
        await asyncio.sleep(0.01)
        assert stream.get_extra_info("is_readable") is True
        assert await stream.read(100) == b""


@pytest.mark.anyio
async def test_a_closed_stream_reads_nothing_and_refuses_writes() -> None:
    async with stream_pair() as (stream, peer):
        await stream.write(b"hello")
        assert peer.recv(5) == b"hello"
        await stream.aclose()
        assert stream.get_extra_info("is_readable") is True
        with pytest.raises(httpcore.WriteError):
            await stream.write(b"more")


@pytest.mark.anyio
async def test_the_stream_names_its_socket_and_ends() -> None:
    async with stream_pair() as (stream, _):
        sock = stream.get_extra_info("socket")
        assert sock.fileno() >= 0
        assert stream.get_extra_info("client_addr") == sock.getsockname()
        assert stream.get_extra_info("server_addr") == sock.getpeername()
        assert stream.get_extra_info("ssl_object") is None
        assert stream.get_extra_info("something else") is None


# --- the pools use it ----------------------------------------------------------------------


@pytest.mark.anyio
async def test_the_service_clients_reach_the_network_through_this_layer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A call to the emulator over TCP opens its connection with :class:`AsyncioBackend` (if
    httpx ever stopped building its transport's pool where :class:`Transport` replaces it,
    this would fail rather than silently fall back to anyio)."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    opened: list[tuple[str, int]] = []
    connect = AsyncioBackend.connect_tcp

    async def counting(self: AsyncioBackend, host: str, port: int, **kwargs: Any) -> Any:
        opened.append((host, port))
        return await connect(self, host, port, **kwargs)

    monkeypatch.setattr(AsyncioBackend, "connect_tcp", counting)
    with serving(EmulatorConfig(), stop_wait=2) as (port, _):
        url = f"http://127.0.0.1:{port}"
        async with MpaasClient(endpoint=url, credentials=CREDS) as client:
            for _ in range(2):
                assert (await client.push_simple(REQUEST)).result_code == "OK"
    assert opened == [("127.0.0.1", port)]  # and kept alive for the second call


def test_a_proxy_in_the_environment_sends_through_httpx_clients(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "localhost")
    assert not proxied()
    assert Pools(None, 5)._clients == []
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    assert proxied()
    pools = Pools(None, 5)
    assert len(pools._clients) == pools.size == 4
