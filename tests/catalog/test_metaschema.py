"""The fast 2020-12 metaschema check reports exactly what jsonschema's own check does."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft7Validator, Draft202012Validator
from jsonschema.exceptions import SchemaError
from jsonschema.validators import validator_for

from gitops_templates.catalog.metaschema import schema_error

D2020 = "https://json-schema.org/draft/2020-12/schema"
SCHEMAS: list[Any] = [
    {},
    True,
    {"type": "strin"},
    {"type": ["string", 3]},
    {"properties": {"a": {"minimum": "x"}}},
    {"$defs": {"a": {"type": 5}}, "properties": {"b": {"$ref": "#/$defs/a"}}},
    {"items": {"enum": 3}},
    {"prefixItems": [{"type": "string"}, {"maxLength": -1}]},
    {"required": "a"},
    {"required": ["a", "a"]},
    {"anyOf": []},
    {"allOf": [{"not": {"type": "object", "properties": {"x": {"pattern": 5}}}}]},
    {"if": {"const": 1}, "then": {"multipleOf": 0}},
    {"dependentSchemas": {"a": {"minProperties": "1"}}},
    {"additionalProperties": {"format": 7}},
    {"patternProperties": {"^a": {"uniqueItems": "yes"}}},
    {"contains": {"minContains": -2}},
    {"unevaluatedProperties": {"type": "nope"}},
    {
        "type": "object",
        "properties": {"n": {"type": "integer", "minimum": 0, "maximum": 9}},
        "additionalProperties": False,
        "required": ["n"],
    },
    {"$comment": 5},
    {"description": ["not a string"]},
    {"contentEncoding": 1},
    {"dependencies": {"a": ["b", "b"]}},
    {"definitions": {"x": {"type": "nope"}}},
    {"$anchor": "1bad"},
    {"$id": "not a uri ref with spaces"},
    {"properties": {"a": {"$ref": "#/$defs/b"}}, "$defs": {"b": {"dependentRequired": {"x": 1}}}},
    # the core vocabulary's own properties, and the first error when vocabularies disagree
    {"$id": 5},
    {"$id": "a#b"},
    {"$dynamicAnchor": "9bad"},
    {"$vocabulary": {"x": 1}},
    {"properties": {"$id": {"$id": 3}, "$schema": {"$schema": 4}}},
    {"definitions": {"x": {"type": "nope"}}, "type": 5},
    {"properties": {"a": {"minimum": "x"}}, "required": 1},
]


def _outcome(check: Any, schema: Any) -> tuple[Any, ...] | None:
    try:
        check(schema)
    except SchemaError as err:
        return (list(err.absolute_path), list(err.absolute_schema_path)[-1:], err.message)
    return None


def _raised(schema: Any) -> None:
    error = schema_error(schema)
    if error is not None:
        raise error


@pytest.mark.parametrize("schema", SCHEMAS, ids=range(len(SCHEMAS)))
def test_fast_2020_12_check_equals_jsonschema(schema: Any):
    full = {"$schema": D2020, **schema} if isinstance(schema, dict) else schema
    assert _outcome(_raised, full) == _outcome(Draft202012Validator.check_schema, full)


@pytest.mark.parametrize("schema", SCHEMAS, ids=range(len(SCHEMAS)))
def test_draft_07_without_a_schema_keyword_equals_jsonschema(schema: Any):
    assert _outcome(_raised, schema) == _outcome(Draft7Validator.check_schema, schema)


@pytest.mark.parametrize("named", ["http://json-schema.org/draft-06/schema#", "urn:other"])
def test_other_dialects_use_jsonschema_itself(named: str):
    schema = {"$schema": named, "type": "strin"}
    expected = _outcome(validator_for(schema, default=Draft7Validator).check_schema, schema)
    assert expected is not None
    assert _outcome(_raised, schema) == expected
