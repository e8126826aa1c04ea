"""What a target id of each audience kind may look like.

Each rule says where it comes from (docs/audiences.md has the table):

- **EMAS device ids** are 32 digits and lowercase letters: the SDK's parameter docs
  (``alibabacloud_push20160801`` ``CheckDeviceRequest.device_id``, ``BindAliasRequest.device_id``:
  "32 characters long and contains only digits and lowercase letters").
- **EMAS aliases** are at most 128 bytes of UTF-8 (``BindAliasRequest.alias_name``: "Each alias
  can be up to 128 bytes long. Chinese characters count as three bytes each").
- **EMAS accounts and every mPaaS id** (Android, iOS and Harmony device ids, user ids): no source
  states a format, so only pushflow's baseline applies.

The baseline, applied to every kind: no comma (EMAS ``TargetValue`` is a comma-separated list,
emas-push.zh.txt: "多个值使用逗号分隔", so a comma would split one id into two targets), no
whitespace and no control character (an id is one token; the idempotency keys of
:mod:`pushflow.plan.keys` join parts with NUL), and at most 256 characters where no tighter limit
is stated. Leading and trailing blanks were already stripped by the readers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

from pushflow.audience.sources import Row, RowError
from pushflow.errors import Problem
from pushflow.spec.audience import EmasAudience, MpaasBroadcast, MpaasListAudience

#: Longest id accepted where no source states a limit.
BASELINE_MAX_CHARS = 256
#: Longest EMAS alias in UTF-8 bytes (BindAliasRequest.alias_name).
ALIAS_MAX_BYTES = 128

#: Any character but whitespace, a comma, a C0/C1 control or a lone surrogate (no UTF-8 form).
_TOKEN = r"^\s,\x00-\x1f\x7f-\x9f\ud800-\udfff"
#: How much of a bad id a message quotes.
_SHOWN = 40


@dataclass(frozen=True)
class IdRule:
    """The shape of one kind's target ids: allowed characters (a regex class) and lengths."""

    name: str
    allowed: str
    expected: str
    min_chars: int = 1
    max_chars: int = BASELINE_MAX_CHARS
    max_bytes: int | None = None

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """A whole id: allowed characters, between ``min_chars`` and ``max_chars`` of them."""
        return re.compile(f"[{self.allowed}]{{{self.min_chars},{self.max_chars}}}")

    def check(self, target: str) -> str | None:
        """Why ``target`` is not an id of this kind, or None when it is one."""
        if self.pattern.fullmatch(target) and (
            self.max_bytes is None or len(target.encode("utf-8")) <= self.max_bytes
        ):
            return None
        return f"{_shown(target)} is not {self.name}: expected {self.expected}{self._why(target)}"

    def problems(self, targets: Sequence[str]) -> list[tuple[int, str]]:
        """The index and the problem (what :meth:`check` says) of each id in ``targets`` that is
        not an id of this kind, in order.

        Ids that are all ASCII are checked together, without a Python step per id: by their
        lengths, and by deleting every character the rule allows from their bytes (nothing may
        be left). Any other list, or one with a bad id, is checked id by id.
        """
        allowed = self._ascii
        text = "".join(targets)
        if text.isascii():
            lengths = list(map(len, targets))
            longest = max(lengths, default=0)
            if (
                min(lengths, default=self.min_chars) >= self.min_chars
                and longest <= self.max_chars
                and (self.max_bytes is None or longest <= self.max_bytes)
                and not text.encode("ascii").translate(None, allowed)
            ):
                return []
        check = self.check
        return [
            (n, wrong) for n, target in enumerate(targets) if (wrong := check(target)) is not None
        ]

    @cached_property
    def _ascii(self) -> bytes:
        """Every ASCII character an id may hold."""
        one = re.compile(f"[{self.allowed}]")
        return bytes(code for code in range(128) if one.fullmatch(chr(code)))

    def _why(self, target: str) -> str:
        one = re.compile(f"[{self.allowed}]")
        char = next((ch for ch in target if not one.fullmatch(ch)), None)
        if char is None:
            size, unit = (
                (len(target.encode("utf-8")), "byte")
                if self.max_bytes is not None
                else (len(target), "character")
            )
            return f" (it has {size} {unit}{'' if size == 1 else 's'})"
        if char == ",":
            return " (it holds a comma)"
        if char.isspace():
            return " (it holds whitespace)"
        if not char.isprintable() or "\ud800" <= char <= "\udfff":
            return f" (it holds the character {char!a})"
        return f" (`{char}` is not allowed)"


def _shown(target: str) -> str:
    text = target if len(target) <= _SHOWN else target[:_SHOWN] + "…"
    return f"`{text}`" if text.isprintable() else ascii(text)


EMAS_DEVICE = IdRule(
    "an EMAS device id",
    "0-9a-z",
    "32 digits and lowercase letters",
    min_chars=32,
    max_chars=32,
)
EMAS_ALIAS = IdRule(
    "an EMAS alias",
    _TOKEN,
    f"at most {ALIAS_MAX_BYTES} bytes of UTF-8, no comma, whitespace or control character",
    max_chars=ALIAS_MAX_BYTES,
    max_bytes=ALIAS_MAX_BYTES,
)


def baseline(name: str) -> IdRule:
    """The rule for ids whose format no source states."""
    return IdRule(
        name,
        _TOKEN,
        f"at most {BASELINE_MAX_CHARS} characters, no comma, whitespace or control character",
    )


_RULES: dict[tuple[str, str], IdRule] = {
    ("emas", "device"): EMAS_DEVICE,
    ("emas", "alias"): EMAS_ALIAS,
    ("emas", "account"): baseline("an EMAS account"),
    ("mpaas", "android_device"): baseline("an mPaaS Android device id"),
    ("mpaas", "ios_device"): baseline("an mPaaS iOS device id"),
    ("mpaas", "harmony_device"): baseline("an mPaaS Harmony device id"),
    ("mpaas", "user"): baseline("an mPaaS user id"),
}


def id_rule(audience: EmasAudience | MpaasListAudience | MpaasBroadcast) -> IdRule | None:
    """The id rule of a list audience; None for audiences the service expands (tag, all, …)."""
    provider = "emas" if isinstance(audience, EmasAudience) else "mpaas"
    return _RULES.get((provider, audience.kind))


def checked(rows: Iterable[Row | RowError], against: IdRule) -> Iterator[Row | RowError]:
    """``rows`` with every id that breaks ``against`` turned into a positioned :class:`RowError`."""
    for row in rows:
        if isinstance(row, Row):
            wrong = against.check(row.target)
            if wrong is not None:
                yield RowError(Problem(row.location, wrong, rule="audience-row-id"))
                continue
        yield row
