"""Object keywords: parameters added, removed, renamed, required, content models. Pure.

Content models (Confluent): *closed* = `additionalProperties: false` and no
`patternProperties`; *partially open* = an `additionalProperties` schema or
`patternProperties` (an undeclared key must satisfy them); *open* otherwise. When a
parameter is added only the old model matters, when one is removed only the new one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gitops_templates.compat.core import scalars
from gitops_templates.compat.core.samples import ABSENT, PALETTE, regex_sample, sample
from gitops_templates.compat.core.shapes import (
    accepts_all,
    normalize,
    pointer_token,
)
from gitops_templates.core.patterns import PatternTooSlowError, search

if TYPE_CHECKING:
    from gitops_templates.compat.core.schemadiff import SchemaDiff

UNDECLARED = "undeclared-key"  # the key counterexamples use for undeclared parameters


def compare(d: SchemaDiff, old: dict[str, Any], new: dict[str, Any], ptr: str, path: Any) -> None:
    """All object keywords of two subschemas."""
    o_props, n_props = _props(old), _props(new)
    o_req, n_req = set(old.get("required", ())), set(new.get("required", ()))
    for name in o_props.keys() & n_props.keys():
        d.compare(
            o_props[name], n_props[name], f"{ptr}/properties/{pointer_token(name)}", (*path, name)
        )
    removed = [k for k in o_props if k not in n_props]
    added = [k for k in n_props if k not in o_props]
    for old_name, new_name in _renames(removed, added, o_props, n_props):
        removed.remove(old_name)
        added.remove(new_name)
        d.add(
            "param-renamed",
            f"{ptr}/properties/{pointer_token(new_name)}",
            f"parameter {old_name!r} renamed to {new_name!r}",
            (*path, old_name),
            (sample(normalize(o_props[old_name])),),
        )
    for name in removed:
        _removed(d, old, new, name, ptr, path)
    for name in added:
        _added(d, old, new, name, name in n_req, ptr, path)
    for name in sorted(n_req - o_req - set(added)):
        rule = (
            "param-added-required-with-default"
            if "default" in n_props.get(name, {})
            else ("param-became-required")
        )
        d.add(
            rule, f"{ptr}/required", f"parameter {name!r} became required", (*path, name), (ABSENT,)
        )
    for name in sorted(o_req - n_req - set(removed)):
        d.add(
            "param-became-optional", f"{ptr}/required", f"parameter {name!r} became optional", path
        )
    _additional(d, old, new, ptr, path)
    _patterns(d, old, new, ptr, path)
    _names_and_counts(d, old, new, ptr, path)
    _dependencies(d, old, new, ptr, path)


def _props(schema: dict[str, Any]) -> dict[str, Any]:
    props = schema.get("properties")
    return props if isinstance(props, dict) else {}


def model(schema: dict[str, Any]) -> str:
    """`closed`, `partial` or `open`."""
    extra = schema.get("additionalProperties", True)
    if schema.get("patternProperties"):
        return "partial"
    if extra is False or extra == {"not": {}}:
        return "closed"
    return "partial" if isinstance(extra, dict) and extra != {} else "open"


def undeclared_schema(schema: dict[str, Any], name: str) -> list[Any]:
    """The schemas an undeclared key `name` must satisfy (patterns, else additional)."""
    matching = [s for p, s in (schema.get("patternProperties") or {}).items() if _matches(p, name)]
    return matching or [schema.get("additionalProperties", {})]


def _renames(
    removed: list[str], added: list[str], o_props: Any, n_props: Any
) -> list[tuple[str, str]]:
    pairs = []
    free = list(added)
    for old_name in removed:
        body = normalize(o_props[old_name])
        match = next((n for n in free if normalize(n_props[n]) == body and body), None)
        if match is not None:
            free.remove(match)
            pairs.append((old_name, match))
    return pairs


def _removed(d: SchemaDiff, old: Any, new: Any, name: str, ptr: str, path: Any) -> None:
    before = old["properties"][name]
    if before is False:
        return  # a forbidden key stays forbidden
    where = f"{ptr}/properties/{pointer_token(name)}"
    seed = (sample(normalize(before)),)
    kind = model(new)
    if kind == "closed":
        d.add("param-removed", where, f"parameter {name!r} removed", (*path, name), seed)
    elif kind == "partial" and not all(
        d.compatible(before, s) for s in undeclared_schema(new, name)
    ):
        d.add(
            "param-removed-partial-model",
            where,
            f"parameter {name!r} removed; its values fail the schema for undeclared keys",
            (*path, name),
            seed,
        )
    else:
        d.add(
            "param-removed-open-model",
            where,
            f"parameter {name!r} removed; consumers' values for it are silently ignored",
            (*path, name),
            seed,
        )


def _added(
    d: SchemaDiff, old: Any, new: Any, name: str, required: bool, ptr: str, path: Any
) -> None:
    after = new["properties"][name]
    where = f"{ptr}/properties/{pointer_token(name)}"
    kind = model(old)
    if required:
        has_default = isinstance(after, dict) and "default" in after
        if has_default and not (kind == "open" and d.profile == "strict"):
            rule = "param-added-required-with-default"
        else:
            rule = "param-added-required"
        d.add(rule, where, f"required parameter {name!r} added", (*path, name), (ABSENT,))
    elif kind == "closed" or accepts_all(after):
        d.add("param-added-optional", where, f"optional parameter {name!r} added")
    elif kind == "partial":
        fine = all(d.compatible(s, after) for s in undeclared_schema(old, name))
        rule = "param-added-optional" if fine else "param-added-partial-model"
        d.add(rule, where, f"parameter {name!r} added", (*path, name), PALETTE)
    else:
        d.add(
            "param-added-open-model",
            where,
            f"optional parameter {name!r} added to an open object (old values may carry "
            f"{name!r} with another meaning)",
            (*path, name),
            PALETTE,
        )


def _additional(d: SchemaDiff, old: Any, new: Any, ptr: str, path: Any) -> None:
    for key, tighter, looser in (
        ("additionalProperties", "additional-properties-narrowed", "additional-properties-widened"),
        (
            "unevaluatedProperties",
            "unevaluated-properties-restricted",
            "unevaluated-properties-relaxed",
        ),
    ):
        a, b = normalize(old.get(key, {})), normalize(new.get(key, {}))
        if a == b:
            continue
        where, at = f"{ptr}/{key}", (*path, UNDECLARED)
        if not a and key == "additionalProperties":  # open before
            d.add(
                "additional-properties-disallowed",
                where,
                "undeclared keys are now restricted",
                at,
                PALETTE,
            )
        elif b == {}:
            d.add(
                "additional-properties-allowed" if key == "additionalProperties" else looser,
                where,
                f"{key} no longer restricted",
                at,
            )
        elif d.compatible(a, b):
            d.add(looser, where, f"{key} relaxed", at)
        else:
            d.add(tighter, where, f"{key} restricted", at, (sample(a), *PALETTE))


def _patterns(d: SchemaDiff, old: Any, new: Any, ptr: str, path: Any) -> None:
    o_pat, n_pat = old.get("patternProperties") or {}, new.get("patternProperties") or {}
    for pattern in sorted(o_pat.keys() | n_pat.keys()):
        key = regex_sample(pattern) or UNDECLARED
        where, at = f"{ptr}/patternProperties/{pointer_token(pattern)}", (*path, key)
        if pattern in o_pat and pattern in n_pat:
            d.compare(o_pat[pattern], n_pat[pattern], where, at)
        elif pattern in n_pat:
            before = undeclared_schema(old, key) if key != UNDECLARED else [{}]
            if model(old) == "open":
                rule = "pattern-properties-added-open-model"
            elif all(d.compatible(s, n_pat[pattern]) for s in before):
                rule = "pattern-properties-widened"
            else:
                rule = "pattern-properties-narrowed"
            d.add(
                rule, where, f"keys matching {pattern!r} now follow their own schema", at, PALETTE
            )
        elif new.get("additionalProperties", True) is False:
            d.add(
                "pattern-properties-narrowed",
                where,
                f"keys matching {pattern!r} are no longer accepted",
                at,
                (sample(o_pat[pattern]),),
            )
        else:
            d.add(
                "pattern-properties-widened",
                where,
                f"keys matching {pattern!r} no longer restricted",
                at,
            )


def _names_and_counts(d: SchemaDiff, old: Any, new: Any, ptr: str, path: Any) -> None:
    a, b = normalize(old.get("propertyNames", {})), normalize(new.get("propertyNames", {}))
    if a != b:
        if d.compatible(a, b):
            d.add("property-names-relaxed", f"{ptr}/propertyNames", "key names relaxed", path)
        else:
            d.add(
                "property-names-restricted",
                f"{ptr}/propertyNames",
                "key names restricted",
                path,
                ({sample(a, kind="string"): 1}, {"A B": 1}, {"-": 1}),
            )
    example = {f"k{i}": 1 for i in range(64)}
    scalars.limits(
        d,
        old,
        new,
        ptr,
        path,
        "maxProperties",
        "minProperties",
        lambda n: dict(list(example.items())[:n]),
    )


def _dependencies(d: SchemaDiff, old: Any, new: Any, ptr: str, path: Any) -> None:
    o_req, o_schemas = _split_dependencies(old)
    n_req, n_schemas = _split_dependencies(new)
    for key in sorted(o_req.keys() | n_req.keys()):
        before, after = set(o_req.get(key, ())), set(n_req.get(key, ()))
        if after - before:
            d.add(
                "dependent-required-added",
                f"{ptr}/dependentRequired",
                f"{key!r} now requires {sorted(after - before)}",
                (*path, key),
                (sample(_props(old).get(key, {})), "x"),
            )
        elif before - after:
            d.add(
                "dependent-required-removed",
                f"{ptr}/dependentRequired",
                f"{key!r} no longer requires {sorted(before - after)}",
                path,
            )
    for key in sorted(o_schemas.keys() | n_schemas.keys()):
        where = f"{ptr}/dependentSchemas/{key}"
        if key in o_schemas and key in n_schemas:
            d.compare(o_schemas[key], n_schemas[key], where, path)
        elif key in n_schemas:
            d.add(
                "dependent-schema-added",
                where,
                f"schema applied when {key!r} is set",
                (*path, key),
                (sample(_props(old).get(key, {})), "x"),
            )
        else:
            d.add("dependent-schema-removed", where, f"no schema applied when {key!r} is set", path)


def _split_dependencies(schema: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    required = dict(schema.get("dependentRequired") or {})
    schemas = dict(schema.get("dependentSchemas") or {})
    for key, value in (schema.get("dependencies") or {}).items():
        (required if isinstance(value, list) else schemas)[key] = value
    return required, schemas


def _matches(pattern: str, name: str) -> bool:
    """`pattern` matches property `name` (a pattern over its time budget: not known)."""
    try:
        return search(pattern, name)
    except (PatternTooSlowError, ValueError):
        return False
