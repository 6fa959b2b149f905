"""What a parameters schema says about one value pointer. Pure."""

from __future__ import annotations

from typing import Any

NO_DEFAULT: Any = object()  # the property is declared without a `default`
_MAX_REFS = 64


def declared_default(schema: dict[str, Any] | None, pointer: str) -> tuple[bool, Any]:
    """(whether `schema` declares the value at `pointer`, its `default` or `NO_DEFAULT`).

    Follows `properties`, `additionalProperties`, `items`, `prefixItems`, `allOf` and
    local `$ref`s. An unknown schema (None) declares nothing.
    """
    parts = _parts_at(schema, pointer)
    if parts is None:
        return False, NO_DEFAULT
    return True, next((part["default"] for part in parts if "default" in part), NO_DEFAULT)


def excludes(schema: dict[str, Any] | None, pointer: str, value: Any) -> bool:
    """Whether `schema` rules `value` out at `pointer` by an `enum` or `const` alone."""
    for part in _parts_at(schema, pointer) or []:
        if "const" in part and part["const"] != value:
            return True
        if isinstance(part.get("enum"), list) and value not in part["enum"]:
            return True
    return False


def _parts_at(schema: dict[str, Any] | None, pointer: str) -> list[dict[str, Any]] | None:
    """The subschemas (refs resolved, allOf flattened) at `pointer`; None: not declared."""
    if schema is None:
        return None
    nodes = [schema]
    for token in _tokens(pointer):
        nodes = [child for node in nodes for child in _children(schema, node, token)]
        if not nodes:
            return None
    return [part for node in nodes for part in _parts(schema, node)]


def _tokens(pointer: str) -> list[str]:
    if not pointer:
        return []
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]


def _children(root: dict[str, Any], node: Any, token: str) -> list[Any]:
    """The subschemas a value's `token` child is checked against."""
    found: list[Any] = []
    for part in _parts(root, node):
        properties = part.get("properties")
        if isinstance(properties, dict) and isinstance(properties.get(token), dict):
            found.append(properties[token])
            continue
        if token.isdigit():
            prefix = part.get("prefixItems")
            if isinstance(prefix, list) and int(token) < len(prefix):
                found.append(prefix[int(token)])
            elif isinstance(part.get("items"), dict):
                found.append(part["items"])
        elif isinstance(part.get("additionalProperties"), dict):
            found.append(part["additionalProperties"])
    return found


def _parts(root: dict[str, Any], node: Any) -> list[dict[str, Any]]:
    """`node` with its local `$ref` resolved and its `allOf` branches flattened."""
    parts: list[dict[str, Any]] = []
    pending = [node]
    while pending and len(parts) < _MAX_REFS:
        current = pending.pop(0)
        if not isinstance(current, dict):
            continue
        parts.append(current)
        ref = current.get("$ref")
        if isinstance(ref, str) and ref.startswith("#"):
            pending.append(_resolve(root, ref))
        branches = current.get("allOf")
        if isinstance(branches, list):
            pending.extend(branches)
    return parts


def _resolve(root: dict[str, Any], ref: str) -> Any:
    node: Any = root
    for token in _tokens(ref[1:]):
        if isinstance(node, dict):
            node = node.get(token)
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return node
