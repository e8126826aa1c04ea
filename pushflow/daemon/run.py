"""``pushflow daemon`` as one call: load the project, open the state, run until signalled."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL

from pushflow.daemon import logs, signals
from pushflow.daemon.service import Daemon, DaemonOptions
from pushflow.ledger import Ledger, resolve
from pushflow.ledger.url import normalise
from pushflow.spec.loader import LoadedProject, find_project, load_project


def open_project(project_file: Path | None) -> LoadedProject:
    """The project (apps, rate limits, root): from the working tree, unlike the campaigns."""
    return load_project(project_file or find_project(Path.cwd()), now=datetime.now(UTC))


def state_url(project: LoadedProject, state: str | None, environ: Mapping[str, str]) -> URL:
    """``--state`` if given, else the project's ``state:`` (``PUSHFLOW_STATE_URL`` wins)."""
    if state:
        return normalise(state, project.root, source="--state")
    return resolve(project.project.state, project.root, environ)


def serve(
    project_file: Path | None,
    state: str | None,
    options: DaemonOptions,
    *,
    log_level: int = logging.INFO,
) -> None:
    """Run a daemon until SIGTERM/SIGINT."""
    logs.configure(log_level)
    project = open_project(project_file)
    url = state_url(project, state, options.environ)
    with Ledger(url) as ledger:
        daemon = Daemon(project, ledger, options)

        async def main() -> None:
            loop = asyncio.get_running_loop()
            signals.install(loop, daemon.stop, daemon.force)
            try:
                await daemon.run()
            finally:
                signals.uninstall(loop)

        asyncio.run(main())
