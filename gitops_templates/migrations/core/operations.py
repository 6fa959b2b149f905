"""Operations on a consumer's values: RFC 6902 with guards, `rename`, `set_default`. Pure.

An operation reads and writes one values document through RFC 6901 pointers. The RFC
ops (`add`, `remove`, `replace`, `move`, `copy`, `test`) are applied by `jsonpatch`;
two guards make them fit values where optional keys are usually absent: `if_present`
(skip when the pointer, or `from` for move and copy, is absent) and `if_equals` (skip
unless the value there equals it). `rename` is a move that keeps the key's place and is
skipped when there is nothing to rename; `set_default` sets an absent value, creating
missing parent objects.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

import jsonpatch
import jsonpointer

MAX_NODES = 200_000  # values, lists and objects a migrated document may hold
RFC_OPS = ("add", "remove", "replace", "move", "copy", "test")
OPS = (*RFC_OPS, "rename", "set_default")
WITH_FROM = ("move", "copy", "rename")
WITH_VALUE = ("add", "replace", "test", "set_default")
_ABSENT = object()


class OperationError(Exception):
    """An operation that cannot apply to these values (the message says why)."""


@dataclass(frozen=True, slots=True)
class Operation:
    """One declared operation (`source` is the JSON key `from`)."""

    op: str
    path: str
    source: str | None = None
    value: Any = None
    if_present: bool = False
    if_equals: Any = field(default=_ABSENT)
    prune: bool = False  # (undoing a move) remove the objects it leaves empty behind it

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Operation:
        """An operation from its template.yaml form (already schema-checked)."""
        return cls(
            raw["op"],
            raw["path"],
            raw.get("from"),
            raw.get("value"),
            bool(raw.get("if_present", False)),
            raw.get("if_equals", _ABSENT),
        )

    @property
    def guarded(self) -> bool:
        """Whether `if_equals` is set."""
        return self.if_equals is not _ABSENT

    def to_json(self) -> dict[str, Any]:
        """The template.yaml form: `{op, from?, path, value?, if_present?, if_equals?}`."""
        data: dict[str, Any] = {"op": self.op}
        if self.source is not None:
            data["from"] = self.source
        data["path"] = self.path
        if self.op in WITH_VALUE:
            data["value"] = self.value
        if self.if_present:
            data["if_present"] = True
        if self.guarded:
            data["if_equals"] = self.if_equals
        return data

    def describe(self) -> str:
        """One line for people: "rename /limit to /max_alerts"."""
        where = self.source if self.op in WITH_FROM else self.path
        text = {
            "rename": f"rename {self.source} to {self.path}",
            "move": f"move {self.source} to {self.path}",
            "copy": f"copy {self.source} to {self.path}",
            "set_default": f"set {self.path} to {shown(self.value)} when absent",
            "add": f"set {self.path} to {shown(self.value)}",
            "replace": f"replace {self.path} with {shown(self.value)}",
            "remove": f"remove {self.path}",
            "test": f"require {self.path} to be {shown(self.value)}",
        }[self.op]
        if self.guarded:
            text += f" if {where} is {shown(self.if_equals)}"
        elif self.if_present and self.op not in ("rename", "set_default"):
            text += f" if {where} is present"
        return text


@dataclass(frozen=True, slots=True)
class Outcome:
    """Values after some operations, and what the operations did to keys."""

    values: Any
    renames: tuple[tuple[str, str], ...] = ()  # (from, to) pointers actually moved
    dropped: tuple[tuple[str, Any], ...] = ()  # (pointer, value) removed by a `remove`


def apply_operations(values: Any, operations: tuple[Operation, ...]) -> Outcome:
    """`values` after `operations` in order (the input is not changed).

    `OperationError` names the first operation that cannot apply, by its index; values
    that would grow beyond `MAX_NODES` (copies of copies) are refused the same way.
    """
    document = copy.deepcopy(values)
    size = nodes(document)
    renames: list[tuple[str, str]] = []
    dropped: list[tuple[str, Any]] = []
    for index, operation in enumerate(operations):
        try:
            if not _applies(document, operation):
                continue
            size += _growth(document, operation)
            if size > MAX_NODES:
                raise OperationError(f"the values would grow beyond {MAX_NODES} nodes")
            if operation.op in ("rename", "move") and operation.source is not None:
                renames.append((operation.source, operation.path))
            if operation.op == "remove":
                dropped.append((operation.path, _get(document, operation.path)))
            document = _apply(document, operation)
        except (OperationError, jsonpatch.JsonPatchException,
                jsonpointer.JsonPointerException) as err:  # fmt: skip
            raise OperationError(f"operation {index} ({operation.describe()}): {err}") from err
    return Outcome(document, tuple(renames), tuple(dropped))


def nodes(value: Any, limit: int = MAX_NODES) -> int:
    """How many values, lists and objects `value` holds (counting stops past `limit`)."""
    count, pending = 0, [value]
    while pending and count <= limit:
        item = pending.pop()
        count += 1
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return count


def _growth(document: Any, operation: Operation) -> int:
    """How many nodes an operation adds (an upper bound)."""
    if operation.op == "copy" and operation.source is not None:
        return nodes(_get(document, operation.source))
    if operation.op in ("add", "replace", "set_default"):
        return nodes(operation.value)
    return 0


def _applies(document: Any, operation: Operation) -> bool:
    """The guards: skip an operation whose subject is absent or not the guarded value."""
    subject = operation.source if operation.op in WITH_FROM else operation.path
    assert subject is not None
    found = _get(document, subject)
    if operation.op == "set_default":
        return found is _ABSENT
    if found is _ABSENT and (operation.if_present or operation.op == "rename"):
        return False
    return not operation.guarded or (found is not _ABSENT and _equal(found, operation.if_equals))


def _apply(document: Any, operation: Operation) -> Any:
    if operation.op == "rename":
        assert operation.source is not None
        return _rename(document, operation.source, operation.path, prune=operation.prune)
    if operation.op == "set_default":
        _make_parents(document, operation.path)
        return jsonpatch.apply_patch(
            document, [{"op": "add", "path": operation.path, "value": operation.value}], True
        )
    raw = operation.to_json()
    for key in ("if_present", "if_equals"):
        raw.pop(key, None)
    if operation.op in ("move", "copy"):
        _make_parents(document, operation.path)
    return jsonpatch.apply_patch(document, [raw], in_place=True)


def _rename(document: Any, source: str, target: str, *, prune: bool = False) -> Any:
    """Move `source` to `target`; within one object the key keeps its place."""
    if _get(document, target) is not _ABSENT:
        raise OperationError(f"both {source} and {target} are set; keep one")
    old_parent, old_key = _split(source)
    new_parent, new_key = _split(target)
    parent = _get(document, old_parent)
    if old_parent == new_parent and isinstance(parent, dict):
        items = list(parent.items())
        parent.clear()
        parent.update((new_key if key == old_key else key, value) for key, value in items)
        return document
    _make_parents(document, target)
    document = jsonpatch.apply_patch(
        document, [{"op": "move", "from": source, "path": target}], in_place=True
    )
    if prune:
        _prune(document, old_parent, target)
    return document


def _prune(document: Any, parent: str, kept: str) -> None:
    """Remove the empty objects from `parent` upwards, up to where it meets `kept`."""
    while parent and not kept.startswith(parent + "/"):
        found = _get(document, parent)
        if found != {}:
            return
        above, key = _split(parent)
        del _get(document, above)[key]
        parent = above


def _make_parents(document: Any, pointer: str) -> None:
    """Create the missing objects above `pointer` (only objects, never list items)."""
    node = document
    tokens = jsonpointer.JsonPointer(pointer).parts[:-1]
    for token in tokens:
        if isinstance(node, dict):
            node = node.setdefault(token, {})
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise OperationError(f"{pointer}: no object to write {token!r} into")
    if not isinstance(node, dict | list):
        raise OperationError(f"{pointer}: the parent is not an object")


def _split(pointer: str) -> tuple[str, str]:
    """(parent pointer, last key) of a non-empty pointer."""
    parts = jsonpointer.JsonPointer(pointer).parts
    return jsonpointer.JsonPointer.from_parts(parts[:-1]).path, parts[-1]


def _get(document: Any, pointer: str) -> Any:
    """The value at `pointer`, or `_ABSENT`."""
    try:
        return jsonpointer.resolve_pointer(document, pointer, _ABSENT)
    except jsonpointer.JsonPointerException:
        return _ABSENT


def _equal(a: Any, b: Any) -> bool:
    """JSON equality: `1 == True` in Python, not in JSON."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


def shown(value: Any, limit: int = 80) -> str:
    """`value` as short JSON for messages (`...` past `limit` characters)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."
