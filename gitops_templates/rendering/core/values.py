r"""Parameter values: merging value files, `--set` paths, defaults from the schema. Pure.

Later sources win: `-f a.yaml -f b.yaml --set x=1` merges mappings key by key (as Helm
does), anything else is replaced. A `--set` key is a dotted path (`db.port`, `a\.b` for
a key holding a dot). Defaults fill what is missing, from `default` in the parameter
schema, following its local `$ref`s (`#/$defs/...`), inside objects that are present
(an absent optional object stays absent: `{% if tls %}` keeps its meaning).
"""

from __future__ import annotations

import copy
from typing import Any

MAX_REF_HOPS = 32  # `$ref`s followed for one default lookup (a cycle stops here)


def merge(base: Any, override: Any) -> Any:
    """`override` over `base`: mappings merged key by key, anything else replaced."""
    if not (isinstance(base, dict) and isinstance(override, dict)):
        return copy.deepcopy(override)
    merged = dict(base)
    for key, value in override.items():
        merged[key] = merge(base[key], value) if key in base else copy.deepcopy(value)
    return merged


def split_key(key: str) -> list[str] | None:
    r"""`a.b\.c` -> `["a", "b.c"]`; None for an empty part (`a..b`, `.a`)."""
    parts, current, escaped = [], "", False
    for char in key:
        if escaped:
            current, escaped = current + char, False
        elif char == "\\":
            escaped = True
        elif char == ".":
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current + ("\\" if escaped else ""))
    return parts if all(parts) else None


def set_path(values: dict[str, Any], parts: list[str], value: Any) -> dict[str, Any]:
    """`values` with `value` at `parts`, creating (or replacing non-mapping) parents."""
    head, *rest = parts
    inner = values.get(head)
    updated = dict(values)
    updated[head] = (
        set_path(inner if isinstance(inner, dict) else {}, rest, value) if rest else value
    )
    return updated


def with_defaults(schema: Any, values: Any) -> Any:
    """`values` with the schema's defaults filled in where keys are missing."""
    return _fill(schema, schema, values)


def _fill(root: Any, schema: Any, value: Any) -> Any:
    schema = _resolve(root, schema)
    if not isinstance(schema, dict) or not isinstance(value, dict):
        return value
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return value
    filled = dict(value)
    for key, sub in properties.items():
        sub = _resolve(root, sub)
        if not isinstance(sub, dict):
            continue
        if key in filled:
            filled[key] = _fill(root, sub, filled[key])
        elif "default" in sub:
            filled[key] = _fill(root, sub, copy.deepcopy(sub["default"]))
    return filled


def _resolve(root: Any, schema: Any) -> Any:
    """Follow a local `$ref` (`#/...`) chain; anything unresolvable is returned as is.

    Keywords beside a `$ref` (2020-12 allows them) stay and win over the target's, so a
    `default` next to `$ref` is the default.
    """
    beside: dict[str, Any] = {}
    for _ in range(MAX_REF_HOPS):
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        if not isinstance(ref, str) or not ref.startswith("#"):
            break
        target = _pointer(root, ref[1:])
        if target is None:
            break
        beside = {**{k: v for k, v in schema.items() if k != "$ref"}, **beside}
        schema = target
    if beside and isinstance(schema, dict):
        return {**schema, **beside}
    return schema


def _pointer(root: Any, pointer: str) -> Any:
    node = root
    for raw in pointer.split("/")[1:] if pointer else []:
        key = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return None
    return node
