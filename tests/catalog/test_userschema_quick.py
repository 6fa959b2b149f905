"""The compiled check of parameter values says "valid" only where the validator finds nothing.

`validate_values` skips the user validator when `known_valid` says so, so a True must
never hide an error: checked on realistic parameter schemas (draft-07 and 2020-12,
references, anchors, patterns, enums, ranges), every value replaced by odd ones, and
Hypothesis trees of values.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gitops_templates.catalog.userschema import known_valid, user_validator

D7 = "http://json-schema.org/draft-07/schema#"
D2020 = "https://json-schema.org/draft/2020-12/schema"
PROPS: dict[str, Any] = {
    "name": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$", "maxLength": 20},
    "replicas": {"type": "integer", "minimum": 1, "maximum": 9, "default": 2},
    "ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
    "env": {"type": "string", "enum": ["dev", "prod"]},
    "tags": {"type": "array", "items": {"type": "string", "minLength": 1}, "uniqueItems": True,
             "minItems": 1, "maxItems": 3},
    "labels": {"type": "object", "additionalProperties": {"type": "string"},
               "propertyNames": {"pattern": "^[a-z]+$"}, "not": {"required": ["x"]}},
    "db": {"$ref": "#/definitions/db"},
    "tier": {"const": "gold"},
    "port": {"type": ["integer", "null"]},
    "mode": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
    "anchored": {"$ref": "#named"},
}  # fmt: skip
DEFS: dict[str, Any] = {
    "db": {"type": "object", "required": ["host"], "additionalProperties": False,
           "properties": {"host": {"type": "string"}, "port": {"type": "integer"}}},
    "named": {"$id": "#named", "$anchor": "named", "type": "integer"},
}  # fmt: skip
SCHEMAS = [
    {"type": "object", "required": ["name"], "additionalProperties": False,
     "properties": PROPS, "definitions": DEFS},
    {"$schema": D7, "type": "object", "properties": PROPS, "definitions": DEFS},
    {"$schema": D2020, "type": "object", "required": ["name"], "properties": PROPS,
     "$defs": DEFS, "definitions": DEFS},
    {"$schema": "http://json-schema.org/draft-04/schema#", "type": "object",
     "properties": {"n": {"type": "number", "minimum": 1, "exclusiveMinimum": True}}},
]  # fmt: skip
VALUES: dict[str, Any] = {
    "name": "web", "replicas": 3, "ratio": 0.5, "env": "dev", "tags": ["a", "b"],
    "labels": {"app": "web"}, "db": {"host": "h", "port": 5432}, "tier": "gold", "port": None,
}  # fmt: skip
ODD: list[Any] = [None, True, False, 0, 1, 1.0, 9.5, 10, -1, float("nan"), "", "Web", "web",
                  "a" * 21, "gold", "prod", [], ["a", "a"], [""], ["a", "b", "c", "d"], {},
                  {"x": 1}, {"host": 1}, {"A": "b"}, {1: "a"}, {"app": 1}]  # fmt: skip


def _sound(schema: Any, values: Any) -> bool:
    quick = known_valid(schema, values)
    if quick:
        assert not list(user_validator(schema).iter_errors(values)), (schema, values)
    return quick


@pytest.mark.parametrize("schema", SCHEMAS, ids=range(len(SCHEMAS)))
def test_every_odd_value_anywhere_is_never_passed_wrongly(schema: dict[str, Any]):
    edits = [VALUES, *({**VALUES, key: odd} for key in [*PROPS, "n", "other"] for odd in ODD)]
    for key in VALUES:
        inner = VALUES[key]
        if isinstance(inner, dict):
            edits += [{**VALUES, key: {**inner, k: odd}} for k in inner for odd in ODD]
        edits.append({k: v for k, v in VALUES.items() if k != key})
    quick = [_sound(schema, values) for values in edits]
    if "draft-04" in str(schema.get("$schema")):
        assert not any(quick)  # its boolean exclusiveMinimum: the validator alone
    else:
        assert sum(quick) > 30


def test_usual_values_skip_the_validator():
    assert known_valid(SCHEMAS[0], VALUES) is True
    assert known_valid(SCHEMAS[0], {**VALUES, "replicas": 10}) is False
    assert known_valid(SCHEMAS[0], {**VALUES, "anchored": 1}) is False  # `#named`: not known


def test_a_slow_pattern_is_left_to_the_validator_and_reported_by_it():
    from gitops_templates.catalog.schema import validate_values
    from gitops_templates.catalog.yamlio import YamlDocument

    schema = {"properties": {"v": {"type": "string", "pattern": "^(a+)+$"}}}
    values = {"v": "a" * 40 + "!"}
    assert known_valid(schema, values) is False
    found = validate_values(schema, values, YamlDocument(values, {}, "v.yaml"), ())
    assert [p.rule for p in found] == ["pattern"]


LEAVES = st.one_of(st.sampled_from(ODD[:16]), st.integers(-3, 12), st.text(max_size=4))
TREES = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from([*PROPS, *DEFS["db"]["properties"], "x"]), inner),
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.dictionaries(st.sampled_from([*PROPS, "x"]), TREES, max_size=6))
def test_random_values_are_never_passed_wrongly(extra: dict[str, Any]):
    for schema in SCHEMAS:
        _sound(schema, {**copy.deepcopy(VALUES), **extra})
