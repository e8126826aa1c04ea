"""mPaaS Message Push (API 2020-10-28) request and response models.

Field names are the SDK's (``alibabacloud_mpaas20201028``) in snake_case; wire names are checked
against its ``to_map()`` in the tests. Maps the service takes as JSON strings (``TargetMsgkey``,
``TemplateKeyValue``, ``ExtendedParams``, ``StrategyContent``, the ``NotifyLevel`` and
``ThirdChannelCategory`` shrink fields) are typed maps here and serialised as compact JSON;
``TransparentMessagePayload`` and ``ActivityContentState`` are flattened ``Key.sub=value`` as the
SDK does. Every answer carries the envelope of :class:`MpaasResponse`.
"""

from __future__ import annotations

import functools
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer
from pydantic.alias_generators import to_camel

from pushflow.providers.form import json_map
from pushflow.providers.wire import (
    JsonMap,
    JsonStrMap,
    WireRequest,
    WireResponse,
    compact_json,
    flatten,
    wire_name,
)


class Strategy(BaseModel):
    """``StrategyContent``: when a scheduled (1) or looping (2) push fires. Times in epoch ms."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, alias_generator=to_camel
    )

    fixed_time: int | None = None
    start_time: int | None = None
    end_time: int | None = None
    circle_type: int | None = None
    circle_value: list[int] | None = None
    time: str | None = None


def _strategy_json(strategy: Strategy) -> str:
    return compact_json(strategy.model_dump(by_alias=True, exclude_none=True))


StrategyJson = Annotated[Strategy, PlainSerializer(_strategy_json, return_type=str)]


class MpaasRequest(WireRequest):
    """Which app every mPaaS call is about."""

    app_id: str
    workspace_id: str
    tenant_id: str | None = None


class PushOptions(MpaasRequest):
    """Parameters all four push operations share.

    ``delivery_type``: 1 Android device, 2 iOS device, 3 user, (5 HarmonyOS device);
    ``strategy_type``: 0 now, 1 scheduled, 2 loop, with ``strategy_content`` for 1 and 2.
    """

    delivery_type: int
    expired_seconds: int
    task_name: str | None = None
    channel_id: str | None = None
    classification: str | None = None
    mi_channel_id: str | None = None
    notify_type: str | None = None
    push_action: int | None = None
    silent: int | None = None
    strategy_type: int | None = None
    strategy_content: StrategyJson | None = None
    extended_params: JsonStrMap | None = None
    notify_level: JsonMap | None = None
    third_channel_category: JsonMap | None = None
    transparent_message_payload: dict[str, Any] | None = None
    transparent_message_urgency: str | None = None
    vendor_template: str | None = None


class _LiveActivity(WireRequest):
    """iOS Live Activity fields of PushSimple, PushTemplate and PushMultiple."""

    activity_content_state: dict[str, Any] | None = None
    activity_event: str | None = None
    dismissal_date: int | None = None


class _SmsFallback(WireRequest):
    """SMS fallback fields of PushSimple and PushTemplate."""

    sms_sign_name: str | None = None
    sms_strategy: int | None = None
    sms_template_code: str | None = None
    sms_template_param: str | None = None


class PushSimpleRequest(PushOptions, _LiveActivity, _SmsFallback):
    """``PushSimple``: literal title and content to ≤ 10 targets (``{target: msgKey}``)."""

    title: str
    content: str
    target_msgkey: JsonStrMap
    push_style: int | None = None
    icon_urls: JsonStrMap | None = None
    image_urls: JsonStrMap | None = None
    uri: str | None = None


class PushTemplateRequest(PushOptions, _LiveActivity, _SmsFallback):
    """``PushTemplate``: one template, one set of ``#placeholder#`` values, ≤ 10 targets."""

    template_name: str
    target_msgkey: JsonStrMap
    template_key_value: JsonStrMap | None = None


class TargetMsg(WireRequest):
    """One ``TargetMsg.N``: a target with its own msgKey and placeholder values."""

    target: str
    msg_key: str
    template_key_value: JsonStrMap | None = None
    extended_params: JsonStrMap | None = None


#: ``TargetMsg`` fields: every one a text or a map sent as JSON.
_TARGET_MSG_FIELDS = tuple(TargetMsg.model_fields)


class PushMultipleRequest(PushOptions, _LiveActivity):
    """``PushMultiple``: one template, per-target values (``TargetMsg.N.*``)."""

    template_name: str
    target_msg: list[TargetMsg] = Field(min_length=1)

    def params(self) -> dict[str, str]:
        """As :meth:`WireRequest.params`, each ``TargetMsg.N.*`` written directly (texts as they
        are, maps as compact JSON, as their serialiser does, carrying their form encoding:
        :func:`~pushflow.providers.form.json_map`): a call has up to 100 of them, and dumping
        them as models and flattening that costs more than the call's HTTP."""
        params = flatten(self.model_dump(by_alias=True, exclude_none=True, exclude={"target_msg"}))
        for number, item in enumerate(self.target_msg, start=1):
            fields = item.__dict__  # a model's field values (pydantic keeps them there)
            for name, wire in zip(_TARGET_MSG_FIELDS, _target_msg_names(number), strict=True):
                value = fields[name]
                if value is not None:
                    params[wire] = value if isinstance(value, str) else json_map(value)
        return params


@functools.cache
def _target_msg_names(number: int) -> tuple[str, ...]:
    """The wire names of ``TargetMsg.{number}``'s fields, in :data:`_TARGET_MSG_FIELDS` order."""
    return tuple(f"TargetMsg.{number}.{wire_name(name)}" for name in _TARGET_MSG_FIELDS)


class PushBroadcastRequest(PushOptions):
    """``PushBroadcast``: one template to every device (or user) of the app."""

    template_name: str
    msgkey: str
    template_key_value: JsonStrMap | None = None
    android_channel: int | None = None
    push_status: int | None = None
    time_mode: int | None = None
    bind_period: int | None = None
    bind_start_time: int | None = None
    bind_end_time: int | None = None
    un_bind_period: int | None = None
    un_bind_start_time: int | None = None
    un_bind_end_time: int | None = None


class RevokePushMessageRequest(MpaasRequest):
    """``RevokePushMessage``: revoke one PushSimple/PushTemplate message for one target."""

    message_id: str
    target_id: str


class RevokePushTaskRequest(MpaasRequest):
    """``RevokePushTask``: revoke a PushMultiple/PushBroadcast task."""

    task_id: str


class QueryPushAnalysisCoreIndexRequest(MpaasRequest):
    start_time: int
    end_time: int
    channel: str | None = None
    platform: str | None = None
    task_id: str | None = None
    type: str | None = None


class QueryPushAnalysisTaskListRequest(MpaasRequest):
    start_time: int
    page_number: int | None = None
    page_size: int | None = None
    task_id: str | None = None
    task_name: str | None = None


class QueryPushAnalysisTaskDetailRequest(MpaasRequest):
    task_id: str


class QueryPushSchedulerListRequest(MpaasRequest):
    start_time: int
    end_time: int
    page_number: int | None = None
    page_size: int | None = None
    type: int | None = None
    unique_id: str | None = None


class CancelPushSchedulerRequest(MpaasRequest):
    """``CancelPushScheduler``: ``unique_ids`` is a comma-separated list of scheduled ids."""

    unique_ids: str
    type: int | None = None


class MpaasResponse(WireResponse):
    """The envelope: ``ResultCode`` ``OK`` (or ``100``) on success, a result code otherwise."""

    request_id: str | None = None
    result_code: str | None = None
    result_message: str | None = None


class PushResult(WireResponse):
    success: bool | None = None
    result_msg: str | None = None
    data: str | None = None


class PushResponse(MpaasResponse):
    """Answer of the push and revoke operations; ``push_result.data`` is the task id."""

    push_result: PushResult | None = None


class CoreIndex(WireResponse):
    push_total_num: float | None = None
    push_num: float | None = None
    arrival_num: float | None = None
    arrival_rate: float | None = None
    open_num: float | None = None
    open_rate: float | None = None
    ignore_num: float | None = None
    ignore_rate: float | None = None


class CoreIndexContent(WireResponse):
    data: CoreIndex | None = None


class QueryPushAnalysisCoreIndexResponse(MpaasResponse):
    result_content: CoreIndexContent | None = None


class AnalysisTask(WireResponse):
    task_id: str | None = None
    task_name: str | None = None
    template_id: str | None = None
    template_name: str | None = None
    type: int | None = None
    gmt_create: int | None = None
    children: list[AnalysisTask] = Field(default_factory=list, alias="List")


class TaskListContent(WireResponse):
    data: list[AnalysisTask] = Field(default_factory=list)


class QueryPushAnalysisTaskListResponse(MpaasResponse):
    result_content: TaskListContent | None = None


class TaskDetail(WireResponse):
    task_id: str | None = None
    start_time: int | None = None
    end_time: int | None = None
    duration: str | None = None
    push_num: float | None = None
    push_success_num: float | None = None
    push_arrival_num: float | None = None


class TaskDetailContent(WireResponse):
    data: TaskDetail | None = None


class QueryPushAnalysisTaskDetailResponse(MpaasResponse):
    result_content: TaskDetailContent | None = None


class ScheduledPush(WireResponse):
    unique_id: str | None = None
    parent_id: str | None = None
    push_title: str | None = None
    push_content: str | None = None
    push_time: int | None = None
    gmt_create: int | None = None
    executed_status: str | None = None
    strategy_type: int | None = None
    delivery_type: int | None = None
    create_type: int | None = None
    type: int | None = None


class SchedulerPage(WireResponse):
    items: list[ScheduledPush] = Field(default_factory=list, alias="List")
    total_count: int | None = None


class SchedulerListContent(WireResponse):
    data: SchedulerPage | None = None


class QueryPushSchedulerListResponse(MpaasResponse):
    result_content: SchedulerListContent | None = None


class CancelPushSchedulerResponse(MpaasResponse):
    result_content: str | None = None
