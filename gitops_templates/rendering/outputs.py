"""Rendered files checked for what they claim to be: YAML, JSON, and their `output_schema`.

A target ending in `.yaml`/`.yml` must parse as a YAML stream (every document, `---`
between them), one ending in `.json` as JSON; either is an error naming the target and
line. A body with an `output_schema` (a JSON or YAML file in the template, draft-07 unless
its `$schema` says otherwise) has every document validated against it, with the bounded
validator parameter schemas use (local `$ref`s only, user patterns under a time budget).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from gitops_templates.errors import GitOpsTemplatesError, InvalidInputError, Problem
from gitops_templates.rendering.sandbox import MAX_OUTPUT

if TYPE_CHECKING:
    from gitops_templates.catalog.yamlio import YamlDocument
    from gitops_templates.rendering.core.spec import BodyFile
    from gitops_templates.rendering.source import TemplateSource

YAML_SUFFIXES = (".yaml", ".yml")


def output_problems(source: TemplateSource, body: BodyFile, target: str, text: str,
                    label: str) -> list[Problem]:  # fmt: skip
    """What is wrong with the rendered `text` of `body` (empty when nothing)."""
    shown = f"{label}: {target}"
    try:
        documents = _parsed(text, target, shown)
    except InvalidInputError as err:
        return list(err.problems)
    if documents is None or body.output_schema is None:
        return []
    try:
        schema = _schema(source, body.output_schema)
    except GitOpsTemplatesError as err:
        return list(err.problems) or [Problem(err.message, file=source.shown(body.output_schema))]
    from gitops_templates.catalog.schema import validate_values

    problems: list[Problem] = []
    for index, doc in enumerate(documents):
        where = f"{shown} (document {index + 1})" if len(documents) > 1 else shown
        found = validate_values(schema, doc.data, doc, ())
        problems += [_named(p, where, body.output_schema) for p in found]
    return problems


def _parsed(text: str, target: str, shown: str) -> list[YamlDocument] | None:
    """The documents of a YAML or JSON target; None for any other kind of file."""
    from gitops_templates.catalog.yamlio import YamlDocument, load_yaml_documents

    if target.endswith(YAML_SUFFIXES):
        try:
            return load_yaml_documents(text, shown, max_bytes=4 * MAX_OUTPUT)
        except InvalidInputError as err:
            raise _not(err, shown, "YAML") from None
    if target.endswith(".json"):
        try:
            data = json.loads(text, parse_constant=_no_constant, object_pairs_hook=_unique_keys)
            return [YamlDocument(data, {}, shown)]
        except (ValueError, RecursionError) as err:
            line = getattr(err, "lineno", None)
            message = f"rendered output is not valid JSON: {getattr(err, 'msg', err)}"
            raise InvalidInputError(message, problems=(Problem(
                message, file=shown, line=line, rule="output-json"),)) from None  # fmt: skip
    return None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON (RFC 8259 has no NaN or Infinity)")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f"duplicate key {key!r}")
        found[key] = value
    return found


def _not(err: InvalidInputError, shown: str, kind: str) -> InvalidInputError:
    problems = tuple(
        Problem(
            f"rendered output is not valid {kind}: {p.message.removeprefix('invalid YAML: ')}",
            file=shown,
            line=p.line,
            rule=f"output-{kind.lower()}",
        )
        for p in err.problems
    )
    return InvalidInputError(err.message, problems=problems)


def _schema(source: TemplateSource, path: str) -> Any:
    """An output schema from the template's files, checked to be a JSON Schema."""
    from gitops_templates.catalog.metaschema import schema_error
    from gitops_templates.catalog.yamlio import load_yaml

    shown = source.shown(path)
    data = source.read(path)
    if data is None:
        why = "output_schema names no file of the template"
        raise InvalidInputError(f"{shown}: {why}", problems=(Problem(why, file=shown),))
    schema = load_yaml(data, shown).data  # JSON is YAML
    err = schema_error(schema)
    if err is not None:
        why = f"not a valid JSON Schema: {err.message}"
        raise InvalidInputError(f"{shown}: {why}", problems=(Problem(why, file=shown),))
    return schema


def _named(problem: Problem, where: str, schema: str) -> Problem:
    return Problem(
        f"{problem.message} (output_schema {schema})",
        file=where,
        pointer=problem.pointer,
        line=problem.line,
        rule=problem.rule,
        hint=problem.hint,
    )
