"""mPaaS requests: PushSimple, PushTemplate, PushMultiple and PushBroadcast from a campaign.

Every request starts from the same parameters (:func:`shared_params`): the app, ``DeliveryType``
from the audience, ``ExpiredSeconds``, ``TaskName``, the strategy of a server-side send, and every
message and channel option, each where its spec metadata says (:mod:`pushflow.apply.params`):

- ``x-extended-param`` keys and the message's ``extras`` → ``ExtendedParams``;
- ``x-wire`` + ``x-wire-key`` → an entry of a map parameter (``ThirdChannelCategory``,
  ``NotifyLevel``, ``TransparentMessagePayload``);
- ``x-wire`` alone → that parameter.

An option whose parameter the operation does not have (``Uri``, ``PushStyle``, ``ImageUrls`` and
``IconUrls`` exist on PushSimple only: a console template carries its own; SMS on PushSimple and
PushTemplate; Live Activity fields not on PushBroadcast) is not sent: :func:`shared_params`
leaves it out, and :func:`unsent` (:func:`pushflow.apply.requests.unsent_keys`) lists it
for plan and validate to warn about.

A PushMultiple or PushBroadcast call's ``TaskName`` ends with the call's tag (``digest
[pf0123456789]``, :func:`pushflow.plan.keys.task_tag`): QueryPushAnalysisTaskList lists those
tasks by name, so a call whose outcome is unknown can be found (:mod:`pushflow.apply.resolve`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Final

from pushflow.apply.calls import Addressed, Batch, Call, RequestError, one_content
from pushflow.apply.params import SpecParam, holds_template, rendered, spec_params
from pushflow.apply.values import (
    MPAAS_BROADCAST_DELIVERY,
    MPAAS_ENUMS,
    extended_value,
    mpaas_value,
    seconds,
)
from pushflow.plan.keys import EVERYONE, msg_keys, task_tag
from pushflow.providers.mpaas_models import (
    PushBroadcastRequest,
    PushMultipleRequest,
    PushOptions,
    PushSimpleRequest,
    PushTemplateRequest,
    Strategy,
)
from pushflow.providers.wire import wire_name
from pushflow.render import RenderedMessage
from pushflow.render.limits import Path
from pushflow.spec.audience import MpaasBroadcast
from pushflow.spec.campaign import MpaasCampaign
from pushflow.spec.message import MpaasTemplateMessage
from pushflow.spec.project import ApiName, MpaasApp
from pushflow.spec.strategy import AtStrategy, LoopStrategy
from pushflow.timing.wire import ServerScheduleError, mpaas_fixed_time, mpaas_loop

#: ``ExpiredSeconds`` when neither the campaign nor the project default sets ``expire``: the
#: spec's documented default, and the longest the emulator accepts (its limits.py).
DEFAULT_EXPIRE: Final = timedelta(hours=72)

MODELS: Final[dict[ApiName, type[PushOptions]]] = {
    "mpaas.PushSimple": PushSimpleRequest,
    "mpaas.PushTemplate": PushTemplateRequest,
    "mpaas.PushMultiple": PushMultipleRequest,
    "mpaas.PushBroadcast": PushBroadcastRequest,
}
#: Message fields built by hand (texts, template, the request's identity), not walked.
_BY_HAND = frozenset(
    {"kind", "title", "content", "template", "values", "template_text", "extras"}
    | {"expire", "task_name"}
)


#: Wire name → model field name, per API.
_NAMES: Final = {
    api: {wire_name(name): name for name in model.model_fields} for api, model in MODELS.items()
}


def _strategy(batch: Batch) -> dict[str, Any]:
    """``StrategyType`` and ``StrategyContent`` of a server-side send (nothing otherwise)."""
    if batch.execute != "server":
        return {}
    strategy = batch.campaign.strategy
    if isinstance(strategy, AtStrategy):
        content = Strategy(fixed_time=mpaas_fixed_time(batch.instant))
        return {"strategy_type": 1, "strategy_content": content}
    if isinstance(strategy, LoopStrategy):
        try:
            loop = asdict(mpaas_loop(strategy, batch.campaign.timezone or "UTC"))
        except ServerScheduleError as exc:
            raise RequestError(f"campaign {batch.campaign.name}: {exc}") from exc
        circle = loop.pop("circle_value")
        content = Strategy(**loop, circle_value=list(circle) if circle is not None else None)
        return {"strategy_type": 2, "strategy_content": content}
    raise ValueError(f"campaign {batch.campaign.name} sends now: it has no server strategy")


def _delivery_type(campaign: MpaasCampaign) -> int:
    audience = campaign.audience
    if isinstance(audience, MpaasBroadcast):
        return int(MPAAS_BROADCAST_DELIVERY[audience.platform])
    return int(MPAAS_ENUMS["DeliveryType"][audience.kind])


def _options(campaign: MpaasCampaign, texts: Mapping[Path, str]) -> Iterator[SpecParam]:
    yield from spec_params(campaign.message, ("message",), texts, skip=_BY_HAND)
    yield from spec_params(campaign.channels, ("channels",), texts)


def unsent(campaign: MpaasCampaign, api: ApiName) -> list[Path]:
    """Spec paths of the set options ``api`` has no parameter for (they are not sent)."""
    names = _NAMES[api]
    return [
        param.path
        for param in _options(campaign, {})
        if param.meta.wire is not None
        and param.meta.extended is None
        and param.meta.wire not in names
    ]


@dataclass(frozen=True)
class _Shared:
    """The parameters of one API every call of a batch shares, converted once; ``templated``
    options are rendered and converted per message."""

    params: dict[str, Any]
    extended: dict[str, str]
    maps: dict[str, dict[str, Any]]
    templated: tuple[SpecParam, ...]


def _add(shared: _Shared, names: Mapping[str, str], param: SpecParam, instant: datetime) -> None:
    """Put one option where its metadata says: an extendedParams key, a map entry, a parameter
    (or nowhere, when the API has no such parameter)."""
    meta, value, wire = param.meta, param.value, param.meta.wire
    if meta.extended is not None:
        text = extended_value(value)
        if text is not None:
            shared.extended[meta.extended] = text
    elif wire is not None and wire in names:
        converted = mpaas_value(wire, value, instant=instant, key=meta.key)
        if meta.key is not None:
            shared.maps.setdefault(wire, {})[meta.key] = converted
        else:
            shared.params[names[wire]] = converted


def _shared(batch: Batch, api: ApiName) -> _Shared:
    campaign, app = batch.campaign, batch.app
    if not isinstance(campaign, MpaasCampaign) or not isinstance(app, MpaasApp):
        raise TypeError("an mPaaS request needs an mPaaS campaign and app")
    spec = campaign.message
    params: dict[str, Any] = {
        "app_id": app.app_id,
        "workspace_id": app.workspace_id,
        "tenant_id": app.tenant_id,
        "delivery_type": _delivery_type(campaign),
        "expired_seconds": seconds(spec.expire or DEFAULT_EXPIRE),
        "task_name": batch.task_name or spec.task_name or campaign.name,
        **_strategy(batch),
    }
    options = list(_options(campaign, {}))
    templated = tuple(param for param in options if holds_template(param.value))
    shared = _Shared(params, {}, {}, templated)
    names = _NAMES[api]
    for param in options:
        if param not in templated:
            _add(shared, names, param, batch.instant)
    return shared


def shared_params(batch: Batch, api: ApiName, message: RenderedMessage) -> dict[str, Any]:
    """The parameters every target of a call shares, by model field name (options ``api`` has
    no parameter for are left out: see :func:`unsent`)."""
    base = batch.memo(api, lambda: _shared(batch, api))
    own = _Shared(
        dict(base.params),
        {**message.extras, **base.extended},
        {wire: dict(entries) for wire, entries in base.maps.items()},
        (),
    )
    names = _NAMES[api]
    for param in base.templated:
        texts = message.texts
        _add(
            own,
            names,
            replace(param, value=rendered(param.value, param.path, texts)),
            batch.instant,
        )
    for wire, entries in own.maps.items():
        own.params[names[wire]] = entries
    own.params["extended_params"] = own.extended or None
    return own.params


def tagged_task_name(name: str, tag: str) -> str:
    """The ``TaskName`` of a call with a tag: the name, a space, the tag in brackets."""
    return f"{name} [{tag}]"


def _tag(batch: Batch, params: dict[str, Any], ids: Sequence[str]) -> dict[str, Any]:
    """``params`` with the call's tag appended to its ``TaskName``."""
    campaign = batch.campaign
    tag = task_tag(campaign.name, campaign.epoch, batch.occurrence.key, ids)
    params["task_name"] = tagged_task_name(params["task_name"], tag)
    return params


def _keys(batch: Batch, targets: Sequence[Addressed]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    campaign = batch.campaign
    key = batch.msg_key or msg_keys(campaign.name, campaign.epoch, batch.occurrence.key)
    ids = tuple(batch.ledger_target(target) for target, _ in targets)
    return ids, tuple(key(target) for target in ids)


def _template(batch: Batch) -> str:
    message = batch.campaign.message
    if not isinstance(message, MpaasTemplateMessage):
        raise TypeError("this API sends a console template: the message kind must be template")
    return message.template


def listed_call(batch: Batch, api: ApiName, targets: Sequence[Addressed]) -> Call:
    """A PushSimple, PushTemplate or PushMultiple call to ``targets``."""
    ids, keys = _keys(batch, targets)
    if api == "mpaas.PushMultiple":
        return batch.call(api, ids, keys, _multiple(batch, targets, ids, keys))
    message = one_content(api, targets)
    params = shared_params(batch, api, message)
    msgkeys = {target: key for (target, _), key in zip(targets, keys, strict=True)}
    if api == "mpaas.PushSimple":
        request: PushOptions = PushSimpleRequest(
            **params, title=message.title or "", content=message.body or "", target_msgkey=msgkeys
        )
    elif api == "mpaas.PushTemplate":
        request = PushTemplateRequest(
            **params,
            template_name=_template(batch),
            template_key_value=dict(message.template_key_value),
            target_msgkey=msgkeys,
        )
    else:
        raise ValueError(f"{api} is not an mPaaS list API")
    return batch.call(api, ids, keys, request)


def _multiple(
    batch: Batch, targets: Sequence[Addressed], ids: Sequence[str], keys: Sequence[str]
) -> PushMultipleRequest:
    """One template, per-target values; extras that differ between the call's targets ride in
    each ``TargetMsg.ExtendedParams``, the others once in ``ExtendedParams``."""
    messages = [message for _, message in targets]
    varying = {
        name
        for name in {name for message in messages for name in message.extras}
        if len({message.extras.get(name) for message in messages}) > 1
    }
    first = messages[0]
    shared = RenderedMessage(
        first.target,
        extras={k: v for k, v in first.extras.items() if k not in varying},
        texts=first.texts,
    )
    params = _tag(batch, shared_params(batch, "mpaas.PushMultiple", shared), ids)
    # Validated as plain dicts, all of them in one pass of the model's validator: cheaper than a
    # TargetMsg(...) call per target, itself about half the cost of ``model_construct``, whose
    # Python loop over the fields runs for each of a call's up to 100 targets.
    items = [
        {
            "target": target,
            "msg_key": key,
            "template_key_value": message.template_key_value,
            "extended_params": (
                {k: v for k, v in message.extras.items() if k in varying} or None
                if varying
                else None
            ),
        }
        for (target, message), key in zip(targets, keys, strict=True)
    ]
    return PushMultipleRequest(**params, template_name=_template(batch), target_msg=items)


def broadcast_call(batch: Batch, message: RenderedMessage) -> Call:
    """The PushBroadcast of an occurrence: one msgkey, the audience filter from the spec."""
    audience = batch.campaign.audience
    if not isinstance(audience, MpaasBroadcast):
        raise TypeError("PushBroadcast needs a broadcast audience")
    ids, keys = _keys(batch, [(EVERYONE, message)])
    params = _tag(batch, shared_params(batch, "mpaas.PushBroadcast", message), ids)
    filters = {
        "push_status": audience.push_status,
        "bind_period": audience.bind_period,
        "un_bind_period": audience.unbind_period,
        "android_channel": audience.android_channel,
    }
    request = PushBroadcastRequest(
        **params,
        **{
            name: mpaas_value(wire_name(name), value, instant=batch.instant)
            for name, value in filters.items()
            if value is not None
        },
        template_name=_template(batch),
        template_key_value=dict(message.template_key_value),
        msgkey=keys[0],
    )
    return batch.call("mpaas.PushBroadcast", ids, keys, request)
