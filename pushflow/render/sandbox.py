"""The Jinja2 environment templates run in: no files, no Python internals, bounded work.

Layers of protection, outermost first:

- :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment`: no ``_``-attributes, no function
  internals, no mutation of lists, dicts or sets;
- no loader, and ``{% include %}``, ``{% import %}``, ``{% extends %}``, ``{% macro %}`` and
  ``{% call %}`` are refused when compiling (see :mod:`pushflow.render.compiler`): nothing is read
  from disk and nothing recurses;
- budgets (:mod:`pushflow.render.limits`): ``range()`` length, loop iterations, size of any string
  built with ``*``, ``%``, ``str`` methods or the growing filters, size of ``**`` results, and the
  size of the rendered text itself;
- ``StrictUndefined``: a missing name or column is an error, never an empty string.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator
from functools import wraps
from string import Formatter
from typing import Any

from jinja2 import StrictUndefined, TemplateRuntimeError, pass_context
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from pushflow.render.context import RowView
from pushflow.render.limits import (
    MAX_LOOP_ITERATIONS,
    MAX_OUTPUT_CHARS,
    MAX_POWER_BITS,
    MAX_RANGE,
)

#: Context key of the per-rendering loop budget: not an identifier, so templates cannot name it.
BUDGET_KEY = "pushflow:budget"
#: Filter the compiler wraps around every ``{% for %}`` iterable (not spellable in a template).
BUDGET_FILTER = "pushflow:budget"

#: A printf-style conversion with its width and precision (``%-10.3f``, ``%(name)5s``).
_PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\d*)(?:\.(\d*))?")
_DIGITS = re.compile(r"\d+")


class TemplateLimitError(TemplateRuntimeError):
    """A template went past one of the render budgets."""


class LoopBudget:
    """Loop iterations one rendering may still run."""

    __slots__ = ("left",)

    def __init__(self) -> None:
        self.left = MAX_LOOP_ITERATIONS

    def spend(self) -> None:
        """Count one iteration; fail past the budget."""
        self.left -= 1
        if self.left < 0:
            raise TemplateLimitError(
                f"loops ran more than {MAX_LOOP_ITERATIONS} iterations in one rendering"
            )


def check_size(size: int, what: str) -> None:
    """Fail when something a template builds would pass :data:`MAX_OUTPUT_CHARS`."""
    if size > MAX_OUTPUT_CHARS:
        raise TemplateLimitError(f"{what} would be {size} characters; at most {MAX_OUTPUT_CHARS}")


def bounded_range(*args: int) -> range:
    """``range()`` of at most :data:`MAX_RANGE` items."""
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise TemplateLimitError(f"range() of {len(numbers)} items; at most {MAX_RANGE}")
    return numbers


def _check_ints(args: Iterable[Any], what: str) -> None:
    for arg in args:
        if isinstance(arg, int) and not isinstance(arg, bool):
            check_size(abs(arg), what)


def _check_replace(text: str, old: Any, new: Any, count: Any = -1) -> None:
    if not isinstance(old, str) or not isinstance(new, str):
        return
    hits = len(text) + 1 if not old else text.count(old)
    if isinstance(count, int) and count >= 0:
        hits = min(hits, count)
    check_size(len(text) + hits * (len(new) - len(old)), "replace()")


def _check_printf(fmt: Any) -> None:
    """Refuse ``%``-format widths and precisions beyond the output budget (``%.9999999f``)."""
    if isinstance(fmt, str):
        numbers = (int(n) for match in _PRINTF.finditer(fmt) for n in match.groups() if n)
        _check_ints(numbers, "a formatted field")


def _check_str_format(fmt: str) -> None:
    """Refuse ``str.format`` widths and precisions beyond the output budget (``{:>999999999}``)."""
    try:
        specs = [spec for _, _, spec, _ in Formatter().parse(fmt) if spec]
    except ValueError:
        return  # str.format itself reports the malformed string
    _check_ints((int(n) for spec in specs for n in _DIGITS.findall(spec)), "a formatted field")


def _check_indent(text: Any, width: Any = 4, *args: Any, **kwargs: Any) -> None:
    if isinstance(text, str) and isinstance(width, int):
        check_size(len(text) + (text.count("\n") + 1) * width, "indent()")
    elif isinstance(text, str) and isinstance(width, str):
        check_size(len(text) + (text.count("\n") + 1) * len(width), "indent()")


def _guarded(check: Callable[..., None], func: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        check(*args, **kwargs)
        return func(*args, **kwargs)

    return guarded


def _width_args(*args: Any, **kwargs: Any) -> None:
    _check_ints([*args, *kwargs.values()], "a padded or wrapped text")


def _replace_filter_args(context_or_value: Any, *args: Any, **kwargs: Any) -> None:
    # jinja2's replace filter takes the eval context first.
    if args and isinstance(args[0], str):
        _check_replace(args[0], *args[1:], **kwargs)


def _format_filter_args(value: Any, *args: Any, **kwargs: Any) -> None:
    _check_printf(value)
    _check_ints([*args, *kwargs.values()], "a formatted field")


@pass_context
def _budgeted(context: Context, iterable: Iterable[Any]) -> Iterator[Any]:
    budget = context.get(BUDGET_KEY)
    for item in iterable:
        if isinstance(budget, LoopBudget):
            budget.spend()
        yield item


#: str methods whose result grows with an integer argument.
_WIDTH_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})


class PushflowSandbox(ImmutableSandboxedEnvironment):
    """The one environment pushflow renders with (one per campaign renderer)."""

    intercepted_binops = frozenset({"*", "%", "**"})

    def __init__(self) -> None:
        super().__init__(
            undefined=StrictUndefined,
            autoescape=False,
            loader=None,
            keep_trailing_newline=True,
            cache_size=0,
        )
        for name in ("lipsum", "namespace"):  # unbounded text; mutable state across loops
            self.globals.pop(name, None)
        self.globals["range"] = bounded_range
        filters = self.filters
        del filters["random"]  # a plan must show exactly what apply sends
        filters["center"] = _guarded(_width_args, filters["center"])
        filters["wordwrap"] = _guarded(_width_args, filters["wordwrap"])
        filters["indent"] = _guarded(_check_indent, filters["indent"])
        filters["replace"] = _guarded(_replace_filter_args, filters["replace"])
        filters["format"] = _guarded(_format_filter_args, filters["format"])
        filters[BUDGET_FILTER] = _budgeted

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        """``*``, ``%`` and ``**`` with their results bounded before they are computed."""
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(times, int):
                    check_size(len(seq) * times, "a repeated text or list")
        elif operator == "%":
            _check_printf(left)
        elif operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
            bits = right * math.log2(abs(left)) if abs(left) > 1 else 0
            if bits > MAX_POWER_BITS:
                raise TemplateLimitError(f"{left} ** {right} is too large a number")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        """Calls from templates, with str methods that grow text bounded first."""
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str):
            name = getattr(__obj, "__name__", "")
            if name in _WIDTH_METHODS:
                _width_args(*args, **kwargs)
            elif name == "replace":
                _check_replace(owner, *args, **kwargs)
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """``str.format`` as the sandbox wraps it, with field widths bounded."""
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        _check_str_format(value.__self__)

        def checked(*args: Any, **kwargs: Any) -> str:
            _check_ints([*args, *kwargs.values()], "a formatted field")
            return wrapped(*args, **kwargs)

        return checked

    def getattr(self, obj: Any, attribute: str) -> Any:
        """``row.name``: the column, else a StrictUndefined that lists the columns."""
        if isinstance(obj, RowView):
            return obj.lookup(attribute, self.undefined)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        """``row['first name']``: as :meth:`getattr`."""
        if isinstance(obj, RowView) and isinstance(argument, str):
            return obj.lookup(argument, self.undefined)
        return super().getitem(obj, argument)
