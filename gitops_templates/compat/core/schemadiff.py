"""Classify the change from an old to a new parameter schema, keyword by keyword. Pure.

`diff_schemas(old, new, profile)` inlines `$ref`s, then walks both schemas in step:
types, values (enum/const), numeric/string/array limits here, objects in `objects`,
combinators in `composition`. Identical subtrees are skipped, so a 300-parameter schema
with one change costs one walk. Every finding carries a JSON pointer into the schema and
the path into consumers' values that `witness` uses to build a counterexample.
"""

from __future__ import annotations

from typing import Any

from gitops_templates.compat.core import composition, objects, scalars
from gitops_templates.compat.core.deref import ANNOTATIONS, dereference, dialect
from gitops_templates.compat.core.rules import Finding, finding
from gitops_templates.compat.core.samples import PALETTE, sample
from gitops_templates.compat.core.shapes import (
    REJECT_ALL,
    TYPES,
    allowed_values,
    covers,
    effective_types,
    json_in,
    normalize,
    pointer_token,
    same_json,
)
from gitops_templates.core.models import Level

_ANALYSED = (
    frozenset(
        {
            "type",
            "enum",
            "const",
            "maximum",
            "minimum",
            "exclusiveMaximum",
            "exclusiveMinimum",
            "multipleOf",
            "maxLength",
            "minLength",
            "pattern",
            "format",
            "items",
            "additionalItems",
            "prefixItems",
            "maxItems",
            "minItems",
            "uniqueItems",
            "contains",
            "minContains",
            "maxContains",
            "properties",
            "required",
            "additionalProperties",
            "patternProperties",
            "propertyNames",
            "unevaluatedProperties",
            "maxProperties",
            "minProperties",
            "dependencies",
            "dependentRequired",
            "dependentSchemas",
            "anyOf",
            "oneOf",
            "allOf",
            "not",
            "if",
            "then",
            "else",
            "$schema",
            "$id",
            "contentEncoding",
            "contentMediaType",
            "contentSchema",
            "$anchor",
        }
    )
    | ANNOTATIONS
)
_UNSUPPORTED = frozenset(
    {
        "unevaluatedItems",
        "$dynamicRef",
        "$recursiveRef",
        "$dynamicAnchor",
        "$recursiveAnchor",
        "$vocabulary",
    }
)


def diff_schemas(old: Any, new: Any, profile: str = "template") -> list[Finding]:
    """Findings for `old` -> `new` (both parameter schemas), strongest first."""
    differ = SchemaDiff(profile)
    if dialect(old) != dialect(new):
        differ.add(
            "schema-dialect-changed",
            "/$schema",
            f"$schema changed from {dialect(old)} to {dialect(new)}",
        )
    differ.compare(dereference(old), dereference(new), "", ())
    return sorted(differ.findings, key=lambda f: (-f.level, f.pointer, f.rule))


class SchemaDiff:
    """One comparison run: collects findings under a profile."""

    def __init__(self, profile: str) -> None:
        self.profile = profile
        self.findings: list[Finding] = []

    def add(
        self,
        rule: str,
        pointer: str,
        message: str,
        path: tuple[str | int, ...] = (),
        candidates: tuple[Any, ...] = (),
    ) -> None:
        """Record a finding of `rule`."""
        self.findings.append(
            finding(rule, self.profile, pointer or "/", message, path=path, candidates=candidates)
        )

    def compatible(self, old: Any, new: Any) -> bool:
        """True when nothing `old` accepts is broken by `new` (a side comparison)."""
        if normalize(old) == REJECT_ALL:
            return True
        side = SchemaDiff(self.profile)
        side.compare(old, new, "", ())
        return not any(f.level is Level.MAJOR for f in side.findings)

    def compare(self, old: Any, new: Any, ptr: str, path: tuple[str | int, ...]) -> None:
        """Compare two subschemas found at `ptr` (values at `path`)."""
        if same_json(old, new):
            return
        old, new = normalize(old), normalize(new)
        if same_json(old, new):
            return
        if old == REJECT_ALL:
            self.add("not-removed", ptr, "accepted nothing before", path)
            return
        self._types(old, new, ptr, path)
        self._values(old, new, ptr, path)
        scalars.numbers(self, old, new, ptr, path)
        scalars.strings(self, old, new, ptr, path)
        self._arrays(old, new, ptr, path)
        objects.compare(self, old, new, ptr, path)
        composition.compare(self, old, new, ptr, path)
        self._annotations(old, new, ptr, path)

    def _types(self, old: dict[str, Any], new: dict[str, Any], ptr: str, path: Any) -> None:
        before, after = effective_types(old), effective_types(new)
        if before == after or after is None:
            if before != after:
                self.add("type-widened", f"{ptr}/type", "type constraint removed", path)
            return
        lost = sorted(t for t in (before or TYPES) if not covers(after, t))
        seeds = tuple(sample(old, kind=t) for t in lost)
        if not lost:
            self.add("type-widened", f"{ptr}/type", f"type widened to {_names(after)}", path)
        elif before is not None and all(covers(before, t) for t in after):
            self.add(
                "type-narrowed",
                f"{ptr}/type",
                f"type narrowed from {_names(before)} to {_names(after)}",
                path,
                seeds,
            )
        else:
            was = _names(before) if before is not None else "any"
            self.add(
                "type-changed",
                f"{ptr}/type",
                f"type changed from {was} to {_names(after)}",
                path,
                seeds,
            )

    def _values(self, old: dict[str, Any], new: dict[str, Any], ptr: str, path: Any) -> None:
        before, after = allowed_values(old), allowed_values(new)
        where = f"{ptr}/const" if "const" in new or "const" in old else f"{ptr}/enum"
        if (before is None and after is None) or same_json(before, after):
            return
        if before is None:
            rule = "const-added" if "const" in new else "became-enum"
            self.add(
                rule, where, f"values restricted to {_show(after)}", path, (sample(old), *PALETTE)
            )
        elif after is None:
            rule = "const-removed" if "const" in old else "enum-removed"
            self.add(rule, where, "value restriction removed", path)
        else:
            removed = [v for v in before if not json_in(v, after)]
            added = [v for v in after if not json_in(v, before)]
            if removed:
                rule = "const-changed" if "const" in new else "enum-value-removed"
                self.add(rule, where, f"no longer accepted: {_show(removed)}", path, tuple(removed))
            if added:
                self.add("enum-value-added", where, f"now accepted: {_show(added)}", path)

    def _arrays(self, old: dict[str, Any], new: dict[str, Any], ptr: str, path: Any) -> None:
        o_items, n_items = old.get("items"), new.get("items")
        if any(isinstance(s.get("items"), list) or "prefixItems" in s for s in (old, new)):
            composition.tuples(self, old, new, ptr, path)
        elif o_items != n_items:
            self.compare(
                o_items if o_items is not None else {},
                n_items if n_items is not None else {},
                f"{ptr}/items",
                (*path, 0),
            )
        element = sample(normalize(new.get("items") if isinstance(n_items, dict) else {}))
        scalars.limits(self, old, new, ptr, path, "maxItems", "minItems", lambda n: [element] * n)
        if bool(old.get("uniqueItems")) != bool(new.get("uniqueItems")):
            if new.get("uniqueItems"):
                item = sample(normalize(o_items if isinstance(o_items, dict) else {}))
                self.add(
                    "unique-items-added",
                    f"{ptr}/uniqueItems",
                    "items must now be unique",
                    path,
                    ([item, item],),
                )
            else:
                self.add("unique-items-removed", f"{ptr}/uniqueItems", "items may repeat", path)
        composition.contains(self, old, new, ptr, path)

    def _annotations(self, old: dict[str, Any], new: dict[str, Any], ptr: str, path: Any) -> None:
        for key in sorted(set(old) | set(new)):
            if old.get(key) == new.get(key) or key in _ANALYSED - ANNOTATIONS:
                continue
            where = f"{ptr}/{pointer_token(key)}"
            if key == "default":
                self.add(
                    "default-changed",
                    where,
                    f"default {_show(old.get(key))} -> {_show(new.get(key))}",
                    path,
                )
            elif key == "deprecated":
                rule = "param-deprecated" if new.get(key) else "param-undeprecated"
                self.add(
                    rule, where, "deprecated" if new.get(key) else "no longer deprecated", path
                )
            elif key in ("title", "description", "examples", "$comment"):
                self.add("docs-changed", where, f"{key} changed", path)
            elif key in ANNOTATIONS or key.startswith("x-"):
                self.add("annotation-changed", where, f"{key} changed", path)
            elif key in _UNSUPPORTED:
                self.add(
                    "unsupported-keyword", where, f"{key} changed; not analysed", path, PALETTE
                )
            else:
                self.add(
                    "unknown-keyword",
                    where,
                    f"{key} is not a JSON Schema keyword (misspelt?); ignored by validators",
                    path,
                )


def _names(types: frozenset[str] | None) -> str:
    return "any" if types is None else "|".join(sorted(types))


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
