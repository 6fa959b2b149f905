"""The compiled metaschema check says "valid" exactly when jsonschema finds no error.

Schemas come from a realistic shape (closed objects of typed properties, `$defs` and
references, as catalogs write them), from hostile edits of it (every value replaced by
wrong types, odd numbers, non-string keys, YAML dates and bytes), and from Hypothesis
trees of keywords and values. The verdict is compared with jsonschema's own check
against the real 2020-12 metaschema (seven vocabularies, dynamic references).
"""

from __future__ import annotations

import copy
import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator, Draft202012Validator
from jsonschema.exceptions import SchemaError

from gitops_templates.catalog.metacheck import MAX_DEPTH, Unsupported, compile_check
from gitops_templates.catalog.metaschema import _flat_2020_12, _known_valid_2020_12, check_schema
from tests.helpers import paths_in, replaced_at

D2020 = "https://json-schema.org/draft/2020-12/schema"
REAL = Draft202012Validator(
    Draft202012Validator.META_SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER
)
FAST = _known_valid_2020_12()


def realistic(n: int) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for i in range(n):
        kind = i % 6
        if kind == 0:
            props[f"s{i}"] = {"type": "string", "description": "d", "maxLength": 63,
                              "pattern": "^[a-z][a-z0-9-]*$"}  # fmt: skip
        elif kind == 1:
            props[f"i{i}"] = {"type": "integer", "minimum": 0, "maximum": 9, "default": 3}
        elif kind == 2:
            props[f"e{i}"] = {"type": "string", "enum": ["low", "high"], "default": "low"}
        elif kind == 3:
            props[f"a{i}"] = {"type": "array", "items": {"type": "string"}, "uniqueItems": True,
                              "minItems": 1}  # fmt: skip
        elif kind == 4:
            props[f"r{i}"] = {"$ref": "#/$defs/endpoint", "description": "ref"}
        else:
            props[f"o{i}"] = {"type": "object", "additionalProperties": False,
                              "properties": {"x": {"type": ["number", "null"]}},
                              "required": ["x"]}  # fmt: skip
    return {"$schema": D2020, "$id": "https://example.com/s", "type": "object",
            "additionalProperties": False, "required": sorted(props)[:2], "properties": props,
            "$defs": {"endpoint": {"type": "string", "format": "uri", "minLength": 1}},
            "examples": [{"any": datetime.date(2024, 1, 1)}]}  # fmt: skip


HOSTILE: list[Any] = [None, True, False, 0, -1, 1.0, 1.5, float("nan"), float("inf"), "",
                      "x", "(", "^[", [], [1, 1], ["a", "a"], ["string", 3], {}, {1: "a"},
                      {"type": 5}, {True: {}}, datetime.date(2024, 1, 1), b"bytes",
                      {"$ref": 5}, {"$anchor": "1x"}, {"pattern": "(?P<"}]  # fmt: skip


def hostile_edits() -> list[Any]:
    base = realistic(6)
    edits = [replaced_at(base, path, value) for path in paths_in(base)[1:] for value in HOSTILE]
    for path in paths_in(base)[1:]:  # keys too: renamed to keywords and to non-strings
        if isinstance(path[-1], str):
            node = base
            for part in path[:-1]:
                node = node[part]
            new: Any
            for new in ("type", "$id", "enum", "items", "not", 7, None):
                copy_ = copy.deepcopy(node)
                copy_[new] = copy_.pop(path[-1])
                edits.append(replaced_at(base, path[:-1], copy_) if path[:-1] else copy_)
    return edits


def _same_verdict(schema: Any) -> None:
    assert FAST(schema) == REAL.is_valid(schema), schema


def test_realistic_schemas_are_known_valid():
    for n in (0, 1, 10, 30):
        assert FAST(realistic(n)) is True
        assert REAL.is_valid(realistic(n))


def test_hostile_edits_get_jsonschemas_verdict():
    edits = hostile_edits()
    assert len(edits) > 1500
    for schema in edits:
        _same_verdict(schema)


def test_deep_nesting_is_left_to_jsonschema():
    schema: Any = {"type": "string"}
    for _ in range(MAX_DEPTH + 2):
        schema = {"not": schema}
    assert FAST(schema) is False
    shallow: Any = {"type": "string"}
    for _ in range(MAX_DEPTH - 2):
        shallow = {"items": shallow}
    assert FAST(shallow) is True


KEYWORDS = ["type", "properties", "items", "prefixItems", "required", "enum", "const",
            "minimum", "exclusiveMinimum", "maxLength", "minItems", "uniqueItems", "pattern",
            "format", "$ref", "$id", "$anchor", "$defs", "definitions", "dependencies",
            "allOf", "anyOf", "not", "if", "then", "additionalProperties", "propertyNames",
            "patternProperties", "dependentRequired", "$vocabulary", "$comment", "default",
            "contentSchema", "unevaluatedProperties", "deprecated", "multipleOf", "x-extra"]  # fmt: skip
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=True),
    st.sampled_from(["string", "integer", "object", "array", "null", "number", "boolean",
                     "^a", "(", "#/$defs/x", "a#b", "_a", "1a", ""]),
)  # fmt: skip
TREES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.one_of(st.sampled_from(KEYWORDS), st.text(max_size=3)), inner, max_size=5
        ),
    ),
    max_leaves=25,
)


@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
@given(TREES)
def test_random_trees_get_jsonschemas_verdict(schema: Any):
    _same_verdict(schema)


def _outcome(check: Any, schema: Any) -> tuple[Any, ...] | None:
    try:
        check(schema)
    except SchemaError as err:
        return (list(err.absolute_path), err.message)
    return None


@pytest.mark.parametrize("schema", hostile_edits()[::37], ids=range(len(hostile_edits()[::37])))
def test_check_schema_reports_jsonschemas_first_error(schema: Any):
    full = {"$schema": D2020, **schema} if isinstance(schema, dict) else schema
    expected = _outcome(Draft202012Validator.check_schema, full)
    assert _outcome(lambda s: check_schema(s, Draft7Validator), full) == expected


def test_an_unknown_keyword_in_the_metaschema_is_not_compiled():
    with pytest.raises(Unsupported):
        compile_check({"oneOf": [True]}, Draft202012Validator.FORMAT_CHECKER)
    assert compile_check(_flat_2020_12().schema, Draft202012Validator.FORMAT_CHECKER)({})


@pytest.mark.parametrize("schema", [*hostile_edits()[::53], {"type": "nope"}, {}, True, 5])
def test_the_quick_verdict_agrees_with_the_full_parameters_check(schema: Any):
    from gitops_templates.catalog.schema import check_parameters_schema, is_valid_parameters_schema
    from gitops_templates.catalog.yamlio import load_yaml

    doc = load_yaml("parameters: {}\n", "t.yaml")
    full = check_parameters_schema(schema, doc, ("parameters",))
    assert is_valid_parameters_schema(schema) is (full == [])
