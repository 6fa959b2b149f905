"""Concrete counterexamples for breaking findings, checked with jsonschema.

For each breaking finding: start from a value the old schema accepts, put each candidate
at the finding's place in consumers' values, and keep the first one the old schema
accepts and the new one rejects. For a parameter that disappeared from an open object
the new schema still accepts the value; the counterexample then shows a value whose
setting is silently ignored.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from gitops_templates.compat.core.deref import dereference
from gitops_templates.compat.core.rules import Counterexample
from gitops_templates.compat.core.samples import ABSENT, PALETTE, sample
from gitops_templates.core.models import Level

if TYPE_CHECKING:
    from collections.abc import Callable

    from gitops_templates.compat.core.rules import Finding

_IGNORED = frozenset({"param-removed-open-model", "param-renamed"})
_MISSING = object()


def attach_counterexamples(
    findings: list[Finding],
    old_raw: Any,
    new_raw: Any,
    validator: Callable[[Any], Any] | None = None,
) -> list[Finding]:
    """`findings` with a checked counterexample on each breaking one that has any.

    `validator(schema)` builds the jsonschema validator (the catalog's, which follows
    no remote reference and bounds user patterns); jsonschema's own by default.
    """
    breaking = [f for f in findings if f.level is Level.MAJOR]
    if not breaking:
        return findings
    old, new = dereference(old_raw), dereference(new_raw)
    make = validator or _plain_validator
    old_check, new_check = make(old_raw), make(new_raw)
    base = _base(old, new, old_check, new_check)
    known = _errors(new_check, base)
    result = []
    for item in findings:
        found = None
        if item.level is Level.MAJOR:
            found = _search(item, old, base, known, old_check, new_check)
        result.append(replace(item, counterexample=found) if found else item)
    return result


def _base(old: Any, new: Any, old_check: Any, new_check: Any) -> Any:
    """A value the old schema accepts, and the new one too when that is easy."""
    first = sample(old)
    merged = _merge(first, sample(new))
    if _valid(old_check, merged) and _valid(new_check, merged):
        return merged
    return first


def _merge(a: Any, b: Any) -> Any:
    if isinstance(a, dict) and isinstance(b, dict):
        return {**b, **{k: _merge(v, b[k]) if k in b else v for k, v in a.items()}}
    return a


def _errors(check: Any, value: Any) -> set[tuple[tuple[Any, ...], str]]:
    try:
        return {(tuple(e.absolute_path), str(e.validator)) for e in check.iter_errors(value)}
    except Exception:
        return {((), "error")}


def _plain_validator(schema: Any) -> Any:
    from jsonschema import Draft7Validator
    from jsonschema.validators import validator_for

    return validator_for(schema, default=Draft7Validator)(schema)


def _search(
    item: Finding, schema: Any, base: Any, known: set[Any], old_check: Any, new_check: Any
) -> Counterexample | None:
    here = _schema_at(schema, item.path)
    seeds = (*item.candidates, sample(here), sample(here, full=True), *PALETTE)
    for candidate in seeds:
        value = _place(schema, base, item.path, candidate)
        if value is _MISSING or not _valid(old_check, value):
            continue
        branch = {e for e in _errors(new_check, value) if _on_branch(e[0], item.path)}
        base_only_here = all(_on_branch(k[0], item.path) for k in known)
        if branch and (branch - known or base_only_here):  # rejected because of this finding
            return Counterexample(value, "rejected")
        if item.rule in _IGNORED and value != base:
            return Counterexample(value, "ignored")
    return None


def _on_branch(error_path: tuple[Any, ...], path: tuple[Any, ...]) -> bool:
    """True when one path is a prefix of the other (the error is about this place)."""
    size = min(len(error_path), len(path))
    return error_path[:size] == path[:size]


def _valid(check: Any, value: Any) -> bool:
    try:
        return bool(check.is_valid(value))
    except Exception:
        return False


def _schema_at(schema: Any, path: tuple[str | int, ...]) -> Any:
    node = schema
    for key in path:
        if not isinstance(node, dict):
            return {}
        if isinstance(key, int):
            items = node.get("prefixItems") or node.get("items")
            node = items[key] if isinstance(items, list) and key < len(items) else items
        else:
            node = (node.get("properties") or {}).get(key, node.get("additionalProperties", {}))
    return node if isinstance(node, dict) else {}


def _place(schema: Any, base: Any, path: tuple[str | int, ...], candidate: Any) -> Any:
    """A copy of `base` with `candidate` at `path` (containers made on the way)."""
    if not path:
        return _MISSING if candidate is ABSENT else copy.deepcopy(candidate)
    root = copy.deepcopy(base)
    node = root
    for depth, key in enumerate(path):
        last = depth == len(path) - 1
        if isinstance(key, int):
            if not isinstance(node, list):
                return _MISSING
            filler = sample(_schema_at(schema, path[: depth + 1]))
            while len(node) <= key:
                node.append(copy.deepcopy(filler))
        elif not isinstance(node, dict):
            return _MISSING
        elif key not in node:
            if last and candidate is ABSENT:
                return root
            node[key] = sample(_schema_at(schema, path[: depth + 1]))
        if last:
            if candidate is ABSENT:
                del node[key]
            else:
                node[key] = copy.deepcopy(candidate)
            return root
        node = node[key]
    return root
