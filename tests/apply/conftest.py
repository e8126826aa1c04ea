"""Apply test fixtures: the example campaigns prepared as apply sees them, and the emulator.

``prepare`` runs the stages before apply on a project (validate, read the audience, route, the
next occurrence, render); ``Example.calls`` then builds the calls. ``Emulator`` is the in-process
emulator (``httpx.ASGITransport``) with both providers' clients, the example templates
registered and its clock moved through its control API.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from pushflow.apply import Call, calls_for, continuous_message, with_message_id
from pushflow.apply.calls import Campaign
from pushflow.audience import Row, open_audience
from pushflow.emulator import (
    DEFAULT_ACCESS_KEY_ID,
    DEFAULT_ACCESS_KEY_SECRET,
    Emulator,
    EmulatorConfig,
    create_app,
)
from pushflow.plan.build import platforms
from pushflow.plan.compile import plan_occurrences
from pushflow.plan.model import Execute
from pushflow.plan.routes import Route, route
from pushflow.providers import Credentials, EmasClient, MpaasClient
from pushflow.providers import emas_models as em
from pushflow.providers import mpaas_models as mp
from pushflow.render import RenderedMessage, renderer_for
from pushflow.spec.check import check_project
from pushflow.spec.message import MpaasTemplateMessage
from pushflow.spec.project import App
from pushflow.timing import Occurrence
from tests.conftest import NOW

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(path.stem for path in (ROOT / "campaigns").glob("*.yaml"))
CREDENTIALS = Credentials(DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET)
#: Templates of the examples that keep no local copy (``template_text``) in the campaign.
CONSOLE_TEMPLATES = {"morning_briefing": {"title": "Good morning", "content": "#headline#"}}


@dataclass
class Example:
    """A campaign as apply receives it: its next occurrence, route, targets and messages."""

    campaign: Campaign
    app: App
    occurrence: Occurrence
    execute: Execute
    route: Route
    rows: list[Row] | None
    messages: list[RenderedMessage]
    platforms: tuple[str | None, ...]

    def calls(self, platform: str | None = None) -> list[Call]:
        return calls_for(
            self.campaign,
            app=self.app,
            occurrence=self.occurrence,
            execute=self.execute,
            route=self.route,
            rows=self.rows,
            messages=self.messages,
            platform=platform,
        )

    def stored(self, platform: str | None = None) -> Call:
        return continuous_message(
            self.campaign,
            app=self.app,
            occurrence=self.occurrence,
            execute=self.execute,
            message=self.messages[0],
            platform=platform,
        )

    @property
    def sent_at(self) -> datetime:
        """When apply sends: now, or at the occurrence when the daemon fires it."""
        return self.occurrence.instant if self.execute == "local" else NOW


def prepare(project_file: Path, workdir: Path) -> dict[str, Example]:
    """Every campaign of the project, by file name (without ``.yaml``)."""
    report = check_project([], project_file=project_file, now=NOW)
    assert report.ok, "\n".join(map(str, report.errors))
    project = report.project
    assert project is not None
    examples = {}
    for loaded in report.campaigns:
        campaign = loaded.campaign
        renderer = renderer_for(campaign, loaded.document.locate)
        with open_audience(loaded, project.root, workdir=workdir) as audience:
            rows = list(audience.rows()) if audience.listed else None
            zones = list(audience.summary.zones or ())
        listed, following, execute = plan_occurrences(
            campaign, now=NOW, horizon=timedelta(7), zones=zones
        )
        assert following is not None, campaign.name
        # A server loop is one send, keyed by the loop (plan_occurrences lists it so).
        occurrence = listed[0] if execute == "server" else following
        if rows is not None and renderer.is_per_target:
            messages = [renderer.render(row, following.local) for row in rows]
        else:
            messages = [renderer.render(None, following.local)]
        chosen = route(
            campaign,
            per_target=renderer.is_per_target,
            targets=len(rows) if rows is not None else None,
        )
        examples[loaded.path.stem] = Example(
            campaign=campaign,
            app=project.project.apps[campaign.app],
            occurrence=occurrence,
            execute=execute,
            route=chosen,
            rows=rows,
            messages=messages,
            platforms=platforms(loaded.campaign, project) or (None,),
        )
    return examples


@pytest.fixture(scope="session")
def examples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Example]:
    """The example project's campaigns."""
    return prepare(ROOT / "pushflow.yaml", tmp_path_factory.mktemp("audiences"))


def templates_of(examples: Sequence[Example]) -> list[dict[str, str]]:
    """The console templates the examples name, from their local copies."""
    found = []
    for example in examples:
        message = example.campaign.message
        if isinstance(message, MpaasTemplateMessage):
            text = message.template_text
            body = (
                {"title": text.title, "content": text.content}
                if text is not None
                else CONSOLE_TEMPLATES[message.template]
            )
            found.append({"name": message.template, **body})
    return found


class EmulatorHarness:
    """The emulator in process, both clients, and its control API."""

    def __init__(self, control: httpx.AsyncClient, mpaas: MpaasClient, emas: EmasClient) -> None:
        self.control = control
        self.mpaas = mpaas
        self.emas = emas

    async def freeze(self, at: datetime) -> None:
        answer = await self.control.post(
            "/_emulator/clock", json={"freeze": True, "at": at.isoformat()}
        )
        assert answer.status_code == 200, answer.text

    async def add_templates(self, templates: list[dict[str, str]]) -> None:
        answer = await self.control.post("/_emulator/templates", json=templates)
        assert answer.status_code == 200, answer.text

    async def calls(self, **criteria: str) -> list[dict[str, Any]]:
        answer = await self.control.get("/_emulator/calls", params=criteria)
        calls: list[dict[str, Any]] = answer.json()["calls"]
        return calls

    async def send(self, call: Call) -> str:
        """Send ``call``; the MessageId or task id the service answered."""
        request = call.request
        if isinstance(request, mp.PushOptions):
            method = {
                mp.PushSimpleRequest: self.mpaas.push_simple,
                mp.PushTemplateRequest: self.mpaas.push_template,
                mp.PushMultipleRequest: self.mpaas.push_multiple,
                mp.PushBroadcastRequest: self.mpaas.push_broadcast,
            }[type(request)]
            answer = await method(request)  # type: ignore[operator]
            assert answer.result_code == "OK", answer
            assert answer.push_result is not None
            assert answer.push_result.success
            return str(answer.push_result.data)
        if isinstance(request, em.MassPushRequest):
            mass = await self.emas.mass_push(request)
            assert len(mass.message_ids.message_id) == len(request.push_task)
            return mass.message_ids.message_id[0]
        if isinstance(request, em.ContinuouslyPushRequest):
            pushed = await self.emas.continuously_push(request)
        else:
            assert isinstance(request, em.PushRequest)
            pushed = await self.emas.push(request)
        assert pushed.message_id
        return pushed.message_id

    async def apply(self, example: Example) -> list[Call]:
        """Send every call of the example's next occurrence, as the executor would."""
        await self.freeze(example.sent_at)
        sent = []
        for platform in example.platforms:
            calls = example.calls(platform)
            if example.route.api == "emas.ContinuouslyPush":
                stored = example.stored(platform)
                message_id = await self.send(stored)
                sent.append(stored)
                calls = [with_message_id(call, message_id) for call in calls]
            for call in calls:
                await self.send(call)
            sent += calls
        return sent


@pytest.fixture
async def emulator(examples: dict[str, Example]) -> AsyncIterator[EmulatorHarness]:
    """A fresh emulator (msgKeys strict: a repeated key is refused) with the examples'
    templates."""
    app = create_app(EmulatorConfig(strict_msgkeys=True))
    transport = httpx.ASGITransport(app=app)
    options: dict[str, Any] = {
        "endpoint": "http://emulator",
        "credentials": CREDENTIALS,
        "transport": transport,
    }
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://emulator") as control,
        MpaasClient(**options) as mpaas,
        EmasClient(**options) as emas,
    ):
        harness = EmulatorHarness(control, mpaas, emas)
        await harness.add_templates(templates_of(list(examples.values())))
        yield harness
    emulated: Emulator = app.state.emulator
    emulated.close()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def form(value: object) -> str:
    """A JSON value as the wire carries it (compact, UTF-8 literal)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
