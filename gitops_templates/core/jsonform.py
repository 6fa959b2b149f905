"""Our frozen dataclasses as JSON: one serializer for every `--json` document. Pure.

By default a dataclass becomes an object of its fields, in declaration order. A class
shapes its JSON with `json_fields`, a tuple of entries:

- `"name"`: the attribute or property `name`;
- `"key=a.b"`: key `key` from the attribute path `a.b` (None when a step is None);
- `"*a"`: the members of the object that attribute `a` becomes, merged in.

Enums become their `label` (Level: `major`, ...) or their value; tuples and sets
become lists; semver versions become strings. Classes that are whole documents derive
from `JsonDocument`, whose `schema_version` can be named like any attribute. Each
class's entries are read once and each type's converter is looked up in one dict.
"""

from __future__ import annotations

import dataclasses
from enum import Enum
from operator import attrgetter
from typing import TYPE_CHECKING, Any, ClassVar

from gitops_templates.core.models import SCHEMA_VERSION

if TYPE_CHECKING:
    from collections.abc import Callable

_SCALARS = (str, int, float, bool, type(None))
_Entry = tuple[str | None, tuple[str, ...]]  # (key, or None to merge; attribute path)
_COMPILED: dict[type, Callable[[Any], Any]] = {}  # per type: a converting function


class JsonDocument:
    """A result printed as one `--json` document: it carries `schema_version`."""

    __slots__ = ()
    schema_version: ClassVar[int] = SCHEMA_VERSION


def to_json(value: Any) -> Any:
    """The JSON form of a result, a value inside one, or a container of them."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    convert = _COMPILED.get(kind)
    if convert is not None:
        return convert(value)
    if kind is list or kind is tuple:
        return [to_json(v) for v in value]
    if isinstance(value, Enum):
        labels = {member: getattr(member, "label", member.value) for member in kind}
        _COMPILED[kind] = labels.__getitem__
        return labels[value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        _COMPILED[kind] = _compile(kind)
        return _COMPILED[kind](value)
    if isinstance(value, _SCALARS):  # subclasses of str or int that are not enums
        return value
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, set | frozenset):
        return [to_json(v) for v in sorted(value)]
    if kind.__name__ == "Version":  # semver.Version, without importing semver
        return str(value)
    raise TypeError(f"{kind.__name__} has no JSON form")


def _compile(cls: type) -> Callable[[Any], dict[str, Any]]:
    """A function building `cls`'s JSON object; plain attributes read in one C call."""
    entries = _entries(cls)
    if all(key is not None and len(path) == 1 for key, path in entries):
        keys = [str(key) for key, _ in entries]
        values = attrgetter(*(path[0] for _, path in entries))
        if len(keys) == 1:
            return lambda obj: {keys[0]: _convert(values(obj))}
        return lambda obj: {k: _convert(v) for k, v in zip(keys, values(obj), strict=True)}

    def convert(obj: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        first: dict[str, Any] = {}  # a property named by several entries is read once
        for key, path in entries:
            head = path[0]
            value = first[head] if head in first else first.setdefault(head, getattr(obj, head))
            for step in path[1:]:
                value = None if value is None else getattr(value, step)
            if key is not None:
                out[key] = _convert(value)
                continue
            merged = to_json(value)
            if not isinstance(merged, dict):
                raise TypeError(f"*{'.'.join(path)} is not an object")
            out.update(merged)
        return out

    return convert


def _convert(value: Any) -> Any:
    return value if type(value) in _SCALARS else to_json(value)


def _entries(cls: type) -> tuple[_Entry, ...]:
    spec: tuple[str, ...] | None = getattr(cls, "json_fields", None)
    if spec is None:
        return tuple((f.name, (f.name,)) for f in dataclasses.fields(cls))
    entries: list[_Entry] = []
    for entry in spec:
        if entry.startswith("*"):
            entries.append((None, tuple(entry[1:].split("."))))
        else:
            key, _, path = entry.partition("=")
            entries.append((key, tuple((path or key).split("."))))
    return tuple(entries)
