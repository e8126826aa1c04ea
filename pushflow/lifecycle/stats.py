"""``pushflow stats CAMPAIGN``: the services' delivery figures for what the campaign sent.

For the message and task ids recorded with each occurrence's sends:

- mPaaS PushMultiple / PushBroadcast tasks: ``QueryPushAnalysisTaskDetail`` (pushed,
  succeeded, arrived);
- mPaaS PushSimple / PushTemplate tasks: ``QueryPushAnalysisCoreIndex`` for the task on the day
  it was sent (pushed, succeeded, arrived, opened, ignored);
- EMAS messages: ``QueryPushStatByMsg`` (accepted, sent, received, opened, deleted), asked of
  each of the app's AppKeys until one knows the message.

Figures are given per occurrence beside the number of sends the state recorded as sent, and
added up. Server occurrences hold scheduled task ids, not pushed ones, and have no figures here.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pushflow.lifecycle.history import LIMIT, OccurrenceReport, occurrence_reports
from pushflow.lifecycle.session import LifecycleSession
from pushflow.lifecycle.tables import table
from pushflow.providers import EmasClient, MpaasClient, ProviderError
from pushflow.providers.emas_models import QueryPushStatByMsgRequest
from pushflow.providers.mpaas_models import (
    QueryPushAnalysisCoreIndexRequest,
    QueryPushAnalysisTaskDetailRequest,
)
from pushflow.spec.project import App, EmasApp, MpaasApp

MPAAS_FIGURES = ("pushed", "succeeded", "arrived", "opened", "ignored")
EMAS_FIGURES = ("accepted", "sent", "received", "opened", "deleted")


@dataclass
class OccurrenceStats:
    key: str
    recorded_sent: int
    ids: int
    figures: Counter[str] = field(default_factory=Counter)

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "recorded_sent": self.recorded_sent,
            "ids": self.ids,
            "figures": dict(sorted(self.figures.items())),
        }


@dataclass
class Stats:
    campaign: str
    provider: str
    app: str
    occurrences: list[OccurrenceStats] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def names(self) -> tuple[str, ...]:
        return MPAAS_FIGURES if self.provider == "mpaas" else EMAS_FIGURES

    @property
    def total(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for one in self.occurrences:
            total.update(one.figures)
        return total

    def to_json(self) -> dict[str, Any]:
        return {
            "campaign": self.campaign,
            "provider": self.provider,
            "app": self.app,
            "figures": list(self.names),
            "occurrences": [o.to_json() for o in self.occurrences],
            "total": {
                "recorded_sent": sum(o.recorded_sent for o in self.occurrences),
                "figures": {name: self.total.get(name, 0) for name in self.names},
            },
            "problems": self.problems,
        }

    def to_text(self) -> str:
        headers = ("OCCURRENCE", "RECORDED SENT", *(n.upper() for n in self.names))

        def row(key: str, sent: int, figures: Counter[str]) -> list[str]:
            return [key, str(sent), *(str(figures.get(n, 0)) for n in self.names)]

        rows = [row(o.key, o.recorded_sent, o.figures) for o in self.occurrences]
        if len(rows) > 1:
            rows.append(row("total", sum(o.recorded_sent for o in self.occurrences), self.total))
        title = f"{self.campaign} ({self.provider} app {self.app})"
        if not rows:
            title += ": nothing sent yet"
        lines = [title, *table(headers, rows)]
        return "\n".join(lines + [f"  problem: {p}" for p in self.problems])


def _millis(value: datetime) -> int:
    return int(value.timestamp() * 1000)


async def _mpaas(
    client: MpaasClient, app: MpaasApp, report: OccurrenceReport, figures: Counter[str]
) -> None:
    scope = {"app_id": app.app_id, "workspace_id": app.workspace_id, "tenant_id": app.tenant_id}
    multiple = any(
        api in ("mpaas.PushMultiple", "mpaas.PushBroadcast") for api in report.sends.apis
    )
    for task in report.sends.task_ids:
        if multiple:
            detail = await client.query_push_analysis_task_detail(
                QueryPushAnalysisTaskDetailRequest(task_id=task, **scope)
            )
            data = detail.result_content.data if detail.result_content else None
            if data is not None:
                figures["pushed"] += int(data.push_num or 0)
                figures["succeeded"] += int(data.push_success_num or 0)
                figures["arrived"] += int(data.push_arrival_num or 0)
            continue
        day = report.sends.first_sent_at or report.occurrence.instant
        index = await client.query_push_analysis_core_index(
            QueryPushAnalysisCoreIndexRequest(
                start_time=_millis(day - timedelta(days=1)),
                end_time=_millis((report.sends.last_sent_at or day) + timedelta(days=1)),
                task_id=task,
                **scope,
            )
        )
        core = index.result_content.data if index.result_content else None
        if core is not None:
            figures["pushed"] += int(core.push_total_num or 0)
            figures["succeeded"] += int(core.push_num or 0)
            figures["arrived"] += int(core.arrival_num or 0)
            figures["opened"] += int(core.open_num or 0)
            figures["ignored"] += int(core.ignore_num or 0)


async def _emas(
    client: EmasClient, app: EmasApp, report: OccurrenceReport, figures: Counter[str]
) -> list[str]:
    keys = list(dict.fromkeys(app.app_keys.values()))
    missing = []
    for message in report.sends.message_ids:
        for app_key in keys:
            answer = await client.query_push_stat_by_msg(
                QueryPushStatByMsgRequest(app_key=app_key, message_id=message)
            )
            if answer.push_stats.push_stat:
                for stat in answer.push_stats.push_stat:
                    figures["accepted"] += stat.accept_count
                    figures["sent"] += stat.sent_count
                    figures["received"] += stat.received_count
                    figures["opened"] += stat.opened_count
                    figures["deleted"] += stat.deleted_count
                keys.remove(app_key)
                keys.insert(0, app_key)  # the next message most likely has the same AppKey
                break
        else:
            missing.append(message)
    return missing


async def _collect(session: LifecycleSession, app_name: str, app: App, result: Stats,
                   reports: list[OccurrenceReport]) -> None:  # fmt: skip
    client = session.client(app_name)
    try:
        for report in reports:
            one = OccurrenceStats(
                report.occurrence.key,
                report.sends.counts.get("sent", 0),
                len(report.sends.message_ids) + len(report.sends.task_ids),
            )
            try:
                if isinstance(client, MpaasClient) and isinstance(app, MpaasApp):
                    await _mpaas(client, app, report, one.figures)
                elif isinstance(client, EmasClient) and isinstance(app, EmasApp):
                    missing = await _emas(client, app, report, one.figures)
                    result.problems += [
                        f"{one.key}: no AppKey of app {app_name} knows message {m}" for m in missing
                    ]
            except ProviderError as error:
                result.problems.append(f"{one.key}: {error}")
            result.occurrences.append(one)
    finally:
        await session.aclose()


def stats(session: LifecycleSession, name: str, *, limit: int | None = LIMIT) -> Stats:
    """The delivery figures of campaign ``name``'s latest occurrences."""
    ref, _ = session.applied(name)
    app_name, app = session.app(ref)
    reports = [
        report
        for report in occurrence_reports(session.ledger, name, limit=limit, id_limit=None)
        if report.sends.counts.get("sent") and not report.occurrence.key.startswith("server:")
    ]
    result = Stats(name, app.provider, app_name)
    if reports:
        asyncio.run(_collect(session, app_name, app, result, reports))
    return result
