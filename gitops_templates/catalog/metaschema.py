"""Checking a schema against its dialect's metaschema: the valid case without jsonschema.

Nearly every schema a catalog holds is valid. For draft-07 (the default) and 2020-12,
`known_valid` answers that with a compiled check (`metacheck`) of the metaschema
documents jsonschema itself uses, read from `jsonschema_specifications`' files, so the
common case imports no jsonschema (about 0.1 s per process). Otherwise `schema_error`
asks jsonschema, which finds the error and words it.

jsonschema checks a 2020-12 schema against the metaschema's seven vocabulary documents
joined by `$dynamicRef: "#meta"`; resolving those dynamic references dominates (about
15 ms for a 20-property schema). Without extension vocabularies a dynamic reference to
`#meta` always lands on the top metaschema, so the same checks run against one document
with the vocabularies under `$defs` and every `$dynamicRef: "#meta"` a plain `$ref: "#"`,
and those local references go straight to their subschema instead of through the
reference registry: same errors, same order, about a fifth of the time. Other dialects
use jsonschema's own check.
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from jsonschema.exceptions import SchemaError

DIALECTS = {"https://json-schema.org/draft/2020-12/schema": "draft202012",
            "http://json-schema.org/draft-07/schema": "draft7"}  # fmt: skip
_DROPPED = frozenset({"$dynamicAnchor", "$id", "$schema", "$vocabulary"})
_NAME_MAPS = frozenset({"properties", "$defs"})  # names of subschemas, not keywords
# jsonschema checks the metaschemas' `uri` formats only with one of these installed
_URI_CHECKERS = ("rfc3987", "rfc3986_validator", "rfc3987_syntax")


def schema_error(schema: Any) -> SchemaError | None:
    """The first error of `schema` against its dialect's metaschema, or None.

    The error is the one jsonschema's `check_schema` raises; draft-07 when `schema`
    names no dialect.
    """
    if known_valid(schema):
        return None
    from jsonschema import Draft7Validator, Draft202012Validator
    from jsonschema.exceptions import SchemaError
    from jsonschema.validators import validator_for

    cls = validator_for(schema, default=Draft7Validator) if isinstance(schema, dict) \
        else Draft7Validator  # fmt: skip
    flat = _flat_2020_12() if cls is Draft202012Validator else None
    if flat is None:
        try:
            cls.check_schema(schema)
        except SchemaError as err:
            return err
        return None
    error = next(flat.iter_errors(schema), None)
    return None if error is None else SchemaError.create_from(error)


def known_valid(schema: Any) -> bool:
    """True only when `schema` is a valid draft-07 or 2020-12 schema (no jsonschema)."""
    dialect = dialect_of(schema)
    check = _compiled(dialect) if dialect else None
    return check is not None and check(schema)


def dialect_of(schema: Any) -> str | None:
    """`draft7` (no `$schema`) or `draft202012`, as jsonschema reads `$schema`; else None."""
    named = schema.get("$schema", "http://json-schema.org/draft-07/schema") \
        if isinstance(schema, dict) else None  # fmt: skip
    if not isinstance(named, str):
        return None
    from urllib.parse import urlsplit  # as jsonschema normalises `$schema`

    return DIALECTS.get(urlsplit(named).geturl())


def prepare() -> None:
    """Build the compiled checks now: before a fork, once for both processes."""
    _compiled("draft7")
    _compiled("draft202012")


@cache
def _compiled(dialect: str) -> Callable[[Any], bool] | None:
    """The compiled check of a dialect's metaschema; None where it cannot be exact."""
    import importlib.util

    from gitops_templates.catalog.metacheck import Unsupported, compile_check

    if any(importlib.util.find_spec(name) for name in _URI_CHECKERS):
        return None
    document = _document(dialect)
    if document is None:
        return None
    try:
        return compile_check(document, _Formats())
    except Unsupported:  # a newer metaschema: jsonschema alone
        return None


class _Formats:
    """The formats jsonschema checks in the metaschemas: `regex` (`uri`s: see above)."""

    def conforms(self, instance: Any, format: str) -> bool:
        if format == "regex" and isinstance(instance, str):
            try:
                re.compile(instance)
            except re.error:
                return False
        return format in ("regex", "uri", "uri-reference")


@cache
def _document(dialect: str) -> dict[str, Any] | None:
    """One self-contained metaschema document, from jsonschema_specifications' files."""
    import importlib.util

    spec = importlib.util.find_spec("jsonschema_specifications")
    places = list(spec.submodule_search_locations or []) if spec else []
    if not places:
        return None
    root = Path(places[0]) / "schemas" / dialect
    try:
        top = json.loads((root / "metaschema.json").read_text(encoding="utf-8"))
        if dialect == "draft7":
            return _draft7(top)
        names = [ref["$ref"].rsplit("/", 1)[-1] for ref in top["allOf"]]
        vocabularies = {name: json.loads((root / "vocabularies" / name).read_text("utf-8"))
                        for name in names}  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    flat: dict[str, Any] = _rewrite(top, None)
    flat["allOf"] = [{"$ref": f"#/$defs/{name}"} for name in vocabularies]  # keeps its place
    flat["$defs"] = {name: _rewrite(doc, name) for name, doc in vocabularies.items()}
    return flat


def _draft7(top: dict[str, Any]) -> dict[str, Any]:
    """Draft-07's metaschema with its `definitions` as `$defs` (refs follow)."""
    text = json.dumps({k: v for k, v in top.items() if k not in ("$schema", "$id")})
    text = text.replace('"$ref": "#/definitions/', '"$ref": "#/$defs/')
    flat: dict[str, Any] = json.loads(text)
    flat["$defs"] = flat.pop("definitions")
    return flat


@cache
def _flat_2020_12() -> Any:
    """A jsonschema validator over the flat 2020-12 document (local refs resolved).

    None without the document: then jsonschema's own check.
    """
    from jsonschema import Draft202012Validator
    from jsonschema.validators import extend

    flat = _document("draft202012")
    if flat is None:
        return None
    targets = _targets(flat)

    def local_ref(validator: Any, ref: str, instance: Any, schema: Any) -> Any:
        yield from validator.descend(instance, targets[ref])

    fast = extend(Draft202012Validator, validators={"$ref": local_ref})  # type: ignore[no-untyped-call]
    return fast(flat, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _targets(root: dict[str, Any]) -> dict[str, Any]:
    """Every `$ref` in the flat metaschema, resolved to its subschema (all are local)."""
    found: dict[str, Any] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                target: Any = root
                for part in ref.removeprefix("#").split("/")[1:]:
                    target = target[part]
                found[ref] = target
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(root)
    return found


def _rewrite(node: Any, vocabulary: str | None) -> Any:
    """Static references in place of `#meta`; local refs re-rooted under `$defs`.

    `$id`, `$schema`, `$vocabulary` and `$dynamicAnchor` are dropped where they are
    keywords, never where they name a property the metaschema checks (`properties`).
    """
    if isinstance(node, list):
        return [_rewrite(item, vocabulary) for item in node]
    if not isinstance(node, dict):
        return copy.deepcopy(node)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$dynamicRef" and value == "#meta":
            out["$ref"] = "#"
        elif key in _DROPPED:
            continue
        elif key in _NAME_MAPS and isinstance(value, dict):
            out[key] = {name: _rewrite(sub, vocabulary) for name, sub in value.items()}
        elif key == "$ref" and isinstance(value, str) and "#/$defs/" in value:
            document, _, name = value.partition("#/$defs/")  # "" or "meta/<vocabulary>"
            owner = document.removeprefix("meta/") or vocabulary
            out["$ref"] = f"#/$defs/{owner}/$defs/{name}"
        else:
            out[key] = _rewrite(value, vocabulary)
    return out
