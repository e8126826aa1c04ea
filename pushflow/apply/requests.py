"""From a campaign and a chunk of its targets to the exact provider requests (:class:`Call`).

::

    calls = calls_for(
        campaign, app=app, occurrence=occurrence, execute="now", route=route,
        rows=rows, messages=messages,                  # rows None: broadcast, tag, all
        platform=None,                                 # "android"/"ios" when fanned out
    )
    stored = continuous_message(campaign, app=app, occurrence=occurrence, execute="now",
                                message=message)       # ContinuouslyPush only: send it first

``rows`` are the targets still to send (sorted, deduplicated, already filtered against the
ledger); ``messages`` their rendered messages: one per row, in the same order, or a single one for
every row when the content does not differ per target. ``calls_for`` cuts the rows into calls of
``route.per_call`` targets (10 for PushSimple/PushTemplate, 1 for per-target PushSimple, 100 for
PushMultiple and MassPush, 1000 for Push and ContinuouslyPush) and builds each request:
:mod:`pushflow.apply.mpaas_requests` and :mod:`pushflow.apply.emas_requests` say how, and
``docs/wire.md`` lists where every spec key goes.

For ``emas.ContinuouslyPush`` the executor first sends :func:`continuous_message` (``Push`` with
``Target=TBD``), then each call with its MessageId (:func:`~pushflow.apply.calls.with_message_id`);
a stored message carries at most :data:`~pushflow.plan.routes.EMAS_CONTINUOUS_CALLS_PER_MESSAGE`
calls, so call number *n* of an occurrence belongs to message ``part = n // 10 000``.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import islice

from pushflow.apply import emas_requests, mpaas_requests
from pushflow.apply.calls import Addressed, Batch, Call, Campaign
from pushflow.audience import Row
from pushflow.plan.model import Execute
from pushflow.plan.routes import Route
from pushflow.render import RenderedMessage
from pushflow.spec.campaign import MpaasCampaign
from pushflow.spec.project import ApiName, App
from pushflow.timing import Occurrence

#: APIs whose audience the service expands itself: one call per occurrence, no rows.
EXPANDED: frozenset[ApiName] = frozenset({"mpaas.PushBroadcast"})


def addressed(rows: Sequence[Row], messages: Sequence[RenderedMessage]) -> list[Addressed]:
    """Each row's target id with its message (one message for all, or one per row)."""
    if len(messages) == 1:
        return [(row.target, messages[0]) for row in rows]
    if len(messages) != len(rows):
        raise ValueError(f"{len(rows)} rows need 1 or {len(rows)} messages, got {len(messages)}")
    pairs = []
    for row, message in zip(rows, messages, strict=True):
        if message.target not in (None, row.target):
            raise ValueError(f"message for {message.target} given for row {row.target}")
        pairs.append((row.target, message))
    return pairs


def chunked(items: Sequence[Addressed], size: int) -> list[list[Addressed]]:
    """``items`` in lists of at most ``size``."""
    iterator = iter(items)
    return list(iter(lambda: list(islice(iterator, size)), []))


def calls_of(
    batch: Batch, route: Route, targets: Sequence[Addressed] | None, message: RenderedMessage
) -> list[Call]:
    """The calls of ``batch`` along ``route``: to ``targets`` in chunks of ``route.per_call``,
    or, for audiences the service expands (``targets`` None), one call with ``message``."""
    api = route.api
    if targets is None:
        if api == "mpaas.PushBroadcast":
            return [mpaas_requests.broadcast_call(batch, message)]
        if api == "emas.Push":
            return [emas_requests.push_call(batch, None, message)]
        raise ValueError(f"{api} needs a list of targets")
    if api in EXPANDED or route.per_call is None:
        raise ValueError(f"{api} takes no list of targets")
    chunks = chunked(targets, route.per_call)
    if api.startswith("mpaas."):
        return [mpaas_requests.listed_call(batch, api, chunk) for chunk in chunks]
    if api == "emas.Push":
        return [emas_requests.push_call(batch, chunk, chunk[0][1]) for chunk in chunks]
    if api == "emas.MassPush":
        return [emas_requests.mass_push_call(batch, chunk) for chunk in chunks]
    return [emas_requests.continuous_call(batch, chunk) for chunk in chunks]


def calls_for(
    campaign: Campaign,
    *,
    app: App,
    occurrence: Occurrence,
    execute: Execute,
    route: Route,
    rows: Sequence[Row] | None,
    messages: Sequence[RenderedMessage],
    platform: str | None = None,
    task_name: str | None = None,
) -> list[Call]:
    """The calls sending ``occurrence`` of ``campaign`` to ``rows`` (None: the whole audience
    the service expands — broadcast, tag, all).

    ``execute`` is ``now`` (on apply), ``local`` (fired by the daemon) or ``server`` (a scheduled
    or looping task on the service: mPaaS ``StrategyType``, EMAS ``PushTime``). ``platform`` is
    the EMAS platform of a fanned-out campaign; ``task_name`` overrides the mPaaS ``TaskName``.
    """
    batch = Batch(campaign, app, occurrence, execute, platform, task_name)
    return calls_in(batch, route=route, rows=rows, messages=messages)


def calls_in(
    batch: Batch,
    *,
    route: Route,
    rows: Sequence[Row] | None,
    messages: Sequence[RenderedMessage],
) -> list[Call]:
    """:func:`calls_for` with the batch given: a caller building every chunk of one occurrence
    reuses one :class:`Batch`, so what its calls share is converted once, not once per chunk."""
    if not messages:
        raise ValueError("no rendered message")
    if rows is None:
        return calls_of(batch, route, None, messages[0])
    if not rows:
        return []
    return calls_of(batch, route, addressed(rows, messages), messages[0])


def continuous_message(
    campaign: Campaign,
    *,
    app: App,
    occurrence: Occurrence,
    execute: Execute,
    message: RenderedMessage,
    platform: str | None = None,
    part: int = 0,
) -> Call:
    """The ``Push`` with ``Target=TBD`` storing ``occurrence``'s message for ``ContinuouslyPush``
    (message number ``part`` of the occurrence); it reaches nobody: no targets, one key (its
    ``IdempotentToken``)."""
    batch = Batch(campaign, app, occurrence, execute, platform)
    return emas_requests.stored_message(batch, message, part)


def unsent_keys(campaign: Campaign, api: ApiName) -> list[str]:
    """Spec keys set in ``campaign`` that ``api`` has no parameter for, dotted
    (``message.push_style``): a console template carries its own style, URI and pictures; a
    MassPush task has no SMS fallback. Plan and validate can warn about them."""
    if isinstance(campaign, MpaasCampaign):
        paths = mpaas_requests.unsent(campaign, api)
    else:
        paths = emas_requests.unsent(campaign, api)
    return [".".join(str(part) for part in path) for path in paths]
