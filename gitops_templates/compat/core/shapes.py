"""What a (sub)schema admits at a glance: types, value sets, emptiness. Pure."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gitops_templates.compat.core.deref import ANNOTATIONS
from gitops_templates.compat.core.samples import type_of

if TYPE_CHECKING:
    from collections.abc import Iterable

REJECT_ALL: dict[str, Any] = {"not": {}}
TYPES = ("null", "boolean", "object", "array", "number", "integer", "string")


def normalize(schema: Any) -> dict[str, Any]:
    """Boolean schemas as objects: `true` is `{}`, `false` is `{"not": {}}`."""
    if schema is True or schema is None:
        return {}
    if schema is False:
        return {"not": {}}
    return schema if isinstance(schema, dict) else {}


def accepts_all(schema: Any) -> bool:
    """True when the schema constrains nothing (only annotations)."""
    return all(k in ANNOTATIONS or k.startswith("x-") for k in normalize(schema))


def effective_types(schema: dict[str, Any]) -> frozenset[str] | None:
    """Types a schema admits (None: any), narrowed by `enum`/`const` values."""
    declared = schema.get("type")
    types = (
        None
        if declared is None
        else frozenset([declared] if isinstance(declared, str) else declared)
    )
    values = allowed_values(schema)
    if values is None:
        return types
    found = frozenset(type_of(v) for v in values)
    return found if types is None else frozenset(t for t in found if covers(types, t))


def covers(types: frozenset[str] | None, kind: str) -> bool:
    """True when a value of JSON type `kind` can pass `types` (integer is a number)."""
    return types is None or kind in types or (kind == "integer" and "number" in types)


def same_json(a: Any, b: Any) -> bool:
    """JSON equality as JSON Schema has it: `true` is not `1`, `1` is `1.0`.

    Python's `==` says `True == 1`, so an enum of booleans replaced by one of numbers
    would compare equal and its breaking change would go unseen.
    """
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def json_in(value: Any, values: Iterable[Any]) -> bool:
    """`value in values` with `same_json`."""
    return any(same_json(value, other) for other in values)


def allowed_values(schema: dict[str, Any]) -> list[Any] | None:
    """The finite set of accepted values from `enum`/`const`, or None."""
    if "const" in schema:
        return [schema["const"]]
    enum = schema.get("enum")
    return list(enum) if isinstance(enum, list) else None


def pointer_token(name: str) -> str:
    """A property name escaped for a JSON pointer."""
    return name.replace("~", "~0").replace("/", "~1")
