"""EMAS requests: Push, MassPush, ContinuouslyPush and the stored (``Target=TBD``) message.

One push's parameters (:func:`push_fields`) come from the message (``PushType``, ``Title``,
``Body``, ``ExpireTime``), the strategy (``PushTime`` of a server-side send), the keys
(``JobKey``) and every channel option by its ``x-wire`` name, each value converted by
:func:`pushflow.apply.values.emas_value`. Only the options of the platforms a request reaches are
sent: an Android request carries no ``iOS*`` parameter. The message's ``extras`` are merged into
the ``ExtParameters`` JSON of each platform reached, the platform's own options winning.

Platforms: a campaign fanned out over several AppKeys (``device_type: all`` with different
Android and iOS AppKeys, see :func:`pushflow.plan.build.platforms`) makes one request per
platform, with that platform's AppKey and ``DeviceType``; otherwise ``DeviceType`` is the
audience's and the AppKey that platform's (for ``all``, the shared one).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Final

from pushflow.apply.calls import (
    PENDING_MESSAGE_ID,
    Addressed,
    Batch,
    Call,
    RequestError,
    one_content,
)
from pushflow.apply.params import SpecParam, holds_template, rendered, spec_params
from pushflow.apply.values import EMAS_ENUMS, emas_value
from pushflow.plan.keys import EVERYONE, idempotent_token, job_key
from pushflow.providers.emas_models import (
    TARGET_TBD,
    ContinuouslyPushRequest,
    MassPushRequest,
    PushRequest,
    PushTask,
)
from pushflow.providers.wire import compact_json, wire_name
from pushflow.render import RenderedMessage
from pushflow.render.limits import Path
from pushflow.spec.campaign import EmasCampaign
from pushflow.spec.project import ApiName, EmasApp
from pushflow.timing.wire import emas_push_time

PLATFORMS: Final = ("android", "ios", "harmony")
#: Each platform's extension parameters, where the message's ``extras`` are merged in.
EXT_PARAMETERS: Final = {
    "android": "AndroidExtParameters",
    "ios": "iOSExtParameters",
    "harmony": "HarmonyExtParameters",
}
_TASK_FIELDS: Final = {wire_name(name): name for name in PushTask.model_fields}
_PUSH_FIELDS: Final = {wire_name(name): name for name in PushRequest.model_fields}
#: Fields set by hand from the message and the keys, not walked.
_MESSAGE_BY_HAND = frozenset({"kind", "title", "body", "values", "expire", "extras"})


def _campaign(batch: Batch) -> tuple[EmasCampaign, EmasApp]:
    campaign, app = batch.campaign, batch.app
    if not isinstance(campaign, EmasCampaign) or not isinstance(app, EmasApp):
        raise TypeError("an EMAS request needs an EMAS campaign and app")
    return campaign, app


def reach(batch: Batch) -> tuple[int, str, tuple[str, ...]]:
    """``(AppKey, DeviceType, platforms whose options are sent)`` of the batch's requests."""
    campaign, app = _campaign(batch)
    platform = batch.platform or campaign.audience.device_type
    if platform == "all":
        keys = [app.app_keys[name] for name in PLATFORMS if name in app.app_keys]
        return keys[0], str(EMAS_ENUMS["DeviceType"]["all"]), PLATFORMS
    key = {str(name): value for name, value in app.app_keys.items()}.get(platform)
    if key is None:
        raise RequestError(
            f"campaign {campaign.name} sends to {platform} devices, but app {campaign.app} "
            f"has no {platform} AppKey in pushflow.yaml (app_keys.{platform})"
        )
    return key, str(EMAS_ENUMS["DeviceType"][platform]), (platform,)


def _options(campaign: EmasCampaign, texts: Mapping[Path, str]) -> Iterator[SpecParam]:
    yield from spec_params(campaign.message, ("message",), texts, skip=_MESSAGE_BY_HAND)
    yield from spec_params(campaign.channels, ("channels",), texts, skip=frozenset({"job_key"}))


def unsent(campaign: EmasCampaign, api: ApiName) -> list[Path]:
    """Spec paths of the set options ``api`` cannot carry: a ``MassPush`` task has no SMS
    fallback (``Sms*`` are ``Push`` parameters only)."""
    if api != "emas.MassPush":
        return []
    return [p.path for p in _options(campaign, {}) if p.meta.wire not in _TASK_FIELDS]


@dataclass(frozen=True)
class _Shared:
    """What every push of a batch shares, converted once; ``templated`` options are rendered
    and converted per message."""

    fields: dict[str, Any]
    push_only: dict[str, Any]
    ext: dict[str, dict[str, Any]]
    templated: tuple[SpecParam, ...]


def _add(shared: _Shared, param: SpecParam, instant: datetime) -> None:
    """Put one option into ``shared``: its field, its Push-only field, or its platform's ext."""
    wire = param.meta.wire
    assert wire is not None  # EMAS options all name their parameter
    if wire in EXT_PARAMETERS.values():
        shared.ext[str(param.path[1])].update(param.value)
        return
    value = emas_value(wire, param.value, instant=instant)
    if wire in _TASK_FIELDS:
        shared.fields[_TASK_FIELDS[wire]] = value
    else:
        shared.push_only[_PUSH_FIELDS[wire]] = value


def _shared(batch: Batch) -> _Shared:
    campaign, _ = _campaign(batch)
    spec, channels = campaign.message, campaign.channels
    _, device_type, platforms = reach(batch)
    key = batch.occurrence.key
    fields: dict[str, Any] = {
        "device_type": device_type,
        "push_type": EMAS_ENUMS["PushType"][spec.kind],
        "job_key": channels.job_key or job_key(campaign.name, campaign.epoch, key),
    }
    if spec.expire is not None:
        fields["expire_time"] = emas_push_time(batch.instant + spec.expire)
    if batch.execute == "server":
        fields["push_time"] = emas_push_time(batch.instant)
    reached = [
        param
        for param in _options(campaign, {})
        if param.path[1] not in PLATFORMS or param.path[1] in platforms
    ]
    shared = _Shared(
        fields,
        {},
        {name: {} for name in platforms},
        tuple(param for param in reached if holds_template(param.value)),
    )
    for param in reached:
        if param not in shared.templated:
            _add(shared, param, batch.instant)
    return shared


def push_fields(batch: Batch, message: RenderedMessage) -> tuple[dict[str, Any], dict[str, Any]]:
    """One push's parameters as ``(PushTask fields, Push-only fields)``: the Push-only ones (the
    SMS fallback) do not exist in a ``MassPush`` task."""
    base = batch.memo("emas.push", lambda: _shared(batch))
    own = _Shared(
        {**base.fields, "title": message.title or None, "body": message.body or ""},
        dict(base.push_only),
        {name: {**message.extras, **values} for name, values in base.ext.items()},
        (),
    )
    for param in base.templated:
        _add(
            own,
            replace(param, value=rendered(param.value, param.path, message.texts)),
            batch.instant,
        )
    for platform, values in own.ext.items():
        if values:
            own.fields[_TASK_FIELDS[EXT_PARAMETERS[platform]]] = compact_json(values)
    return own.fields, own.push_only


def _target(campaign: EmasCampaign) -> str:
    return str(EMAS_ENUMS["Target"][campaign.audience.kind])


def _token(batch: Batch, targets: Sequence[str]) -> str:
    campaign = batch.campaign
    return idempotent_token(campaign.name, campaign.epoch, batch.occurrence.key, targets)


def push_call(batch: Batch, targets: Sequence[Addressed] | None, message: RenderedMessage) -> Call:
    """A ``Push``: to the listed ``targets`` (≤ 1000, one content: theirs), or, when ``targets``
    is None, ``message`` to the audience's tag or to all devices."""
    campaign, _ = _campaign(batch)
    app_key, _, _ = reach(batch)
    audience = campaign.audience
    ids: tuple[str, ...]
    if targets is None:
        ids = (batch.ledger_target(EVERYONE),)
        value = audience.tag if audience.kind == "tag" and audience.tag else "all"
    else:
        ids = tuple(batch.ledger_target(target) for target, _ in targets)
        value = ",".join(target for target, _ in targets)
        message = one_content("emas.Push", targets)
    fields, push_only = push_fields(batch, message)
    token = _token(batch, ids)
    request = PushRequest(
        app_key=app_key,
        target=_target(campaign),
        target_value=value,
        idempotent_token=token,
        **fields,
        **push_only,
    )
    return batch.call("emas.Push", ids, (token,) * len(ids), request)


def mass_push_call(batch: Batch, targets: Sequence[Addressed]) -> Call:
    """A ``MassPush``: one task per target (≤ 100), each with its own rendered message."""
    campaign, _ = _campaign(batch)
    app_key, _, _ = reach(batch)
    ids = tuple(batch.ledger_target(target) for target, _ in targets)
    tasks = [
        PushTask(target=_target(campaign), target_value=target, **push_fields(batch, message)[0])
        for target, message in targets
    ]
    token = _token(batch, ids)
    request = MassPushRequest(app_key=app_key, push_task=tasks, idempotent_token=token)
    return batch.call("emas.MassPush", ids, (token,) * len(ids), request)


def stored_message(batch: Batch, message: RenderedMessage, part: int = 0) -> Call:
    """The ``Push`` with ``Target=TBD`` that stores an occurrence's message for
    ``ContinuouslyPush`` (``part`` counts the messages of one occurrence: each carries at most
    10 000 ``ContinuouslyPush`` calls)."""
    if batch.execute == "server":
        raise RequestError(
            f"campaign {batch.campaign.name}: a continuous push (Target=TBD) cannot be scheduled "
            "on the server; use `execute: local`"
        )
    app_key, _, _ = reach(batch)
    fields, push_only = push_fields(batch, message)
    token = _token(batch, [batch.ledger_target(f"{TARGET_TBD}#{part}")])
    request = PushRequest(
        app_key=app_key,
        target=TARGET_TBD,
        target_value=TARGET_TBD,
        idempotent_token=token,
        **fields,
        **push_only,
    )
    return batch.call("emas.Push", (), (token,), request)


def continuous_call(batch: Batch, targets: Sequence[Addressed]) -> Call:
    """A ``ContinuouslyPush`` of the stored message to ``targets`` (≤ 1000); the executor puts
    the MessageId in (:func:`pushflow.apply.calls.with_message_id`)."""
    campaign, _ = _campaign(batch)
    app_key, _, _ = reach(batch)
    ids = tuple(batch.ledger_target(target) for target, _ in targets)
    request = ContinuouslyPushRequest(
        app_key=app_key,
        message_id=PENDING_MESSAGE_ID,
        target=_target(campaign),
        target_value=",".join(target for target, _ in targets),
    )
    token = _token(batch, ids)
    return batch.call("emas.ContinuouslyPush", ids, (token,) * len(ids), request)
