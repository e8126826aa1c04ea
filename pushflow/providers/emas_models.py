"""EMAS Mobile Push (API 2016-08-01) request and response models.

Field names are the SDK's (``alibabacloud_push20160801``) in snake_case; wire names are checked
against its ``to_map()`` in the tests. :class:`PushTask` is one message: the body of ``Push`` and
one element of ``MassPush``'s ``PushTask.N.*`` list. ``target="TBD"`` makes ``Push`` store a
message for ``ContinuouslyPush`` instead of sending it.
"""

from __future__ import annotations

from pydantic import Field

from pushflow.providers.wire import WireRequest, WireResponse

#: ``Push`` with this target stores the message (24 h) for ``ContinuouslyPush``.
TARGET_TBD = "TBD"


class PushTask(WireRequest):
    """One push: what to send (``push_type`` MESSAGE/NOTICE), to whom, and how on each OS.

    ``device_type``: ANDROID, iOS, HARMONY or ALL; ``target``: DEVICE, ACCOUNT, ALIAS, TAG, ALL
    or TBD, with ``target_value`` the comma-separated ids. ``push_time``/``expire_time`` are
    ISO 8601 UTC (``2024-05-01T08:00:00Z``). The two ``android_oppo_private_*_parameters`` maps
    go out as one JSON string in ``Push`` and as ``PushTask.N.<name>.<key>`` in ``MassPush``,
    as the SDK sends them.
    """

    device_type: str
    push_type: str
    target: str
    target_value: str
    android_activity: str | None = None
    android_badge_add_num: int | None = None
    android_badge_class: str | None = None
    android_badge_set_num: int | None = None
    android_big_body: str | None = None
    android_big_picture_url: str | None = None
    android_big_title: str | None = None
    android_ext_parameters: str | None = None
    android_honor_target_user_type: int | None = None
    android_huawei_business_type: int | None = None
    android_huawei_live_notification_payload: str | None = None
    android_huawei_receipt_id: str | None = None
    android_huawei_target_user_type: int | None = None
    android_image_url: str | None = None
    android_inbox_body: str | None = None
    android_meizu_notice_msg_type: int | None = None
    android_message_huawei_category: str | None = None
    android_message_huawei_urgency: str | None = None
    android_message_oppo_category: str | None = None
    android_message_oppo_notify_level: int | None = None
    android_message_vivo_category: str | None = None
    android_music: str | None = None
    android_notification_bar_priority: int | None = None
    android_notification_bar_type: int | None = None
    android_notification_channel: str | None = None
    android_notification_group: str | None = None
    android_notification_honor_channel: str | None = None
    android_notification_huawei_channel: str | None = None
    android_notification_notify_id: int | None = None
    android_notification_thread_id: str | None = None
    android_notification_vivo_channel: str | None = None
    android_notification_xiaomi_channel: str | None = None
    android_notify_type: str | None = None
    android_open_type: str | None = None
    android_open_url: str | None = None
    android_oppo_delete_intent_data: str | None = None
    android_oppo_intelligent_intent: str | None = None
    android_oppo_intent_env: int | None = None
    android_oppo_private_content_parameters: dict[str, str] | None = None
    android_oppo_private_msg_template_id: str | None = None
    android_oppo_private_title_parameters: dict[str, str] | None = None
    android_popup_activity: str | None = None
    android_popup_body: str | None = None
    android_popup_title: str | None = None
    android_remind: bool | None = None
    android_render_style: str | None = None
    android_target_user_type: int | None = None
    android_vivo_live_message: str | None = None
    android_vivo_push_mode: int | None = None
    android_vivo_receipt_id: str | None = None
    android_xiao_mi_activity: str | None = None
    android_xiao_mi_notify_body: str | None = None
    android_xiao_mi_notify_title: str | None = None
    android_xiaomi_big_picture_url: str | None = None
    android_xiaomi_focus_param: str | None = None
    android_xiaomi_focus_pics: str | None = None
    android_xiaomi_image_url: str | None = None
    android_xiaomi_template_id: str | None = None
    android_xiaomi_template_params: str | None = None
    body: str | None = None
    expire_time: str | None = None
    harmony_action: str | None = None
    harmony_action_type: str | None = None
    harmony_badge_add_num: int | None = None
    harmony_badge_set_num: int | None = None
    harmony_category: str | None = None
    harmony_ext_parameters: str | None = None
    harmony_extension_extra_data: str | None = None
    harmony_extension_push: bool | None = None
    harmony_image_url: str | None = None
    harmony_inbox_content: str | None = None
    harmony_live_view_payload: str | None = None
    harmony_notification_slot_type: str | None = None
    harmony_notify_id: int | None = None
    harmony_receipt_id: str | None = None
    harmony_remind: bool | None = None
    harmony_remind_body: str | None = None
    harmony_remind_title: str | None = None
    harmony_render_style: str | None = None
    harmony_test_message: bool | None = None
    harmony_uri: str | None = None
    job_key: str | None = None
    push_time: str | None = None
    send_channels: str | None = None
    send_speed: int | None = None
    store_offline: bool | None = None
    title: str | None = None
    trim: bool | None = None
    ios_apns_env: str | None = None
    ios_badge: int | None = None
    ios_badge_auto_increment: bool | None = None
    ios_ext_parameters: str | None = None
    ios_interruption_level: str | None = None
    ios_live_activity_attributes: str | None = None
    ios_live_activity_attributes_type: str | None = None
    ios_live_activity_content_state: str | None = None
    ios_live_activity_dismissal_date: int | None = None
    ios_live_activity_event: str | None = None
    ios_live_activity_id: str | None = None
    ios_live_activity_stale_date: int | None = None
    ios_music: str | None = None
    ios_mutable_content: bool | None = None
    ios_notification_category: str | None = None
    ios_notification_collapse_id: str | None = None
    ios_notification_thread_id: str | None = None
    ios_relevance_score: float | None = None
    ios_remind: bool | None = None
    ios_remind_body: str | None = None
    ios_silent_notification: bool | None = None
    ios_subtitle: str | None = None


class PushRequest(PushTask):
    """``Push``: one message to one target selection, optionally with an SMS fallback."""

    app_key: int
    idempotent_token: str | None = None
    sms_delay_secs: int | None = None
    sms_params: str | None = None
    sms_send_policy: int | None = None
    sms_sign_name: str | None = None
    sms_template_name: str | None = None


class MassPushRequest(WireRequest):
    """``MassPush``: up to 100 :class:`PushTask` in one call, deduplicated by the token."""

    app_key: int
    push_task: list[PushTask] = Field(min_length=1)
    idempotent_token: str | None = None


class ContinuouslyPushRequest(WireRequest):
    """``ContinuouslyPush``: send a stored (``target="TBD"``) message to more targets."""

    app_key: int
    message_id: str
    target: str
    target_value: str


class CompleteContinuouslyPushRequest(WireRequest):
    """``CompleteContinuouslyPush``: no more targets will follow for this message."""

    app_key: int
    message_id: str


class CancelPushRequest(WireRequest):
    """``CancelPush``: cancel a scheduled (``push_time``) message before it is sent."""

    app_key: int
    message_id: str


class QueryPushStatByMsgRequest(WireRequest):
    """``QueryPushStatByMsg``: delivery counters of one message."""

    app_key: int
    message_id: str


class QueryPushRecordsRequest(WireRequest):
    """``QueryPushRecords``: messages sent in a time window (ISO 8601 UTC), paged."""

    app_key: int
    start_time: str
    end_time: str
    keyword: str | None = None
    next_token: str | None = None
    page: int | None = None
    page_size: int | None = None
    push_type: str | None = None
    source: str | None = None
    target: str | None = None


class PushResponse(WireResponse):
    """The answer to ``Push``, ``ContinuouslyPush`` and ``CompleteContinuouslyPush``."""

    message_id: str | None = None
    request_id: str | None = None


class MessageIds(WireResponse):
    message_id: list[str] = Field(default_factory=list)


class MassPushResponse(WireResponse):
    """The answer to ``MassPush``: one message id per task, in task order."""

    message_ids: MessageIds = Field(default_factory=MessageIds)
    request_id: str | None = None


class CancelPushResponse(WireResponse):
    request_id: str | None = None


class PushStat(WireResponse):
    message_id: str | None = None
    accept_count: int = 0
    deleted_count: int = 0
    opened_count: int = 0
    received_count: int = 0
    sent_count: int = 0
    sms_failed_count: int = 0
    sms_receive_failed_count: int = 0
    sms_receive_success_count: int = 0
    sms_sent_count: int = 0
    sms_skip_count: int = 0


class PushStats(WireResponse):
    push_stat: list[PushStat] = Field(default_factory=list)


class QueryPushStatByMsgResponse(WireResponse):
    push_stats: PushStats = Field(default_factory=PushStats)
    request_id: str | None = None


class PushInfo(WireResponse):
    app_key: str | None = None
    message_id: str | None = None
    body: str | None = None
    device_type: str | None = None
    push_time: str | None = None
    push_type: str | None = None
    source: str | None = None
    status: str | None = None
    target: str | None = None
    title: str | None = None


class PushInfos(WireResponse):
    push_info: list[PushInfo] = Field(default_factory=list)


class QueryPushRecordsResponse(WireResponse):
    next_token: str | None = None
    page: int | None = None
    page_size: int | None = None
    total: int | None = None
    push_infos: PushInfos = Field(default_factory=PushInfos)
    request_id: str | None = None
