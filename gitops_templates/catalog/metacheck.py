"""A compiled yes/no check of a schema against a metaschema, for the common valid case.

jsonschema checks a schema against its metaschema keyword by keyword through generic
machinery (about 3.5 ms for a 20-property 2020-12 schema, even without dynamic
references). Nearly every schema a catalog holds is valid, and then all that matters is
that there is no error. `compile_check` turns a metaschema into nested closures that
answer only "valid" (True) or "not known to be valid" (False); on False the caller runs
jsonschema, which finds the error and words it. So the answer must be sound: True only
where jsonschema finds no error. Each keyword below mirrors jsonschema's own code for it
(`jsonschema/_keywords.py`, the type checker of drafts 4 and later, the same format
checker); where it cannot mirror it cheaply it answers False (an `enum` or `uniqueItems`
over other values than strings, schemas nested deeper than `MAX_DEPTH`, any exception).
A keyword the compiler does not know makes `compile_check` raise `Unsupported`, and
the caller keeps to jsonschema alone.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any, int], bool]
MAX_DEPTH = 24  # nested schemas followed through the root reference, then jsonschema
_IGNORED = frozenset({"$comment", "$defs", "default", "deprecated", "description",
                      "examples", "readOnly", "title", "writeOnly"})  # fmt: skip


class Unsupported(Exception):
    """The metaschema uses a keyword (or a form of one) this compiler does not mirror."""


def compile_check(
    root: Any,
    format_checker: Any,
    *,
    unknown_is_false: bool = False,
    search: Callable[[str, str], bool] | None = None,
) -> Callable[[Any], bool]:
    """`check(schema)`: True only when `schema` is valid against `root` (local `$ref`s).

    `unknown_is_false`: a keyword the compiler does not mirror makes its subschema answer
    False (jsonschema decides) instead of raising `Unsupported`: for a shipped schema
    whose rare parts (`oneOf`, `if`) need not be fast. Without a `format_checker`,
    `format` is an annotation, as it is to a validator built without one. `search`
    matches `pattern`s instead of `re` (a user's, under a time budget).
    """
    table: dict[int, Check] = {}
    compiler = _Compiler(root, format_checker, table, unknown_is_false)
    compiler.search = search
    top = compiler.node(root)

    def check(instance: Any) -> bool:
        try:
            return top(instance, 0)
        except Exception:  # jsonschema decides (and raises) on its own
            return False

    return check


def _is_integer(x: Any) -> bool:
    if isinstance(x, bool):
        return False
    return isinstance(x, int) or (isinstance(x, float) and x.is_integer())


def _is_number(x: Any) -> bool:
    return not isinstance(x, bool) and isinstance(x, numbers.Number)


_TYPES: dict[str, Callable[[Any], bool]] = {
    "array": lambda x: isinstance(x, list),
    "boolean": lambda x: isinstance(x, bool),
    "integer": _is_integer,
    "null": lambda x: x is None,
    "number": _is_number,
    "object": lambda x: isinstance(x, dict),
    "string": lambda x: isinstance(x, str),
}
_CLASSES = {"array": list, "boolean": bool, "object": dict, "string": str}


class _Compiler:
    """Compiles each subschema of one metaschema once; `$ref`s go through `table`."""

    def __init__(self, root: Any, format_checker: Any, table: dict[int, Check],
                 unknown_is_false: bool = False) -> None:  # fmt: skip
        self.root = root
        self.formats = format_checker
        self.table = table
        self.unknown_is_false = unknown_is_false
        self.search: Callable[[str, str], bool] | None = None

    def node(self, schema: Any) -> Check:
        if schema is True:
            return lambda x, d: True
        if not isinstance(schema, dict):
            return lambda x, d: False  # `false` or a malformed subschema: never known valid
        if id(schema) not in self.table:
            self.table[id(schema)] = lambda x, d: False  # placeholder while compiling
            self.table[id(schema)] = self._conjunction(schema)
        return self.table[id(schema)]

    def ref(self, ref: Any) -> Check:
        if not isinstance(ref, str) or not (ref == "#" or ref.startswith("#/")) or "%" in ref:
            raise Unsupported(f"$ref {ref!r}")  # not a plain pointer into this document
        target = self.root
        for part in ref[1:].split("/")[1:]:
            target = target[part.replace("~1", "/").replace("~0", "~")]
        self.node(target)
        key, table = id(target), self.table
        if target is self.root:  # the one reference that nests: bounded depth

            def nested(x: Any, d: int) -> bool:
                return d < MAX_DEPTH and table[key](x, d + 1)

            return nested
        return lambda x, d: table[key](x, d)

    def _conjunction(self, schema: dict[str, Any]) -> Check:
        checks = [self.keyword(name, value, schema) for name, value in schema.items()]
        parts = tuple(c for c in checks if c is not None)
        if len(parts) == 1:
            return parts[0]

        def all_of(x: Any, d: int) -> bool:
            for part in parts:  # noqa: SIM110 - a loop is faster than all() and a generator
                if not part(x, d):
                    return False
            return True

        return all_of

    def keyword(self, name: str, value: Any, schema: dict[str, Any]) -> Check | None:
        if name in _IGNORED:
            return None
        method = getattr(self, "k_" + name.lstrip("$"), None)
        try:
            if method is None:
                raise Unsupported(name)
            result: Check | None = method(value, schema)
        except Unsupported:
            if not self.unknown_is_false:
                raise
            return lambda x, d: False
        return result

    def k_id(self, value: Any, schema: dict[str, Any]) -> None:
        if schema is not self.root:  # a nested `$id` moves the base of references
            raise Unsupported("$id below the root")

    def k_schema(self, value: Any, schema: dict[str, Any]) -> None:
        if schema is not self.root:
            raise Unsupported("$schema below the root")

    def k_title(self, value: Any, schema: dict[str, Any]) -> None:
        return None

    def k_required(self, value: Any, schema: dict[str, Any]) -> Check:
        names = tuple(value)
        return lambda x, d: not isinstance(x, dict) or all(n in x for n in names)

    def k_minLength(self, value: Any, schema: dict[str, Any]) -> Check:
        return lambda x, d: not isinstance(x, str) or not len(x) < value

    def k_maxLength(self, value: Any, schema: dict[str, Any]) -> Check:
        return lambda x, d: not isinstance(x, str) or not len(x) > value

    def k_maxItems(self, value: Any, schema: dict[str, Any]) -> Check:
        return lambda x, d: not isinstance(x, list) or not len(x) > value

    def k_maximum(self, value: Any, schema: dict[str, Any]) -> Check:
        return lambda x, d: not _is_number(x) or not x > value

    def k_definitions(self, value: Any, schema: dict[str, Any]) -> None:
        return None  # draft-07's `$defs`: only what refers to it is checked

    def k_exclusiveMaximum(self, value: Any, schema: dict[str, Any]) -> Check:
        return lambda x, d: not _is_number(x) or not x >= value

    def k_const(self, value: Any, schema: dict[str, Any]) -> Check:
        if not isinstance(value, str):  # jsonschema's `equal` on a string is ==
            raise Unsupported("const of another value than a string")
        return lambda x, d: isinstance(x, str) and x == value

    def k_not(self, value: Any, schema: dict[str, Any]) -> Check:
        """Only over a subschema whose check is exact (False there means invalid)."""
        inner = self.exact(value)
        return lambda x, d: not inner(x, d)

    def k_if(self, value: Any, schema: dict[str, Any]) -> Check:
        condition = self.exact(value)
        then = self.node(schema["then"]) if "then" in schema else None
        otherwise = self.node(schema["else"]) if "else" in schema else None

        def branch(x: Any, d: int) -> bool:
            chosen = then if condition(x, d) else otherwise
            return chosen is None or chosen(x, d)

        return branch

    def k_then(self, value: Any, schema: dict[str, Any]) -> None:
        return None  # applied by `if` (and ignored without it, as jsonschema does)

    def k_else(self, value: Any, schema: dict[str, Any]) -> None:
        return None

    def k_oneOf(self, value: Any, schema: dict[str, Any]) -> Check:
        kinds = [self.types_of(sub) for sub in value] if isinstance(value, list) else []
        if not kinds:
            raise Unsupported("oneOf that is not a list of schemas")
        for index, kind in enumerate(kinds):
            for other in kinds[index + 1 :]:
                numeric = ("integer" in kind and "number" in other) or (
                    "number" in kind and "integer" in other)  # fmt: skip
                if kind & other or numeric:
                    raise Unsupported("oneOf whose alternatives may overlap")
        return self.k_anyOf(value, schema)  # at most one alternative can hold: any = one

    def exact(self, schema: Any) -> Check:
        """The check of `schema`, which must be True exactly when jsonschema finds it valid."""
        if not _is_exact(schema):
            raise Unsupported("not, if or oneOf over a subschema checked only one way")
        return self.node(schema)

    def types_of(self, schema: Any) -> frozenset[str]:
        """The types `schema` admits at most (its `type`, or that of its `$ref`)."""
        seen = 0
        while isinstance(schema, dict) and "type" not in schema and "$ref" in schema:
            seen += 1
            ref = schema["$ref"]
            if seen > MAX_DEPTH or not isinstance(ref, str) or not ref.startswith("#/"):
                break
            schema = self.root
            for part in ref[2:].split("/"):
                schema = schema[part.replace("~1", "/").replace("~0", "~")]
        found = schema.get("type") if isinstance(schema, dict) else None
        names = [found] if isinstance(found, str) else found
        if not isinstance(names, list) or not names or not set(names) <= set(_TYPES):
            raise Unsupported("an alternative of oneOf without a type")
        return frozenset(names)

    def k_ref(self, value: Any, schema: dict[str, Any]) -> Check:
        return self.ref(value)

    def k_allOf(self, value: Any, schema: dict[str, Any]) -> Check:
        parts = tuple(self.node(sub) for sub in value)
        return lambda x, d: all(part(x, d) for part in parts)

    def k_anyOf(self, value: Any, schema: dict[str, Any]) -> Check:
        parts = tuple(self.node(sub) for sub in value)
        return lambda x, d: any(part(x, d) for part in parts)

    def k_type(self, value: Any, schema: dict[str, Any]) -> Check:
        names = [value] if isinstance(value, str) else list(value)
        if all(n in _CLASSES for n in names):
            classes = tuple(_CLASSES[n] for n in names)
            return lambda x, d: isinstance(x, classes)
        tests = tuple(_TYPES[n] for n in names)
        return lambda x, d: any(test(x) for test in tests)

    def k_properties(self, value: Any, schema: dict[str, Any]) -> Check:
        if "patternProperties" in schema:
            raise Unsupported("patternProperties")
        checks = {name: self.node(sub) for name, sub in value.items()}

        def properties(x: Any, d: int) -> bool:
            if isinstance(x, dict):
                for key, item in x.items():
                    check = checks.get(key)
                    if check is not None and not check(item, d):
                        return False
            return True

        return properties

    def k_additionalProperties(self, value: Any, schema: dict[str, Any]) -> Check:
        if "patternProperties" in schema:
            raise Unsupported("patternProperties")
        known = frozenset(schema.get("properties", {}))
        extra = self.node(value)

        def additional(x: Any, d: int) -> bool:
            if isinstance(x, dict):
                for key, item in x.items():
                    if key not in known and not extra(item, d):
                        return False
            return True

        return additional

    def k_propertyNames(self, value: Any, schema: dict[str, Any]) -> Check:
        names = self.node(value)
        return lambda x, d: not isinstance(x, dict) or all(names(key, d) for key in x)

    def k_items(self, value: Any, schema: dict[str, Any]) -> Check:
        if "prefixItems" in schema or isinstance(value, list):
            raise Unsupported("items with prefixItems or an array of schemas")
        item = self.node(value)
        return lambda x, d: not isinstance(x, list) or all(item(i, d) for i in x)

    def k_minItems(self, value: Any, schema: dict[str, Any]) -> Check:
        return lambda x, d: not isinstance(x, list) or not len(x) < value

    def k_uniqueItems(self, value: Any, schema: dict[str, Any]) -> Check | None:
        if not value:
            return None

        def unique(x: Any, d: int) -> bool:  # strings only: equal() is == on them
            if not isinstance(x, list):
                return True
            return all(isinstance(i, str) for i in x) and len(set(x)) == len(x)

        return unique

    def k_enum(self, value: Any, schema: dict[str, Any]) -> Check:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise Unsupported("enum of other values than strings")
        allowed = frozenset(value)
        return lambda x, d: isinstance(x, str) and x in allowed

    def k_minimum(self, value: Any, schema: dict[str, Any]) -> Check:
        return lambda x, d: not _is_number(x) or not x < value

    def k_exclusiveMinimum(self, value: Any, schema: dict[str, Any]) -> Check:
        return lambda x, d: not _is_number(x) or not x <= value

    def k_pattern(self, value: Any, schema: dict[str, Any]) -> Check:
        search = self.search
        if search is not None:
            return lambda x, d: not isinstance(x, str) or search(value, x)
        compiled = re.compile(value)
        return lambda x, d: not isinstance(x, str) or compiled.search(x) is not None

    def k_format(self, value: Any, schema: dict[str, Any]) -> Check | None:
        if self.formats is None:
            return None
        conforms = self.formats.conforms
        return lambda x, d: bool(conforms(x, value))


_EXACT = frozenset({"type", "pattern", "required", "const", "enum", "minLength", "maxLength",
                    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minItems",
                    "maxItems", "properties"})  # fmt: skip


def _is_exact(schema: Any) -> bool:
    """Every keyword of `schema` is one whose check answers exactly (no reference)."""
    if not isinstance(schema, dict):
        return False
    for name, value in schema.items():
        if name in _IGNORED:
            continue
        if name not in _EXACT or (name == "properties" and not (
                isinstance(value, dict) and all(map(_is_exact, value.values())))):  # fmt: skip
            return False
        if name in ("enum", "const", "type") and not _exact_value(name, value):
            return False
    return "patternProperties" not in schema


def _exact_value(name: str, value: Any) -> bool:
    if name == "type":
        names = [value] if isinstance(value, str) else value
        return isinstance(names, list) and all(n in _TYPES for n in names)
    values = value if name == "enum" else [value]
    return isinstance(values, list) and all(isinstance(v, str) for v in values)
