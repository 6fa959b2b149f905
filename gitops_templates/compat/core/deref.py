"""Inline local `$ref`s before comparing, so a `$ref`/`$defs` refactor changes nothing. Pure.

Remote references are never fetched (an error says to inline them); a reference that
leads back to itself is an error, because a recursive parameter schema has no finite
values to compare or generate.
"""

from __future__ import annotations

from typing import Any

from gitops_templates.errors import InvalidInputError, Problem

ANNOTATIONS = frozenset(
    {
        "title",
        "description",
        "default",
        "examples",
        "$comment",
        "deprecated",
        "readOnly",
        "writeOnly",
    }
)
_CONTAINERS = ("definitions", "$defs")
_DATA = ("enum", "const", "default", "examples")
_MAPS = ("properties", "patternProperties", "dependentSchemas", "dependencies")
_DRAFTS_IGNORING_SIBLINGS = ("draft-04", "draft-06", "draft-07")


def dialect(schema: Any) -> str:
    """`draft-07` (the parameter dialect by default), `draft-04`, ..., `2020-12`."""
    uri = schema.get("$schema", "") if isinstance(schema, dict) else ""
    for name in ("draft-04", "draft-06", "draft-07", "2019-09", "2020-12"):
        if name in uri:
            return name
    return "draft-07"


def dereference(schema: Any, source: str = "parameters") -> Any:
    """`schema` with every local `$ref` inlined and `definitions`/`$defs` dropped."""
    resolver = _Resolver(schema, source, dialect(schema))
    return resolver.walk(schema, "", ())


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


class _Resolver:
    def __init__(self, root: Any, source: str, draft: str) -> None:
        self.root = root
        self.source = source
        self.keep_siblings = draft not in _DRAFTS_IGNORING_SIBLINGS
        self.memo: dict[str, Any] = {}

    def fail(self, message: str, pointer: str, hint: str) -> InvalidInputError:
        problem = Problem(message, file=self.source, pointer=pointer or "/", rule="$ref", hint=hint)
        return InvalidInputError(f"{self.source}: {message}", hint=hint, problems=(problem,))

    def walk(self, node: Any, pointer: str, stack: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [self.walk(item, f"{pointer}/{i}", stack) for i, item in enumerate(node)]
        if not isinstance(node, dict):
            return node
        if isinstance(node.get("$ref"), str):
            return self.reference(node, pointer, stack)
        result = {}
        for key, value in node.items():
            if key in _DATA:
                result[key] = value
            elif key in _MAPS and isinstance(value, dict):
                result[key] = {
                    name: self.walk(sub, f"{pointer}/{key}/{name}", stack)
                    for name, sub in value.items()
                }
            elif key not in _CONTAINERS:
                result[key] = self.walk(value, f"{pointer}/{key}", stack)
        return result

    def reference(self, node: dict[str, Any], pointer: str, stack: tuple[str, ...]) -> Any:
        ref = node["$ref"]
        if not ref.startswith("#"):
            raise self.fail(
                f"remote $ref {ref!r} at {pointer or '/'} is not fetched",
                pointer,
                "inline the referenced schema under `definitions` and use a local `#/…` ref",
            )
        if ref in stack:
            chain = " -> ".join((*stack[stack.index(ref) :], ref))
            raise self.fail(
                f"$ref cycle: {chain}",
                pointer,
                "parameter schemas must be finite: replace the recursion with a fixed depth",
            )
        if ref not in self.memo:
            target = self.lookup(ref, pointer)
            self.memo[ref] = self.walk(target, ref[1:], (*stack, ref))
        resolved = self.memo[ref]
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        if not siblings or not isinstance(resolved, dict):
            return resolved
        kept = (
            siblings
            if self.keep_siblings
            else {k: v for k, v in siblings.items() if k in ANNOTATIONS}
        )
        walked = {k: self.walk(v, f"{pointer}/{k}", stack) for k, v in kept.items()}
        if any(k in resolved and k not in ANNOTATIONS for k in walked):
            return {"allOf": [resolved, walked]}
        return {**resolved, **walked}

    def lookup(self, ref: str, pointer: str) -> Any:
        node = self.root
        for token in (t for t in ref[1:].split("/") if t):
            key = _unescape(token)
            if isinstance(node, dict) and key in node:
                node = node[key]
            elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            else:
                raise self.fail(
                    f"$ref {ref!r} at {pointer or '/'} points at nothing",
                    pointer,
                    "check the name under `definitions` / `$defs`",
                )
        return node
