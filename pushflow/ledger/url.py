"""Where the state lives: a SQLite file in the project, or a database URL.

The project file's ``state:`` is either a path (relative to the project root; the default
``.pushflow/state.db`` puts the SQLite file under ``.pushflow/``) or a URL. The environment
variable ``PUSHFLOW_STATE_URL`` overrides it, so CI can point every job at one shared PostgreSQL
without editing the project. URLs are normalised to the drivers pushflow ships with::

    .pushflow/state.db                   -> sqlite+pysqlite:////abs/project/.pushflow/state.db
    sqlite:///x.db                       -> sqlite+pysqlite:///x.db
    postgresql://u:p@host/db             -> postgresql+psycopg://u:p@host/db
    postgres://… , postgresql+psycopg2://… -> postgresql+psycopg://…

Use :func:`describe` for any text a user sees: it masks the password.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from pushflow.ledger.errors import StateLocationError

ENV_VAR = "PUSHFLOW_STATE_URL"
DEFAULT_STATE = ".pushflow/state.db"

_POSTGRES = {"postgresql", "postgres", "postgresql+psycopg", "postgresql+psycopg2"}
_SQLITE = {"sqlite", "sqlite+pysqlite"}


def resolve(
    state: str = DEFAULT_STATE,
    project_root: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> URL:
    """The database URL for a project's ``state:`` setting (``PUSHFLOW_STATE_URL`` wins)."""
    env = os.environ if environ is None else environ
    override = env.get(ENV_VAR, "").strip()
    if override:
        return normalise(override, project_root, source=ENV_VAR)
    return normalise(state, project_root, source="state")


def normalise(location: str, project_root: Path | None = None, *, source: str = "state") -> URL:
    """Turn a path or URL into a URL with pushflow's driver (psycopg 3 or pysqlite)."""
    if "://" not in location:
        return _sqlite_file(Path(location), project_root)
    try:
        url = make_url(location)
    except ArgumentError as exc:
        raise StateLocationError(f"{source}: not a database URL: {_mask(location)}") from exc
    if url.drivername in _POSTGRES:
        if not url.database:
            raise StateLocationError(f"{source}: {describe(url)} names no database")
        return url.set(drivername="postgresql+psycopg")
    if url.drivername in _SQLITE:
        if not url.database or url.database == ":memory:":
            raise StateLocationError(
                f"{source}: {describe(url)}: an in-memory SQLite state would forget every send"
            )
        return _sqlite_file(Path(url.database), project_root)
    raise StateLocationError(
        f"{source}: unsupported database {url.drivername!r} in {describe(url)} "
        "(expected a SQLite path, sqlite:///… or postgresql://…)"
    )


def describe(url: URL | str) -> str:
    """The URL as it may be shown to a user: password masked."""
    if isinstance(url, str):
        return _mask(url)
    return url.render_as_string(hide_password=True)


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def _sqlite_file(path: Path, project_root: Path | None) -> URL:
    if not path.is_absolute():
        path = (project_root or Path.cwd()) / path
    return URL.create("sqlite+pysqlite", database=str(path.resolve()))


def _mask(text: str) -> str:
    try:
        return make_url(text).render_as_string(hide_password=True)
    except ArgumentError:
        scheme, _, rest = text.partition("://")
        return f"{scheme}://***@{rest.rpartition('@')[2]}" if "@" in rest else text
