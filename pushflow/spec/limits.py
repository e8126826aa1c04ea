"""Documented limits the spec checks, each with the seed (``shared/seeds/``) it comes from.

The emulator keeps its own copy on purpose: it is an independent model of the services, so a
wrong number here shows up as a disagreement instead of being shared by both sides.
"""

from datetime import timedelta

# emas-push.zh.txt, Title: "长度限制:200 字节"
EMAS_TITLE_MAX_BYTES = 200
# emas-push.zh.txt, PushTime: "设置定时发送最迟不能晚于 7 天发送"
EMAS_PUSH_TIME_MAX_AHEAD = timedelta(days=7)
# emas-push.zh.txt, ExpireTime: "最长保存 72 小时。默认为 72 小时"
EMAS_EXPIRE_MAX = timedelta(hours=72)
# emas-push.zh.txt, ExpireTime: "过期时间不能小于当前时间或者定时发送时间加上 3 秒"
EMAS_EXPIRE_MIN = timedelta(seconds=3)
# emas-push.zh.txt, JobKey: "只能使用字母或数字或符号'_'、'-'任意一项或组合,且长度不超过 32 个字符"
EMAS_JOB_KEY_PATTERN = r"^[A-Za-z0-9_-]{1,32}$"
# emas-continuously-push.en.txt: "up to 1,000 supported" per call for DEVICE/ACCOUNT/ALIAS
EMAS_TARGETS_PER_CALL = 1000
# emas-continuously-push.en.txt: "Continuous push supports only these three target types"
EMAS_CONTINUOUS_TARGETS = frozenset({"device", "account", "alias"})

# mpaas-server-api.zh.txt, strategyDetail.endTime: "循环结束时间不得超过当天后的 180 天"
MPAAS_LOOP_MAX_AHEAD = timedelta(days=180)
# mpaas-server-api.zh.txt result code 3035: "扩展字段太多,不能超过 20 个"
MPAAS_EXTENDED_PARAMS_MAX = 20
# mpaas-server-api.zh.txt result code 3049: "批量推送内部扩展参数需小于 10 个"
MPAAS_TARGET_EXTENDED_PARAMS_MAX = 9
# mpaas-server-api.zh.txt, PushSimple targetMsgkey: "推送目标不可以超过 10 个" (3029)
MPAAS_SIMPLE_TARGETS_MAX = 10
# mpaas-push-multiple.en.txt: "The maximum number of targets ... is 100" (3055)
MPAAS_MULTIPLE_TARGETS_MAX = 100
