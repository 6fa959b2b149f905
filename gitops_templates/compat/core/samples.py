"""Small valid-looking values for a schema, and strings matching a regex. Pure.

These seed counterexamples: `sample(schema)` aims for a value the schema accepts
(required keys, limits, enum, pattern, common formats); `witness` checks every candidate
with jsonschema, so a miss costs a candidate, never a wrong answer.
"""

from __future__ import annotations

import math
import re
from re import _parser as sre
from typing import Any

from gitops_templates.core.patterns import PatternTooSlowError, search

ABSENT = object()  # a counterexample seed meaning "leave this key out"
PALETTE: tuple[Any, ...] = (None, True, False, 0, -1, 1, 0.5, 10**9, "", "x", "X", "0", [], {})
_FORMATS = {
    "email": "user@example.com",
    "date": "2026-01-01",
    "date-time": "2026-01-01T00:00:00Z",
    "time": "00:00:00Z",
    "uri": "https://example.com/",
    "uri-reference": "/path",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "duration": "P1D",
}
_PREFERENCE = ("object", "string", "integer", "number", "boolean", "array", "null")


def type_of(value: Any) -> str:
    """The JSON type name of a Python value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def sample(schema: Any, *, kind: str | None = None, depth: int = 0, full: bool = False) -> Any:
    """A value `schema` probably accepts (of JSON type `kind` when given).

    Objects get their required keys, or every declared key when `full`.
    """
    if not isinstance(schema, dict) or depth > 8:
        return "x"
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        typed = [v for v in schema["enum"] if kind is None or type_of(v) == kind]
        return (typed or schema["enum"])[0]
    for key in ("allOf", "anyOf", "oneOf"):
        branches = [b for b in schema.get(key) or () if isinstance(b, dict)]
        if branches:
            merged = {k: v for k, v in schema.items() if k not in ("allOf", "anyOf", "oneOf")}
            for branch in branches if key == "allOf" else branches[:1]:
                merged = {**merged, **branch}
            return sample(merged, kind=kind, depth=depth + 1, full=full)
    return _typed(schema, kind or _pick_type(schema), depth, full)


def _pick_type(schema: dict[str, Any]) -> str:
    declared = schema.get("type")
    if isinstance(declared, str):
        return declared
    if isinstance(declared, list) and declared:
        return next((t for t in _PREFERENCE if t in declared), str(declared[0]))
    if "properties" in schema or "required" in schema:
        return "object"
    if "items" in schema or "prefixItems" in schema:
        return "array"
    if any(k in schema for k in ("minimum", "maximum", "multipleOf")):
        return "number"
    return "string"


def _typed(schema: dict[str, Any], kind: str, depth: int, full: bool) -> Any:
    if kind == "object":
        props = schema.get("properties") or {}
        names = [*schema.get("required", ()), *(props if full else ())]
        return {
            name: sample(props.get(name, {}), depth=depth + 1, full=full)
            for name in dict.fromkeys(names)
            if isinstance(name, str)
        }
    if kind == "array":
        items = schema.get("prefixItems") or schema.get("items")
        if isinstance(items, list):
            return [sample(s, depth=depth + 1) for s in items]
        count = int(schema.get("minItems", 0))
        element = sample(items, depth=depth + 1) if isinstance(items, dict) else "x"
        if schema.get("uniqueItems") and isinstance(element, int | str):
            return [element if i == 0 else f"{element}{i}" for i in range(count)]
        return [element] * count
    if kind in ("integer", "number"):
        return _number(schema, integer=(kind == "integer"))
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return _string(schema)


def _number(schema: dict[str, Any], *, integer: bool) -> int | float:
    low, high = schema.get("minimum"), schema.get("maximum")
    if isinstance(schema.get("exclusiveMinimum"), int | float) and not isinstance(
        schema.get("exclusiveMinimum"), bool
    ):
        low = schema["exclusiveMinimum"] + (1 if integer else 0.5)
    value: float = (
        low
        if isinstance(low, int | float)
        else min(0, high)
        if isinstance(high, int | float)
        else 0
    )
    step = schema.get("multipleOf")
    if isinstance(step, int | float) and step > 0:
        value = math.ceil(value / step) * step
    elif not integer and value == int(value) and _below(schema, value + 0.5):
        value += 0.5  # a "number" sample that is not an integer tells the two apart
    return math.ceil(value) if integer else value


def _below(schema: dict[str, Any], value: float) -> bool:
    """True when `value` is within the upper bounds of `schema`."""
    high, exclusive = schema.get("maximum"), schema.get("exclusiveMaximum")
    if isinstance(high, int | float) and value > high:
        return False
    return not (
        isinstance(exclusive, int | float)
        and not isinstance(exclusive, bool)
        and value >= exclusive
    )


def _string(schema: dict[str, Any]) -> str:
    fmt = schema.get("format")
    if isinstance(fmt, str) and fmt in _FORMATS:
        return _FORMATS[fmt]
    pattern = schema.get("pattern")
    text = regex_sample(pattern) if isinstance(pattern, str) else "x"
    text = "x" if text is None else text
    low = int(schema.get("minLength", 0))
    if len(text) < low:
        text += (text[-1:] or "x") * (low - len(text))
    return text


def regex_sample(pattern: str) -> str | None:
    """A short string `re.search(pattern, s)` accepts, or None when not worked out."""
    try:
        text = _emit(sre.parse(pattern))
    except (re.error, ValueError, KeyError, IndexError, TypeError, RecursionError):
        return None
    try:
        return text if search(pattern, text) else None
    except (PatternTooSlowError, ValueError):
        return None


def _emit(parsed: Any) -> str:
    out = []
    for op, arg in parsed:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(arg))
        elif name == "NOT_LITERAL":
            out.append("a" if chr(arg) != "a" else "b")
        elif name == "ANY":
            out.append("a")
        elif name == "IN":
            out.append(_in(arg))
        elif name == "BRANCH":
            out.append(_emit(arg[1][0]))
        elif name == "SUBPATTERN":
            out.append(_emit(arg[-1]))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, _high, body = arg
            out.append(_emit(body) * low)
        elif name in ("AT", "ASSERT", "ASSERT_NOT", "GROUPREF"):
            continue
        else:
            raise ValueError(name)
    return "".join(out)


def _in(items: Any) -> str:
    negate = any(str(op) == "NEGATE" for op, _ in items)
    if negate:
        excluded = _in([(op, arg) for op, arg in items if str(op) != "NEGATE"])
        return "a" if excluded != "a" else "b"
    op, arg = items[0]
    name = str(op)
    if name == "LITERAL":
        return chr(arg)
    if name == "RANGE":
        return chr(arg[0])
    if name == "CATEGORY":
        return {"CATEGORY_DIGIT": "0", "CATEGORY_SPACE": " ", "CATEGORY_WORD": "a"}.get(
            str(arg), "a"
        )
    raise ValueError(name)
