"""The bounds on one render: time, sizes, call depth. The Jinja2 sandbox.

Template bodies and doc-template overrides are untrusted (whoever can push to the catalog
writes them), so one render is bounded in-process: `BUDGET` seconds, checked in every loop
iteration, call, filter, operator, include and extends; `range`, the operators that grow
values (`*`, `**`, `+`, `%`, `~`) and the filters and string methods that pad, repeat or
join refuse results over the caps below before building them; calls nest at most
`MAX_DEPTH` deep. Every list, tuple and dict a template builds (literals, filters, calls,
operators) is weighed by what printing it would write, shared parts counted each time they
occur (`[x, x]` doubled 30 times is 2**30 items in one line of output), from the
remembered weights of its parts. One render at a time per environment (the budget lives in
it).
"""

from __future__ import annotations

import math
import re
import time
from functools import wraps
from string import Formatter
from typing import TYPE_CHECKING, Any

from jinja2 import StrictUndefined, nodes
from jinja2 import filters as jinja_filters
from jinja2.compiler import CodeGenerator
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import generate_lorem_ipsum, pass_environment, pass_eval_context

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from jinja2 import Environment, Template
    from jinja2.compiler import Frame
    from jinja2.nodes import EvalContext
    from jinja2.runtime import Context

BUDGET = 5.0  # seconds per rendered file (a shipped doc template takes about 40 ms)
MAX_OUTPUT = 8 * 1024 * 1024  # characters per rendered file, and per string a template builds
MAX_BUILT = 16 * MAX_OUTPUT  # characters of all the strings one render builds
MAX_ITEMS = 100_000  # items in a range, list or tuple a template builds
MAX_WIDTH = 10_000  # a padding, width or precision (`center`, `"%*s"`, `"{:>n}"`)
MAX_INDENT = 16  # `tojson(indent=...)`: repeated once per nesting level on every line
MAX_BITS = 10_000  # bits of an integer `*` or `**` builds (about 3 000 digits)
MAX_DEPTH = 64  # nested calls: macros, `caller()`, recursive loops
MAX_PRINTED = 4 * MAX_OUTPUT  # characters printing a list, tuple or dict a template builds
MAX_NESTING = 100  # levels of lists, tuples and dicts a template builds inside each other
# Python errors a template's own expressions raise (`1 / 0`, `1 + "a"`, `"{".format()`)
TEMPLATE_FAULTS = (ArithmeticError, AttributeError, LookupError, TypeError, ValueError)

_PERCENT = re.compile(r"%(?:\([^)]*\))?[#0 +\-]*(\*|\d+)?(?:\.(\*|\d+))?")
_NESTED_FIELD = re.compile(r"\{[^}]*\}")
_DIGITS = re.compile(r"\d+")
MAX_SPEC = 64  # characters of a format spec passed as a value (`{0:{1}}`)
_LINE_BREAK = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


class StrictestUndefined(StrictUndefined):
    """`StrictUndefined` that also fails when printed inside a list or mapping.

    Jinja2's prints `[Undefined]` for `{{ [typo] }}`: the container's repr reaches it.
    """

    __slots__ = ()
    __repr__ = StrictUndefined._fail_with_undefined_error


class LimitError(Exception):
    """A template went over a limit; the renderer adds the template file and line."""


def _width(value: Any, limit: int = MAX_WIDTH) -> Any:
    if isinstance(value, int) and value > limit:
        raise LimitError(f"a width, padding or indent over {limit}")  # not {value}: it may be huge
    return value


def _chars(size: int, what: str) -> None:
    if size > MAX_OUTPUT:
        raise LimitError(f"{what} would build a string of more than {MAX_OUTPUT} characters")


def _items(size: Any, what: str) -> None:
    if isinstance(size, int) and size > MAX_ITEMS:
        raise LimitError(f"{what} would build more than {MAX_ITEMS} items")


def _check_format(fmt: str, values: Iterable[Any]) -> None:
    """Widths and precisions in a `%` pattern, and the ones passed as `*`."""
    specs = [f"{width}.{precision}" for width, precision in _PERCENT.findall(fmt)]
    _check_digits(_DIGITS.findall(" ".join(specs)))
    if any("*" in spec for spec in specs):
        for value in values:
            _width(value)


def _check_braces(fmt: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> None:
    """Widths and precisions in a `str.format` pattern, nested ones (`{0:{1}}`) included.

    A nested field's value becomes part of the spec, so its digits are checked too.
    """
    try:
        fields = [(f, s) for _, f, s, _ in Formatter().parse(fmt) if f is not None]
        specs, nested, auto = [], [], 0
        for field, spec in fields:
            auto += field == ""
            specs.append(_NESTED_FIELD.sub(" ", spec or ""))
            for _, inner, _, _ in Formatter().parse(spec or ""):
                if inner is not None:
                    nested.append(auto if inner == "" else int(inner) if inner.isdigit() else inner)
                    auto += inner == ""
    except ValueError:
        return  # str.format raises the same error itself
    _check_digits(_DIGITS.findall(" ".join(specs)))
    for key in nested:
        if isinstance(key, int) and key < len(args):
            value = args[key]
        elif isinstance(key, str) and key in kwargs:
            value = kwargs[key]
        else:
            raise LimitError("a nested format spec must name an argument ({0:{1}} or {0:{w}})")
        text = str(value) if isinstance(value, int | str) else ""
        if len(text) > MAX_SPEC:
            raise LimitError(f"a format spec of more than {MAX_SPEC} characters")
        _check_digits(_DIGITS.findall(text))


def _check_digits(numbers: Iterable[str]) -> None:
    for digits in numbers:
        _width(MAX_WIDTH + 1 if len(digits) > 6 else int(digits))


def _check_binop(operator: str, left: Any, right: Any) -> None:
    if operator == "*":
        for seq, times in ((left, right), (right, left)):
            if isinstance(times, int) and isinstance(seq, str | bytes):
                _chars(len(seq) * times, "`*`")
            elif isinstance(times, int) and isinstance(seq, list | tuple):
                _items(len(seq) * times, "`*`")
        if isinstance(left, int) and isinstance(right, int):
            _bits(left.bit_length() + right.bit_length(), "`*`")
    elif operator == "**" and isinstance(left, int) and isinstance(right, int):
        if right > 0 and abs(left) > 1:
            _bits(right if right > MAX_BITS else right * math.log2(abs(left)), "`**`")
    elif operator == "%" and isinstance(left, str):
        values = right.values() if isinstance(right, dict) else right
        _check_format(left, values if isinstance(right, dict | tuple) else [right])


def _leaf_weight(value: Any) -> int:
    """About the characters printing one non-container value writes."""
    if isinstance(value, str | bytes):
        return len(value) + 4
    if isinstance(value, int):
        return value.bit_length() // 3 + 3
    return 16


def _bits(bits: float, what: str) -> None:
    if bits > MAX_BITS:
        raise LimitError(f"{what} would build a number of more than {MAX_BITS} bits")


def _joined_size(separator: str, items: list[Any]) -> int:
    return len(separator) * len(items) + sum(len(i) for i in items if isinstance(i, str))


def _replaced_size(s: Any, old: Any, new: Any, count: Any) -> int:
    if not (isinstance(s, str) and isinstance(old, str) and isinstance(new, str)):
        return 0
    found = s.count(old) if old else len(s) + 1
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    return len(s) + found * (len(new) - len(old))


def _check_str_method(owner: str, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Refuse a string method call that builds too much; `join` gets its items as a list."""
    first = args[0] if args else next(iter(kwargs.values()), None)
    if name in ("center", "ljust", "rjust", "zfill"):
        _width(first)
    elif name == "expandtabs":
        _width(first)
        _chars(len(owner) + owner.count("\t") * (first if isinstance(first, int) else 8), name)
    elif name == "format":
        _check_braces(owner, args, kwargs)
    elif name == "format_map":
        _check_braces(owner, (), first if isinstance(first, dict) else {})
    elif name == "replace" and len(args) >= 2:
        _chars(_replaced_size(owner, args[0], args[1], args[2] if len(args) > 2 else -1), name)
    elif name == "translate" and isinstance(first, dict):
        longest = max((len(v) for v in first.values() if isinstance(v, str)), default=1)
        _chars(len(owner) * longest, name)
    elif name == "join" and args:
        items = list(args[0])
        _chars(_joined_size(owner, items), name)
        return (items, *args[1:])
    return args


def _range(*args: int) -> range:
    numbers = range(*args)
    if numbers[MAX_ITEMS:]:  # not len(): it overflows on a huge range
        raise LimitError(f"range() would build more than {MAX_ITEMS} items")
    return numbers


def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    _items(n * max if isinstance(n, int) and isinstance(max, int) else 0, "lipsum()")
    return generate_lorem_ipsum(n, html, min, max)


def _center(value: Any, width: int = 80) -> str:
    return jinja_filters.do_center(value, _width(width))


def _indent(s: Any, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
    text = s if isinstance(s, str) else str(s)
    prefix = len(width) if isinstance(width, str) else _width(width)
    if isinstance(prefix, int):
        _chars(len(text) + (len(_LINE_BREAK.findall(text)) + 2) * prefix, "indent")
    return jinja_filters.do_indent(s, width, first, blank)


@pass_environment
def _wordwrap(environment: Environment, s: Any, width: int = 79, break_long_words: bool = True,
              wrapstring: str | None = None, break_on_hyphens: bool = True) -> str:  # fmt: skip
    text = s if isinstance(s, str) else str(s)
    wrap = wrapstring if isinstance(wrapstring, str) else environment.newline_sequence
    _chars(8 * len(text) + (len(text) + 1) * len(wrap), "wordwrap")
    return jinja_filters.do_wordwrap(environment, s, width, break_long_words, wrapstring,
                                     break_on_hyphens)  # fmt: skip


def _format(value: Any, *args: Any, **kwargs: Any) -> str:
    if isinstance(value, str):
        _check_format(value, [*args, *kwargs.values()])
    return jinja_filters.do_format(value, *args, **kwargs)


@pass_eval_context
def _replace(eval_ctx: EvalContext, s: Any, old: Any, new: Any, count: int | None = None) -> str:
    _chars(_replaced_size(s, old, new, count), "replace")
    return jinja_filters.do_replace(eval_ctx, s, old, new, count)


@pass_eval_context
def _join(eval_ctx: EvalContext, value: Iterable[Any], d: str = "",
          attribute: str | int | None = None) -> str:  # fmt: skip
    items = list(value)
    if attribute is None:
        _chars(_joined_size(str(d), items), "join")
    return jinja_filters.sync_do_join(eval_ctx, items, d, attribute)


def _batch(value: Iterable[Any], linecount: int, fill_with: Any = None) -> Iterable[list[Any]]:
    _items(linecount, "batch")
    return jinja_filters.do_batch(value, linecount, fill_with)


def _slice(value: Any, slices: int, fill_with: Any = None) -> Iterable[list[Any]]:
    _items(slices, "slice")
    return jinja_filters.sync_do_slice(value, slices, fill_with)


@pass_eval_context
def _tojson(eval_ctx: EvalContext, value: Any, indent: int | str | None = None) -> str:
    _width(len(indent) if isinstance(indent, str) else indent, MAX_INDENT)
    return jinja_filters.do_tojson(eval_ctx, value, indent)  # type: ignore[arg-type]


CHECKED_FILTERS: dict[str, Callable[..., Any]] = {
    "center": _center, "indent": _indent, "wordwrap": _wordwrap, "format": _format,
    "replace": _replace, "join": _join, "batch": _batch, "slice": _slice, "tojson": _tojson,
}  # fmt: skip


class _GuardedCodeGenerator(CodeGenerator):
    """Jinja's code plus deadline checks in loops, includes and extends, and a size on `~`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.loop_bodies: list[list[nodes.Node]] = []

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        self.loop_bodies.append(node.body)
        super().visit_For(node, frame)

    def blockvisit(self, nodes: Iterable[nodes.Node], frame: Frame) -> None:
        """A block; a loop's body starts with a deadline check (custom nodes are refused)."""
        if any(nodes is body for body in self.loop_bodies):
            self.writeline("environment.tick()")
        super().blockvisit(nodes, frame)

    def visit_Include(self, node: nodes.Include, frame: Frame) -> None:
        self.writeline("environment.tick()", node)
        super().visit_Include(node, frame)

    def visit_Extends(self, node: nodes.Extends, frame: Frame) -> None:
        self.writeline("environment.tick()", node)
        super().visit_Extends(node, frame)

    def visit_List(self, node: nodes.List, frame: Frame) -> None:
        self.write("environment.built(")
        super().visit_List(node, frame)
        self.write(', "a list")')

    def visit_Dict(self, node: nodes.Dict, frame: Frame) -> None:
        self.write("environment.built(")
        super().visit_Dict(node, frame)
        self.write(', "a dict")')

    def visit_Tuple(self, node: nodes.Tuple, frame: Frame) -> None:
        if node.ctx != "load":  # an assignment target
            super().visit_Tuple(node, frame)
            return
        self.write("environment.built(")
        super().visit_Tuple(node, frame)
        self.write(', "a tuple")')

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.built(")
        super().visit_Concat(node, frame)
        self.write(', "`~`")')


class Sandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox with a deadline, size caps and a call depth (see the module)."""

    code_generator_class = _GuardedCodeGenerator
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.globals.update(range=_range, lipsum=_lipsum)
        self.deadline = math.inf
        self.budget = f"{BUDGET:g} s"
        self.depth = self.total = 0
        self.weights: dict[int, tuple[Any, int, int]] = {}

    def guard_filters(self, **extra: Callable[..., Any]) -> None:
        """Every filter (Jinja's, the checked ones, `extra`) ticks and counts what it builds."""
        every = {**self.filters, **CHECKED_FILTERS, **extra}
        self.filters = {name: self._guarded(name, f) for name, f in every.items()}

    def _guarded(self, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(func)  # keeps `jinja_pass_arg`
        def guarded(*args: Any, **kwargs: Any) -> Any:
            self.tick()
            return self.built(func(*args, **kwargs), f"filter {name}")

        return guarded

    def start(self, deadline: float = math.inf) -> None:
        """A new render: a new deadline (at most `deadline`) and an empty count."""
        own = time.monotonic() + BUDGET
        self.deadline = min(own, deadline)
        self.budget = f"{BUDGET:g} s" if own <= deadline else "the budget of the whole render"
        self.depth = self.total = 0
        self.weights = {}

    def tick(self) -> None:
        """Stop a render that has taken its whole budget."""
        if time.monotonic() > self.deadline:
            raise LimitError(f"rendering takes more than {self.budget} (a loop too large?)")

    def built(self, value: Any, what: str) -> Any:
        """`value`, refused when it (or everything built so far) is too large."""
        if isinstance(value, str | bytes):
            _chars(len(value), what)
            self.total += len(value)
            if self.total > MAX_BUILT:
                raise LimitError(f"builds more than {MAX_BUILT} characters of strings")
        elif isinstance(value, list | tuple | dict):
            if not isinstance(value, dict):
                _items(len(value), what)
            weight, nesting = self._weigh(value)
            if nesting > MAX_NESTING:
                raise LimitError(f"{what} would nest lists or dicts more than {MAX_NESTING} deep")
            if weight > MAX_PRINTED:
                raise LimitError(f"{what} would print as more than {MAX_PRINTED} characters")
        return value

    def _weigh(self, value: list[Any] | tuple[Any, ...] | dict[Any, Any]) -> tuple[int, int]:
        """Characters printing `value` writes (about) and its nesting, parts remembered."""
        known = self.weights.get(id(value))
        if known is not None and known[0] is value:
            return known[1], known[2]
        weight, nesting = 2, 1
        parts = [*value.keys(), *value.values()] if isinstance(value, dict) else value
        for part in parts:
            if isinstance(part, list | tuple | dict):
                inner, deep = self._weigh(part)
                weight, nesting = weight + inner + 2, max(nesting, deep + 1)
            else:
                weight += _leaf_weight(part)
            if weight > MAX_PRINTED or nesting > MAX_NESTING:
                break  # the caller refuses it; no need to weigh the rest
        self.weights[id(value)] = (value, weight, nesting)
        return weight, nesting

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        """`*`, `**`, `+` and `%`, refused before they build too much."""
        self.tick()
        _check_binop(operator, left, right)
        return self.built(self.binop_table[operator](left, right), f"`{operator}`")

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        """Any call: the deadline, the depth, string methods that build too much."""
        self.tick()
        method = getattr(obj, "__wrapped__", obj)  # the sandbox wraps `str.format`
        owner = getattr(method, "__self__", None)
        if isinstance(owner, str):
            args = _check_str_method(owner, getattr(method, "__name__", ""), args, kwargs)
        if self.depth >= MAX_DEPTH:
            raise LimitError(f"calls nest more than {MAX_DEPTH} deep (a macro calling itself?)")
        self.depth += 1
        try:
            result = super().call(context, obj, *args, **kwargs)
        finally:
            self.depth -= 1
        return self.built(result, "a call")


def generate_bounded(template: Template, context: Mapping[str, Any]) -> str:
    """Render `template`, refused once the output passes `MAX_OUTPUT` characters.

    Text that is not Unicode (a lone surrogate) raises `UnicodeEncodeError`: it could be
    written nowhere.
    """
    pieces = []
    size = 0
    for piece in template.generate(dict(context)):  # positional: a value may be named `self`
        size += len(piece)
        if size > MAX_OUTPUT:
            raise LimitError(f"renders more than {MAX_OUTPUT} characters")
        pieces.append(piece)
    text = "".join(pieces)
    text.encode("utf-8")
    return text
