"""Validators for schemas users write: no network, and user regexes under a time budget.

A template's `parameters` schema comes from whoever can push to the catalog, and a
server-side hook validates it: so `$ref`s resolve only inside the document (a remote
one is never fetched: it is an error naming the reference), and the regular expressions
in `pattern`, `patternProperties` (also where `additionalProperties` consults them)
run in the `regex` engine with a time budget per match, so `^(a+)+$` on a long value
is an error naming the pattern, not minutes of backtracking. `uniqueItems` is checked in
linear time (jsonschema's own check compares every pair: minutes on 8 000 items).
"""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any

from gitops_templates.core.patterns import search

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator


def user_validator(schema: Any) -> Any:
    """A jsonschema validator for `schema` (draft-07 unless `$schema` says otherwise)."""
    from jsonschema import Draft7Validator
    from jsonschema.validators import validator_for
    from referencing import Registry

    base = (
        validator_for(schema, default=Draft7Validator)
        if isinstance(schema, dict)
        else (Draft7Validator)
    )
    return _bounded(base)(schema, registry=Registry())  # nothing to retrieve from


def known_valid(schema: Any, values: Any) -> bool:
    """True only where `user_validator(schema)` finds no error in `values`.

    A compiled yes/no check (`metacheck`: the keywords of draft-07 and 2020-12 it mirrors,
    patterns through `search`, under one `total_budget`); False means "ask the validator".
    """
    from gitops_templates.core.patterns import total_budget

    check = _checks.get(id(schema))
    if check is None or check[0] is not schema:
        if len(_checks) >= 64:
            _checks.pop(next(iter(_checks)))
        check = _checks[id(schema)] = (schema, _compiled(schema))
    with total_budget():
        return check[1](values)


_checks: dict[int, tuple[Any, Callable[[Any], bool]]] = {}


def _compiled(schema: Any) -> Callable[[Any], bool]:
    from gitops_templates.catalog.metacheck import compile_check
    from gitops_templates.catalog.metaschema import dialect_of

    if dialect_of(schema) is None:
        return lambda _: False  # draft 4's boolean exclusiveMinimum, ...: the validator alone
    try:
        return compile_check(schema, None, unknown_is_false=True, search=search)
    except Exception:  # a schema the compiler cannot read: the validator reports it
        return lambda _: False


@cache
def _bounded(base: type[Any]) -> type[Any]:
    from jsonschema.validators import extend

    keywords = {"pattern": _pattern, "patternProperties": _pattern_properties,
                "additionalProperties": _additional_properties,
                "uniqueItems": _unique_items}  # fmt: skip
    bounded: type[Any] = extend(base, validators=keywords)  # type: ignore[no-untyped-call]
    return bounded


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if validator.is_type(instance, "string") and not search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _unique_items(validator: Any, unique: Any, instance: Any, schema: Any) -> Iterator[Any]:
    """Jsonschema's check (same message, same equality) in linear time, not quadratic."""
    from jsonschema.exceptions import ValidationError

    if not unique or not validator.is_type(instance, "array"):
        return
    seen: set[str] = set()
    for item in instance:
        key = json.dumps(_canonical(item), sort_keys=True)
        if key in seen:
            yield ValidationError(f"{instance!r} has non-unique elements")
            return
        seen.add(key)


def _canonical(value: Any) -> Any:
    """A JSON value as jsonschema compares it: `1 == 1.0`, `true != 1`."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def _pattern_properties(validator: Any, patterns: Any, instance: Any, schema: Any) -> Any:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if search(pattern, key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional_properties(validator: Any, extra: Any, instance: Any, schema: Any) -> Any:
    """Jsonschema's own (same messages), with the patterns it consults under the budget."""
    from jsonschema.exceptions import ValidationError

    if not validator.is_type(instance, "object"):
        return
    known = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    unknown = {k for k in instance if k not in known and not any(search(p, k) for p in patterns)}
    if validator.is_type(extra, "object"):
        for key in unknown:
            yield from validator.descend(instance[key], extra, path=key)
    elif not extra and unknown:
        if "patternProperties" in schema:
            verb = "does" if len(unknown) == 1 else "do"
            joined = ", ".join(repr(k) for k in sorted(unknown))
            listed = ", ".join(repr(p) for p in sorted(patterns))
            yield ValidationError(f"{joined} {verb} not match any of the regexes: {listed}")
        else:
            were = "was" if len(unknown) == 1 else "were"
            shown = ", ".join(repr(k) for k in sorted(unknown, key=str))
            yield ValidationError(
                f"Additional properties are not allowed ({shown} {were} unexpected)"
            )
