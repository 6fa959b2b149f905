"""JSON Schema validation that reports readable problems (file, JSON path, line, rule)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from gitops_templates.catalog.resources import load_schema
from gitops_templates.errors import Problem

if TYPE_CHECKING:
    from collections.abc import Callable

    from jsonschema.exceptions import ValidationError

    from gitops_templates.catalog.yamlio import YamlDocument

_HINTS = {
    "additionalProperties": "remove the key or check its spelling",
    "required": "add the missing key",
    "pattern": "check the format of the value",
    "enum": "use one of the allowed values",
    "const": "use the exact value shown",
}


def validate_against(
    doc: YamlDocument, schema_name: str, *, base: tuple[str | int, ...] = ()
) -> list[Problem]:
    """Validate a loaded document against one of the shipped schemas."""
    if _known_valid(schema_name)(doc.data):
        return []
    from jsonschema import Draft202012Validator

    return _problems(Draft202012Validator(load_schema(schema_name)), doc.data, doc, base)


@cache
def _known_valid(name: str) -> Callable[[Any], bool]:
    """A shipped schema's compiled yes/no check (`metacheck`).

    It answers True only where the validator finds nothing (about a tenth of the time
    for a template.yaml, and no jsonschema import); anything else goes through the
    validator, which words it.
    """
    from gitops_templates.catalog.metacheck import compile_check

    return compile_check(load_schema(name), None, unknown_is_false=True)


def check_parameters_schema(
    schema: Any, doc: YamlDocument, base: tuple[str | int, ...]
) -> list[Problem]:
    """Problems with a template's `parameters` JSON Schema itself (draft-07 default)."""
    from gitops_templates.catalog.metaschema import schema_error

    err = schema_error(schema)
    if err is None:
        return []
    path = (*base, *err.absolute_path)
    return [
        Problem(
            f"not a valid JSON Schema: {err.message}",
            file=doc.source,
            pointer=_pointer(path),
            line=doc.line_of(path),
            rule="json-schema",
            hint="parameters must be a JSON Schema (draft-07 dialect)",
        )
    ]


def is_valid_parameters_schema(schema: Any) -> bool:
    """Whether `check_parameters_schema` finds nothing (without a document to point into)."""
    from gitops_templates.catalog.metaschema import schema_error

    return schema_error(schema) is None


def validate_values(
    schema: dict[str, Any],
    values: Any,
    doc: YamlDocument,
    base: tuple[str | int, ...],
) -> list[Problem]:
    """Validate example values against a template's `parameters` schema.

    Only references inside the schema are followed and user patterns run under a time
    budget (`userschema`): either failing is a problem naming the schema, not a fetch
    or a hang.
    """
    from gitops_templates.catalog.userschema import known_valid, user_validator

    if known_valid(schema, values):
        return []
    return _problems(user_validator(schema), values, doc, base)


def _problems(
    validator: Any, data: Any, doc: YamlDocument, base: tuple[str | int, ...]
) -> list[Problem]:
    from referencing.exceptions import Unresolvable

    from gitops_templates.core.patterns import total_budget
    from gitops_templates.errors import InvalidInputError

    found = []
    try:
        with total_budget():
            errors: list[ValidationError] = sorted(
                validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]
            )
    except InvalidInputError as slow:  # a user pattern over its time budget
        return [Problem(slow.message, file=doc.source, rule="pattern", hint=slow.hint)]
    except Unresolvable as unresolved:
        message = (f"$ref {unresolved.ref!r} cannot be resolved: only references inside the "
                   "schema are followed (a remote one is never fetched)")  # fmt: skip
        hint = "inline the definition under $defs and refer to it as #/$defs/..."
        return [Problem(message, file=doc.source, rule="$ref", hint=hint)]
    except ValueError as bad:  # a pattern that does not compile
        return [Problem(str(bad), file=doc.source, rule="pattern")]
    except RecursionError:
        return [Problem("the schema's $refs form a cycle that never reaches a value",
                        file=doc.source, rule="$ref")]  # fmt: skip
    for err in errors:
        path = (*base, *err.absolute_path)
        found.append(
            Problem(
                err.message,
                file=doc.source,
                pointer=_pointer(path),
                line=doc.line_of(path),
                rule=str(err.validator),
                hint=_hint(err),
            )
        )
    return found


def _hint(err: ValidationError) -> str | None:
    if (
        err.validator == "type"
        and err.validator_value == "string"
        and isinstance(err.instance, int | float)
    ):
        return f"quote it: YAML reads {err.instance!r} as a number ('1.10' becomes 1.1)"
    if err.validator == "enum" and isinstance(err.validator_value, list):
        return "allowed: " + ", ".join(map(str, err.validator_value))
    if err.validator == "additionalProperties" and isinstance(err.schema, dict):
        allowed = sorted(err.schema.get("properties", {}))
        if allowed:
            return "allowed keys: " + ", ".join(allowed)
    return _HINTS.get(str(err.validator))


def _pointer(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(document)"
