"""Checks that need more than one document: names, apps, audience files, template syntax.

A campaign can be valid on its own and still refer to an app the project does not declare, an
audience file that is missing, outside the project, or broken at row 1042, or hold a Jinja2
expression that does not parse. These checks run after every document validated, and report
every problem at its position.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from jinja2 import TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from pushflow.errors import Location, Problem
from pushflow.spec.campaign import EmasCampaign, MpaasCampaign
from pushflow.spec.loader import LoadedCampaign, LoadedProject, display_path
from pushflow.spec.strategy import LoopStrategy
from pushflow.timing.wire import ServerScheduleError, mpaas_loop

#: Bad rows reported per audience file before the rest are summarised in one line.
MAX_ROW_PROBLEMS = 20


#: How a campaign's audience file is checked, given the project folder: its problems (missing,
#: outside the project, unreadable, bad rows). By default a stream over the rows that keeps
#: nothing (:func:`pushflow.audience.stream.audience_problems`).
AudienceCheck = Callable[[LoadedCampaign, Path], list[Problem]]


def check_references(
    project: LoadedProject,
    campaigns: list[LoadedCampaign],
    audiences: AudienceCheck | None = None,
) -> list[Problem]:
    """Every cross-document problem of ``campaigns`` in ``project``."""
    problems: list[Problem] = []
    problems.extend(_unique_names(campaigns))
    for loaded in campaigns:
        problems.extend(_server_loop(loaded))
        problems.extend(_app(project, loaded))
        problems.extend(_audience_file(project, loaded, audiences))
        problems.extend(_template_syntax(loaded))
    return problems


def _unique_names(campaigns: list[LoadedCampaign]) -> Iterator[Problem]:
    first: dict[str, Location] = {}
    for loaded in campaigns:
        location = loaded.document.locate(("name",))
        name = loaded.campaign.name
        if name in first:
            yield Problem(
                location,
                f"campaign name `{name}` is already used at {first[name]}",
                rule="campaign-name-unique",
            )
        else:
            first[name] = location


def _app(project: LoadedProject, loaded: LoadedCampaign) -> Iterator[Problem]:
    campaign = loaded.campaign
    where = loaded.document.locate(("app",))
    app = project.project.apps.get(campaign.app)
    if app is None:
        known = ", ".join(sorted(project.project.apps)) or "none"
        yield Problem(
            where,
            f"app `{campaign.app}` is not declared in {display_path(project.path)} (apps: {known})",
            rule="app-unknown",
        )
        return
    if app.provider != campaign.provider:
        yield Problem(
            where,
            f"app `{campaign.app}` is an {app.provider} app; this campaign is for "
            f"{campaign.provider}",
            rule="app-provider",
        )
        return
    if isinstance(campaign, EmasCampaign) and app.provider == "emas":
        device_type = campaign.audience.device_type
        needed = ("android", "ios") if device_type == "all" else (device_type,)
        missing = [platform for platform in needed if platform not in app.app_keys]
        if missing:
            yield Problem(
                loaded.document.locate(("audience", "device_type")),
                f"device_type {device_type} needs an AppKey for {', '.join(missing)} in app "
                f"`{campaign.app}` (app_keys)",
                rule="app-key-missing",
            )


def _server_loop(loaded: LoadedCampaign) -> Iterator[Problem]:
    """An mPaaS server loop must be expressible on the service's clock (see docs/timing.md)."""
    campaign = loaded.campaign
    strategy = campaign.strategy
    if not (
        isinstance(campaign, MpaasCampaign)
        and isinstance(strategy, LoopStrategy)
        and campaign.execute() == "server"
        and strategy.until is not None
        and campaign.timezone
    ):
        return
    try:
        mpaas_loop(strategy, campaign.timezone)
    except ServerScheduleError as exc:
        yield Problem(
            loaded.document.locate(("strategy",)),
            f"{str(exc).removesuffix('; use `execute: local`')}; use `execute: local` to have "
            "the pushflow daemon fire it",
            rule="mpaas-server-loop-clock",
        )


def _audience_file(
    project: LoadedProject, loaded: LoadedCampaign, audiences: AudienceCheck | None
) -> list[Problem]:
    if audiences is None:
        # Imported here: the audience package reads loaded campaigns (it imports this package).
        from pushflow.audience.stream import audience_problems

        audiences = audience_problems
    return audiences(loaded, project.root)


def _texts(loaded: LoadedCampaign) -> Iterator[tuple[tuple[str, ...], str]]:
    message = loaded.campaign.message
    for field in ("title", "content", "body"):
        value = getattr(message, field, None)
        if isinstance(value, str):
            yield ("message", field), value
    for name, value in getattr(message, "values", {}).items():
        yield ("message", "values", name), value
    if isinstance(loaded.campaign, MpaasCampaign | EmasCampaign):
        for name, value in message.extras.items():
            yield ("message", "extras", name), value


def _template_syntax(loaded: LoadedCampaign) -> Iterator[Problem]:
    environment = SandboxedEnvironment()
    for path, text in _texts(loaded):
        try:
            environment.parse(text)
        except TemplateSyntaxError as exc:
            location = loaded.document.locate(path)
            yield Problem(
                location,
                f"{'.'.join(path)}: template syntax error: {exc.message}",
                rule="template-syntax",
            )
