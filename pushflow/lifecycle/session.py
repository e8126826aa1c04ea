"""What every lifecycle command starts from: the project, its state, campaigns by name, and a
client per app.

Campaign names come from two places: the project (the campaigns in git) and the state (every
campaign ever applied, removed ones too). A name in neither is refused with the names that are
known and the closest one. What a command acts on is the *applied* revision's spec (its app),
never the working tree, as apply and the daemon do.

Reading never creates state: a SQLite state file that does not exist yet is an empty state
(nothing applied), so ``pushflow status`` in a fresh checkout writes nothing.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pushflow.connect import Client, Connection, Connections
from pushflow.errors import PushflowError, SpecError
from pushflow.ledger import Ledger, Revision, resolve
from pushflow.ledger.url import describe, is_sqlite
from pushflow.spec.check import check_project
from pushflow.spec.loader import LoadedCampaign, LoadedProject, display_path
from pushflow.spec.project import App


class UnknownCampaignError(PushflowError):
    """A campaign name that is neither in the project nor in its state."""


class NotAppliedError(PushflowError):
    """The campaign exists but there is nothing in the state to act on."""


@dataclass(frozen=True)
class CampaignRef:
    """A campaign by name: its file in the project (if still there) and its latest revision."""

    name: str
    file: str | None
    revision: Revision | None

    @property
    def app(self) -> str | None:
        if self.revision is not None:
            return str(self.revision.spec.get("app"))
        return None

    @property
    def provider(self) -> str | None:
        if self.revision is not None:
            return str(self.revision.spec.get("provider"))
        return None


class LifecycleSession:
    """The project and its state, opened for one lifecycle command."""

    def __init__(
        self,
        project: LoadedProject,
        campaigns: list[LoadedCampaign],
        ledger: Ledger | None,
        where: str,
        environ: Mapping[str, str],
        now: datetime,
    ) -> None:
        self.project = project
        self.where = where
        self.environ = environ
        self.now = now
        self._ledger = ledger
        self._files = {item.campaign.name: _relative(item.path, project.root) for item in campaigns}
        self._apps = {item.campaign.name: item.campaign.app for item in campaigns}
        self._connections = Connections(self.apps, self.project.root, self.environ)

    @property
    def has_state(self) -> bool:
        return self._ledger is not None

    @property
    def ledger(self) -> Ledger:
        if self._ledger is None:
            raise NotAppliedError(f"{self.where}: no state yet: nothing was ever applied")
        return self._ledger

    @property
    def apps(self) -> Mapping[str, App]:
        return self.project.project.apps

    def names(self) -> list[str]:
        """Every campaign in the project or in the state, by name."""
        applied = self._ledger.campaign_names() if self._ledger is not None else []
        return sorted({*self._files, *applied})

    def find(self, name: str) -> CampaignRef:
        """The campaign called ``name``; refuses a name that is neither in git nor applied."""
        revision = None
        if self._ledger is not None:
            revision = self._ledger.current_revision(name)
            if revision is None:
                every = self._ledger.revisions(name)
                revision = every[-1] if every else None
        if revision is None and name not in self._files:
            known = self.names()
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            listed = ", ".join(known) if known else "none"
            raise UnknownCampaignError(
                f"CAMPAIGN {name!r}: no campaign of that name in the project "
                f"({display_path(self.project.path)}) or in its state "
                f"({self.where}){hint} (known campaigns: {listed})"
            )
        return CampaignRef(name, self._files.get(name), revision)

    def app_in_project(self, name: str) -> str | None:
        """The app the campaign's file in the project names (None when not in the project)."""
        return self._apps.get(name)

    def applied(self, name: str) -> tuple[CampaignRef, Revision]:
        """The campaign and its latest applied revision; refuses one never applied."""
        ref = self.find(name)
        if ref.revision is None:
            raise NotAppliedError(
                f"campaign {name!r} ({ref.file}) has never been applied to {self.where}: "
                "run `pushflow apply` first"
            )
        return ref, ref.revision

    def app(self, ref: CampaignRef) -> tuple[str, App]:
        """The app the campaign was applied through, as the project configures it now."""
        name = ref.app
        if name is None or name not in self.apps:
            raise PushflowError(
                f"campaign {ref.name!r} was applied through app {name!r}, which "
                f"{display_path(self.project.path)} no longer defines (apps: "
                f"{', '.join(sorted(self.apps))})"
            )
        return name, self.apps[name]

    def connection(self, app: str) -> Connection:
        """The connection to ``app`` (Alibaba Cloud, or the sandbox emulator)."""
        return self._connections.get(app)

    def client(self, app: str) -> Client:
        return self._connections.client(app)

    def banners(self) -> list[str]:
        """One line per app a command talked to (says plainly when it was the sandbox)."""
        return self._connections.banners()

    async def aclose(self) -> None:
        await self._connections.aclose()


def _relative(path: Path, base: Path) -> str:
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)


@contextmanager
def open_session(
    project_file: Path | None,
    *,
    environ: Mapping[str, str],
    now: datetime,
    create_state: bool = False,
) -> Iterator[LifecycleSession]:
    """Load the project and open its state (created only with ``create_state``)."""
    report = check_project([], project_file=project_file, now=now)
    if report.project is None:
        raise SpecError(report.problems)
    project = report.project
    url = resolve(project.project.state, project.root, environ)
    where = describe(url)
    missing = is_sqlite(url) and not Path(str(url.database)).is_file()
    if missing and not create_state:
        yield LifecycleSession(project, report.campaigns, None, where, environ, now)
        return
    with Ledger(url) as ledger:
        yield LifecycleSession(project, report.campaigns, ledger, where, environ, now)
