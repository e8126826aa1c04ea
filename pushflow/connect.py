"""From an app in ``pushflow.yaml`` to a provider client: Alibaba Cloud, or the sandbox.

The rule, in order:

1. ``PUSHFLOW_SANDBOX=1`` → the embedded emulator, whatever else is configured;
2. the app names an ``endpoint`` → that endpoint, credentials from the standard chain (point it
   at ``pushflow emulator`` with the emulator's key pair in the environment to test over TCP);
3. credentials are configured (:func:`~pushflow.providers.credentials_configured`) → the app's
   regional endpoint on Alibaba Cloud;
4. otherwise → the embedded emulator: the same ASGI app ``pushflow emulator`` serves, called
   in-process through ``httpx.ASGITransport``, its state in ``.pushflow/emulator.db`` under the
   project, so a newcomer can try everything with no account and nothing leaves the machine.

Every command that sends prints :attr:`Connection.banner`, which says plainly when nothing
reaches Alibaba Cloud. ``PUSHFLOW_TIMEOUT`` (seconds) sets how long a client waits for an answer
(default 10; the embedded emulator answers in process, where no timeout applies).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from pushflow.emulator import (
    DEFAULT_ACCESS_KEY_ID,
    DEFAULT_ACCESS_KEY_SECRET,
    Emulator,
    EmulatorConfig,
    create_app,
)
from pushflow.errors import UsageError
from pushflow.providers import (
    Credentials,
    DefaultChain,
    EmasClient,
    MpaasClient,
    credentials_configured,
)
from pushflow.providers.emas import DEFAULT_ENDPOINT as DEFAULT_EMAS_ENDPOINT
from pushflow.providers.rpc import DEFAULT_TIMEOUT
from pushflow.spec.project import App, EmasApp

STATE_DIR = ".pushflow"
SANDBOX_DB = "emulator.db"
SANDBOX_ENV = "PUSHFLOW_SANDBOX"
TIMEOUT_ENV = "PUSHFLOW_TIMEOUT"

Client = MpaasClient | EmasClient


@dataclass
class Connection:
    """A client for one app, and whether it talks to the sandbox."""

    app_name: str
    client: Client
    sandbox: bool
    target: str
    emulator: Emulator | None = None

    @property
    def banner(self) -> str:
        if self.sandbox:
            return (
                f"SANDBOX: app {self.app_name} is served by pushflow's embedded emulator "
                f"({self.target}); nothing reaches Alibaba Cloud."
            )
        return f"app {self.app_name}: {self.target}"

    async def aclose(self) -> None:
        await self.client.aclose()
        if self.emulator is not None:
            self.emulator.close()


def use_sandbox(app: App, env: Mapping[str, str], home: Path | None = None) -> bool:
    """Whether ``app`` is served by the embedded emulator (rules 1–4 above)."""
    if env.get(SANDBOX_ENV, "").strip().lower() in ("1", "true", "yes"):
        return True
    if app.endpoint is not None:
        return False
    return not credentials_configured(env, home)


def client_timeout(env: Mapping[str, str]) -> httpx.Timeout:
    """How long a client waits for an answer: ``PUSHFLOW_TIMEOUT`` seconds, else 10."""
    raw = env.get(TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(raw)
    except ValueError:
        seconds = 0.0
    if not seconds > 0:
        raise UsageError(f"{TIMEOUT_ENV}={raw!r}: expected a number of seconds greater than 0")
    return httpx.Timeout(seconds, connect=min(seconds, 5.0))


def connect(
    name: str,
    app: App,
    *,
    root: Path,
    env: Mapping[str, str] | None = None,
    home: Path | None = None,
) -> Connection:
    """A client for the app called ``name`` of the project at ``root``."""
    env = os.environ if env is None else env
    client_type: type[Client] = EmasClient if isinstance(app, EmasApp) else MpaasClient
    if use_sandbox(app, env, home):
        db = root / STATE_DIR / SANDBOX_DB
        db.parent.mkdir(parents=True, exist_ok=True)
        asgi = create_app(EmulatorConfig(db_path=db))
        client = client_type(
            endpoint="http://emulator.invalid",
            credentials=Credentials(DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET),
            transport=httpx.ASGITransport(app=asgi),
        )
        shown = os.path.relpath(db, Path.cwd()) if db.is_relative_to(Path.cwd()) else str(db)
        return Connection(name, client, True, f"state in {shown}", asgi.state.emulator)
    endpoint = str(app.endpoint) if app.endpoint is not None else None
    timeout = client_timeout(env)
    if isinstance(app, EmasApp):
        emas = EmasClient(
            credentials=DefaultChain(env),
            endpoint=endpoint or DEFAULT_EMAS_ENDPOINT,
            timeout=timeout,
        )
        return Connection(name, emas, False, str(emas.url))
    mpaas = MpaasClient(
        region=app.region, credentials=DefaultChain(env), endpoint=endpoint, timeout=timeout
    )
    return Connection(name, mpaas, False, str(mpaas.url))


class Connections:
    """A connection per app of a project, each opened on first use, closed together."""

    def __init__(self, apps: Mapping[str, App], root: Path, env: Mapping[str, str]) -> None:
        self._apps = apps
        self._root = root
        self._env = env
        self._open: dict[str, Connection] = {}
        self._banners: dict[str, str] = {}

    def get(self, app: str) -> Connection:
        """The connection to ``app`` (Alibaba Cloud, or the sandbox emulator)."""
        if app not in self._open:
            connection = connect(app, self._apps[app], root=self._root, env=self._env)
            self._open[app] = connection
            self._banners[app] = connection.banner
        return self._open[app]

    def client(self, app: str) -> Client:
        return self.get(app).client

    def banners(self) -> list[str]:
        """One line per app talked to, closed since or not (saying plainly when it was the
        sandbox)."""
        return list(self._banners.values())

    async def aclose(self) -> None:
        opened, self._open = self._open, {}
        for connection in opened.values():
            await connection.aclose()
