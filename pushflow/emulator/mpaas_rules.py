"""Parameter rules shared by the mPaaS push operations, each answered with its result code.

Codes and limits from mpaas-server-api.zh.txt ("API 调用结果码" and the parameter tables) and
mpaas-push-multiple.en.txt; the numbers live in :mod:`pushflow.emulator.limits`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from json.encoder import encode_basestring
from typing import Any

from pushflow.emulator import templates as tpl
from pushflow.emulator.errors import MpaasError
from pushflow.emulator.limits import (
    MPAAS_MAX_EXPIRED_SECONDS,
    MPAAS_MAX_EXTENDED_PARAMS,
    MPAAS_MAX_PENDING_SCHEDULED,
    MPAAS_MAX_TARGET_MSGKEYS,
    MPAAS_SYSTEM_EXTENDED_KEYS,
)
from pushflow.emulator.service import CallContext, Emulator
from pushflow.emulator.strategy import Strategy, parse
from pushflow.emulator.wire import Params, json_loads


def invalid(detail: str) -> MpaasError:
    return MpaasError(3028, detail)


def app_and_workspace(params: Params) -> tuple[str, str]:
    """3003 NEED_APPID_WORKSPACEID when either is missing."""
    app_id, workspace_id = params.text("AppId"), params.text("WorkspaceId")
    if not app_id or not workspace_id:
        raise MpaasError(3003, "AppId and WorkspaceId are required")
    return app_id, workspace_id


def task_name(params: Params) -> str:
    """3019 TASKNAME_NULL when TaskName is missing."""
    name = params.text("TaskName")
    if not name:
        raise MpaasError(3019, "TaskName is required")
    return name


def delivery_type(params: Params, allowed: Iterable[int]) -> int:
    """3009 DELIVERY_TYPE_NOT_SUPPORTED outside ``allowed``."""
    value = params.int_or("DeliveryType", None, lambda d: MpaasError(3009, d))
    if value is None or value not in set(allowed):
        raise MpaasError(3009, f"DeliveryType must be one of {sorted(allowed)}")
    return value


def expired_seconds(params: Params) -> int:
    """3020 EXPIREDSECONDS_WRONG (missing, not a positive integer); 3026 past the maximum."""
    value = params.int_or("ExpiredSeconds", None, lambda d: MpaasError(3020, d))
    if value is None or value <= 0:
        raise MpaasError(3020, "ExpiredSeconds must be a positive integer")
    if value > MPAAS_MAX_EXPIRED_SECONDS:
        raise MpaasError(3026, f"ExpiredSeconds must be at most {MPAAS_MAX_EXPIRED_SECONDS}")
    return value


def extended_params(raw: str, *, limit: int, code: int, name: str) -> dict[str, str]:
    """A JSON map of extension parameters: 3044 when malformed or using a system key.

    More than ``limit`` entries answer ``code`` (3035 for the request's ≤ 20; 3049 for
    PushMultiple's per-target < 10).
    """
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        raise MpaasError(3044, f"{name} is not valid JSON") from None
    if not isinstance(value, dict):
        raise MpaasError(3044, f"{name} must be a JSON object")
    if len(value) > limit:
        raise MpaasError(code, f"{name} has {len(value)} entries, at most {limit} allowed")
    reserved = sorted(set(value) & MPAAS_SYSTEM_EXTENDED_KEYS)
    if reserved:
        raise MpaasError(3044, f"{name} must not set system keys {', '.join(reserved)}")
    if "badge_add_num" in value:
        try:
            int(str(value["badge_add_num"]))
        except ValueError:
            raise MpaasError(3058, "badge_add_num must be an integer") from None
        if "badge_class" not in value:
            raise MpaasError(3059, "badge_add_num needs badge_class")
    return {str(k): str(v) for k, v in value.items()}


def request_extended_params(params: Params) -> dict[str, str]:
    return extended_params(
        params.text("ExtendedParams"),
        limit=MPAAS_MAX_EXTENDED_PARAMS,
        code=3035,
        name="ExtendedParams",
    )


def target_msgkeys(params: Params) -> dict[str, str]:
    """TargetMsgkey: 3021 when empty, 3028 when malformed, 3029 past 10 targets."""
    raw = params.text("TargetMsgkey")
    if not raw:
        raise MpaasError(3021, "TargetMsgkey is required")
    try:
        value = json.loads(raw)
    except ValueError:
        raise invalid("TargetMsgkey is not valid JSON") from None
    if not isinstance(value, dict):
        raise invalid("TargetMsgkey must be a JSON object of target to msgKey")
    if not value:
        raise MpaasError(3021, "TargetMsgkey has no target")
    if len(value) > MPAAS_MAX_TARGET_MSGKEYS:
        raise MpaasError(
            3029, f"TargetMsgkey has {len(value)} targets, at most {MPAAS_MAX_TARGET_MSGKEYS}"
        )
    pairs = {str(k).strip(): str(v).strip() for k, v in value.items()}
    if any(not k for k in pairs):
        raise MpaasError(3021, "TargetMsgkey has an empty target")
    if any(not v for v in pairs.values()):
        raise invalid("TargetMsgkey has an empty msgKey")
    return pairs


def template_for(emu: Emulator, params: Params) -> dict[str, Any]:
    """3025 NEED_TEMPLATE without TemplateName, 3022 TEMPLATE_NOT_EXIST when unknown."""
    name = params.text("TemplateName")
    if not name:
        raise MpaasError(3025, "TemplateName is required")
    template = emu.template(name)
    if template is None:
        raise MpaasError(3022, f"template {name!r} does not exist")
    return template


def template_values(raw: str, template: Mapping[str, Any], where: str) -> dict[str, str]:
    """TemplateKeyValue covering every placeholder (3023), a JSON map (3028)."""
    values: dict[str, Any] = {}
    if raw.strip():
        try:
            parsed = json_loads(raw)
        except ValueError:
            raise invalid(f"{where} is not valid JSON") from None
        if not isinstance(parsed, dict):
            raise invalid(f"{where} must be a JSON object")
        values = parsed
    needed = tpl.placeholders(template["title"], template["content"])
    if not values.keys() >= needed:
        missing = sorted(needed.difference(values))
        raise MpaasError(3023, f"{where} lacks placeholder(s) {', '.join(missing)}")
    return {str(k): str(v) for k, v in values.items()}


def payload_size(title: str, content: str, extended: Mapping[str, str]) -> int:
    """UTF-8 bytes of ``{"title": …, "content": …, "extendedParams": {…}}`` as ``json.dumps``
    (``ensure_ascii=False``) writes it."""
    return message_size(title, content, extended_size(extended))


def extended_size(extended: Mapping[str, str]) -> int:
    """The ``extendedParams`` share of :func:`payload_size`: the same for every target of a
    PushMultiple call without per-target parameters, so reckoned once."""
    return len(json.dumps(dict(extended), ensure_ascii=False).encode("utf-8"))


#: ``{"title": , "content": , "extendedParams": }``: the bytes ``json.dumps`` puts around the
#: three values with its default separators.
_FRAME_BYTES = len('{"title": , "content": , "extendedParams": }')


def message_size(title: str, content: str, extended_bytes: int) -> int:
    """:func:`payload_size` with the ``extendedParams`` share given: a string's JSON is what
    ``encode_basestring`` (the C escaper ``json.dumps`` uses for a ``str``) makes of it, so
    the object need not be built and serialised for each of 100 targets."""
    title_json, content_json = encode_basestring(title), encode_basestring(content)
    return (
        _FRAME_BYTES
        + (len(title_json) if title_json.isascii() else len(title_json.encode("utf-8")))
        + (len(content_json) if content_json.isascii() else len(content_json.encode("utf-8")))
        + extended_bytes
    )


def claim_msgkeys(
    emu: Emulator, ctx: CallContext, app_id: str, workspace_id: str, keys: Iterable[str]
) -> None:
    """Flag a repeated msgKey as ``duplicate``; in strict mode refuse it with 3028."""
    keys = list(keys)
    prefix = f"{app_id}|{workspace_id}|"
    stored = emu.store.get_many("msgkey", [prefix + key for key in keys])
    seen_here: set[str] = set()
    repeated = []
    first_seen = ctx.now.isoformat()
    new: dict[str, dict[str, str]] = {}  # store key -> record of each msgKey new to the store
    for key, record in zip(keys, stored, strict=True):
        if key in seen_here or record:
            repeated.append(key)
        elif record is None:
            new[prefix + key] = {"msg_key": key, "first_seen": first_seen}
        seen_here.add(key)
    if repeated:
        if emu.config.strict_msgkeys:
            raise invalid(f"msgKey already used: {', '.join(sorted(set(repeated)))}")
        ctx.duplicate = True
        ctx.notes.append(f"duplicate msgKey: {', '.join(sorted(set(repeated)))}")
    emu.store.put_many("msgkey", new.items())


def strategy(emu: Emulator, ctx: CallContext, app_id: str, workspace_id: str) -> Strategy:
    """Validate the strategy and the ≤ 100 pending scheduled tasks rule (3028)."""
    params = ctx.params
    kind = params.int_or("StrategyType", 0, invalid)
    parsed = parse(kind, params.text("StrategyContent"), ctx.now, emu.tz)
    if parsed.type != 0:
        pending = {
            s["parent_id"]
            for s in emu.store.values("schedule")
            if s["app_id"] == app_id
            and s["workspace_id"] == workspace_id
            and not s["executed"]
            and not s["cancelled"]
        }
        if len(pending) >= MPAAS_MAX_PENDING_SCHEDULED:
            raise invalid(
                f"at most {MPAAS_MAX_PENDING_SCHEDULED} unexecuted scheduled tasks are allowed"
            )
    return parsed
