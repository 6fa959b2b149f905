"""Our frozen dataclasses as JSON: one serializer for every `--json` document. Pure.

By default a dataclass becomes an object of its fields, in declaration order. A class
shapes its JSON with `json_fields`, a tuple of entries:

- `"name"`: the attribute or property `name`;
- `"key=a.b"`: key `key` from the attribute path `a.b` (None when a step is None);
- `"*a"`: the members of the object that attribute `a` becomes, merged in.

Enums become their `label` (Level: `major`, ...) or their value; tuples and sets
become lists; semver versions become strings. Classes that are whole documents derive
from `JsonDocument`, whose `schema_version` can be named like any attribute.
"""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Any, ClassVar

from gitops_templates.core.models import SCHEMA_VERSION


class JsonDocument:
    """A result printed as one `--json` document: it carries `schema_version`."""

    __slots__ = ()
    schema_version: ClassVar[int] = SCHEMA_VERSION


def to_json(value: Any) -> Any:
    """The JSON form of a result, a value inside one, or a container of them."""
    if value is None or (
        isinstance(value, bool | int | float | str) and not isinstance(value, Enum)
    ):
        return value
    if isinstance(value, Enum):
        return getattr(value, "label", value.value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _object(value)
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return [to_json(v) for v in items]
    if type(value).__name__ == "Version":  # semver.Version, without importing semver
        return str(value)
    raise TypeError(f"{type(value).__name__} has no JSON form")


def _object(obj: Any) -> dict[str, Any]:
    spec: tuple[str, ...] | None = getattr(type(obj), "json_fields", None)
    if spec is None:
        return {f.name: to_json(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    out: dict[str, Any] = {}
    for entry in spec:
        if entry.startswith("*"):
            merged = to_json(_resolve(obj, entry[1:]))
            if not isinstance(merged, dict):
                raise TypeError(f"{entry} is not an object")
            out.update(merged)
            continue
        key, _, path = entry.partition("=")
        out[key] = to_json(_resolve(obj, path or key))
    return out


def _resolve(obj: Any, path: str) -> Any:
    for step in path.split("."):
        if obj is None:
            return None
        obj = getattr(obj, step)
    return obj
