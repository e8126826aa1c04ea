"""Documented limits of both services, each with the document it comes from.

Seeds live in ``/work/shared/seeds/`` (the services' own documentation). Where a figure is not in
a seed, the comment says where it comes from instead: the official SDK's model docs
(``alibabacloud_push20160801`` / ``alibabacloud_mpaas20201028``), the issue that asked for the
emulator, or "emulator assumption" when no document gives a number and the emulator had to pick
one. ``docs/emulator.md`` renders this module as a table.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

# --- signatures (Alibaba Cloud POP gateway, both services) -------------------------------------
# Alibaba Cloud common request rules: a request's timestamp may be at most 15 minutes off, and a
# nonce may be used once within that window. Source: issue brief (POP gateway behaviour).
MAX_TIMESTAMP_SKEW: Final = timedelta(minutes=15)
NONCE_TTL: Final = timedelta(minutes=15)

# --- mPaaS Message Push (API 2020-10-28) --------------------------------------------------------
# mpaas-server-api.zh.txt, PushSimple/PushTemplate targetMsgkey: "推送目标不可以超过 10 个" (3029).
MPAAS_MAX_TARGET_MSGKEYS: Final = 10
# mpaas-push-multiple.en.txt deliveryType note: "maximum number of targets ... is 100" (3055).
MPAAS_MAX_MULTIPLE_TARGETS: Final = 100
# mpaas-server-api.zh.txt result codes: 3035 "扩展字段太多,不能超过 20 个".
MPAAS_MAX_EXTENDED_PARAMS: Final = 20
# mpaas-server-api.zh.txt result codes: 3049 "批量推送内部扩展参数需小于 10 个" (strictly fewer).
MPAAS_MAX_INNER_EXTENDED_PARAMS_EXCLUSIVE: Final = 10
# mpaas-server-api.zh.txt strategyDetail: "循环结束时间不得超过当天后的 180 天".
MPAAS_LOOP_END_MAX_DAYS: Final = 180
# mpaas-server-api.zh.txt strategyDetail 说明: "未执行的定时或循环推送任务总数上限默认为 100 条".
MPAAS_MAX_PENDING_SCHEDULED: Final = 100
# mpaas-server-api.zh.txt 消息撤回: "仅支持撤回最近 7 天内的消息".
MPAAS_REVOKE_WINDOW: Final = timedelta(days=7)
# mpaas-server-api.zh.txt QueryPushAnalysisCoreIndex: "开始时间和结束时间间隔不能超过 90 天".
MPAAS_ANALYSIS_MAX_DAYS: Final = 90
# mpaas-server-api.zh.txt CancelPushScheduler uniqueIds: "多个 ID 以“,”分隔,上限为 30 个".
MPAAS_MAX_CANCEL_IDS: Final = 30
# mpaas-server-api.zh.txt QueryPushAnalysisTaskList / QueryPushSchedulerList: "页数,默认为 500".
MPAAS_DEFAULT_PAGE_SIZE: Final = 500
# mpaas-server-api.zh.txt 扩展参数: system keys whose values must not be set by the caller.
MPAAS_SYSTEM_EXTENDED_KEYS: Final = frozenset(
    {"notifyType", "action", "silent", "pushType", "templateCode", "channel", "taskId"}
)
# Emulator assumption: no seed gives the longest expiredSeconds (3026 EXPIREDTIME_TOO_LONG); the
# emulator uses EMAS's 72 hours (emas-push.zh.txt ExpireTime "最长保存 72 小时").
MPAAS_MAX_EXPIRED_SECONDS: Final = 72 * 3600
# Emulator assumption: no seed gives the message-body cap behind 3043/3050; the emulator uses
# the 4,000-byte pass-through cap of the EMAS PushTask docs (help.aliyun.com 2979224).
MPAAS_MAX_PAYLOAD_BYTES: Final = 4000

# --- EMAS Mobile Push (API 2016-08-01) ----------------------------------------------------------
# emas-continuously-push.zh.txt and SDK PushRequest.target_value: DEVICE/ACCOUNT/ALIAS
# "最多支持 1000 个".
EMAS_MAX_TARGET_VALUES: Final = 1000
# emas-push.zh.txt PushTime: "设置定时发送最迟不能晚于 7 天发送".
EMAS_MAX_PUSH_AHEAD: Final = timedelta(days=7)
# emas-push.zh.txt ExpireTime: "最长保存 72 小时" and "不能小于当前时间或者定时发送时间加上 3 秒".
EMAS_MAX_EXPIRE_AFTER: Final = timedelta(hours=72)
EMAS_MIN_EXPIRE_AFTER: Final = timedelta(seconds=3)
# emas-push.zh.txt Title: "长度限制:200 字节"; AndroidBigTitle 200 bytes; AndroidBigBody 1000 bytes.
EMAS_MAX_TITLE_BYTES: Final = 200
EMAS_MAX_BIG_TITLE_BYTES: Final = 200
EMAS_MAX_BIG_BODY_BYTES: Final = 1000
# emas-push.zh.txt AndroidPopupTitle "长度限制:30 字符", AndroidPopupBody "长度限制:128 字符".
EMAS_MAX_POPUP_TITLE_CHARS: Final = 30
EMAS_MAX_POPUP_BODY_CHARS: Final = 128
# emas-push.zh.txt AndroidInboxBody "元素不超过 5 个"; HarmonyInboxContent "最多支持 3 条内容".
EMAS_MAX_INBOX_LINES: Final = 5
EMAS_MAX_HARMONY_INBOX_LINES: Final = 3
# emas-push.zh.txt AndroidNotificationBarType "取值:1-100"; BarPriority "-2,-1,0,1,2";
# AndroidBadgeSetNum "取值范围[1~99]"; iOSRelevanceScore "[0,1]"; SmsDelaySecs "最大不超过 3 天".
EMAS_BAR_TYPE_RANGE: Final = (1, 100)
EMAS_BAR_PRIORITY_RANGE: Final = (-2, 2)
EMAS_BADGE_SET_RANGE: Final = (1, 99)
EMAS_MAX_SMS_DELAY_SECS: Final = 3 * 24 * 3600
# emas-push.zh.txt JobKey: "只能使用字母或数字或符号‘_’、‘-’ ... 且长度不超过 32 个字符".
EMAS_JOBKEY_PATTERN: Final = r"[A-Za-z0-9_-]{1,32}"
# SDK PushRequest/MassPushRequest.idempotent_token: 36-char UUID, same token within 15 minutes
# returns the first result and sends nothing new.
EMAS_IDEMPOTENT_WINDOW: Final = timedelta(minutes=15)
EMAS_IDEMPOTENT_PATTERN: Final = (
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
# emas-continuously-push.zh.txt: "这个消息默认会在推送系统保存24个小时" and
# "限制在同一个 MessageId 上推送的总次数为 10000".
EMAS_TBD_LIFETIME: Final = timedelta(hours=24)
EMAS_MAX_CONTINUOUS_CALLS: Final = 10_000
# Emulator assumption: no seed caps PushTask.N for MassPush; the public MassPush docs say 100.
EMAS_MAX_MASS_TASKS: Final = 100
# Emulator assumption: no seed names a QueryPushRecords span; the emulator answers
# InvalidPeriod.ExceedDays (emas-push.zh.txt error table) past 7 days.
EMAS_RECORDS_MAX_DAYS: Final = 7
# SDK QueryPushRecordsRequest: "Page ... Maximum: 10,000", "PageSize ... Default: 20. Maximum: 100".
EMAS_RECORDS_MAX_PAGE: Final = 10_000
EMAS_RECORDS_DEFAULT_PAGE_SIZE: Final = 20
EMAS_RECORDS_MAX_PAGE_SIZE: Final = 100
# Emulator assumption: no seed gives the total Body cap ("参见产品限制"); 4,000 bytes as for
# the pass-through message of the EMAS PushTask docs (help.aliyun.com 2979224).
EMAS_MAX_BODY_BYTES: Final = 4000

# --- quotas (only enforced with --quotas) -------------------------------------------------------
# Issue brief (EMAS API rate limits; not in the seeds): MassPush and ContinuouslyPush 500 calls/s,
# QueryPushStatByMsg 50 calls/s, per account.
EMAS_RATE_PER_SECOND: Final = {"MassPush": 500, "ContinuouslyPush": 500, "QueryPushStatByMsg": 50}
# SDK PushRequest.target ALL: "the interval between two full pushes of the same DeviceType must be
# at least 1 second" (seed emas-push.zh.txt names Target ALL, the SDK model gives the interval).
EMAS_ALL_PUSH_MIN_INTERVAL: Final = timedelta(seconds=1)
# Issue brief (not in the seeds): at most 10 notices and 30 messages pushed to ALL per AppKey
# within 10 minutes.
EMAS_ALL_PUSH_WINDOW: Final = timedelta(minutes=10)
EMAS_ALL_PUSH_MAX_NOTICES: Final = 10
EMAS_ALL_PUSH_MAX_MESSAGES: Final = 30
