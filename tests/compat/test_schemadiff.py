"""One row per rule: old schema, new schema, expected rule id and class (research note §3)."""

from __future__ import annotations

import pytest
from jsonschema import Draft7Validator
from jsonschema.validators import validator_for

from gitops_templates.compat.core.rules import RULES
from gitops_templates.compat.core.schemadiff import diff_schemas
from gitops_templates.compat.core.witness import attach_counterexamples
from gitops_templates.core.models import Level
from gitops_templates.errors import InvalidInputError

B, M, P, N = Level.MAJOR, Level.MINOR, Level.PATCH, Level.NONE


def obj(props, *, required=(), closed=True, **extra):
    schema = {"type": "object", "properties": props, **extra}
    if required:
        schema["required"] = list(required)
    if closed:
        schema["additionalProperties"] = False
    return schema


S = {"type": "string"}
I = {"type": "integer"}  # noqa: E741

# (id, old, new, profile, expected rule, expected class)
ROWS = [
    (
        "optional added closed",
        obj({"a": S}),
        obj({"a": S, "b": I}),
        "template",
        "param-added-optional",
        M,
    ),
    (
        "optional added open, template",
        obj({"a": S}, closed=False),
        obj({"a": S, "b": I}, closed=False),
        "template",
        "param-added-open-model",
        M,
    ),
    (
        "optional added open, strict",
        obj({"a": S}, closed=False),
        obj({"a": S, "b": I}, closed=False),
        "strict",
        "param-added-open-model",
        B,
    ),
    (
        "optional added open, lenient",
        obj({"a": S}, closed=False),
        obj({"a": S, "b": I}, closed=False),
        "lenient",
        "param-added-open-model",
        M,
    ),
    (
        "empty schema added open, strict",
        obj({"a": S}, closed=False),
        obj({"a": S, "b": {}}, closed=False),
        "strict",
        "param-added-optional",
        M,
    ),
    (
        "added covered by partial model",
        obj({}, closed=False, additionalProperties=S),
        obj({"b": S}, closed=False, additionalProperties=S),
        "strict",
        "param-added-optional",
        M,
    ),
    (
        "added not covered by partial model",
        obj({}, closed=False, additionalProperties=S),
        obj({"b": I}, closed=False, additionalProperties=S),
        "strict",
        "param-added-partial-model",
        B,
    ),
    (
        "required added",
        obj({"a": S}),
        obj({"a": S, "b": I}, required=["b"]),
        "template",
        "param-added-required",
        B,
    ),
    (
        "required with default, template",
        obj({"a": S}),
        obj({"a": S, "b": {**I, "default": 1}}, required=["b"]),
        "template",
        "param-added-required-with-default",
        B,
    ),
    (
        "required with default, strict",
        obj({"a": S}),
        obj({"a": S, "b": {**I, "default": 1}}, required=["b"]),
        "strict",
        "param-added-required-with-default",
        M,
    ),
    ("removed closed", obj({"a": S, "b": I}), obj({"a": S}), "template", "param-removed", B),
    (
        "removed closed, lenient",
        obj({"a": S, "b": I}),
        obj({"a": S}),
        "lenient",
        "param-removed",
        M,
    ),
    (
        "removed open, template",
        obj({"a": S, "b": I}, closed=False),
        obj({"a": S}, closed=False),
        "template",
        "param-removed-open-model",
        B,
    ),
    (
        "removed open, strict",
        obj({"a": S, "b": I}, closed=False),
        obj({"a": S}, closed=False),
        "strict",
        "param-removed-open-model",
        M,
    ),
    (
        "removed partial not covered",
        obj({"b": I}, closed=False, additionalProperties=S),
        obj({}, closed=False, additionalProperties=S),
        "strict",
        "param-removed-partial-model",
        B,
    ),
    (
        "renamed",
        obj({"old_name": {"type": "string", "minLength": 2}}),
        obj({"new_name": {"type": "string", "minLength": 2}}),
        "template",
        "param-renamed",
        B,
    ),
    (
        "became required",
        obj({"a": S}),
        obj({"a": S}, required=["a"]),
        "template",
        "param-became-required",
        B,
    ),
    (
        "became optional",
        obj({"a": S}, required=["a"]),
        obj({"a": S}),
        "template",
        "param-became-optional",
        M,
    ),
    (
        "deprecated",
        obj({"a": S}),
        obj({"a": {**S, "deprecated": True}}),
        "template",
        "param-deprecated",
        M,
    ),
    (
        "additionalProperties allowed",
        obj({"a": S}),
        obj({"a": S}, closed=False),
        "template",
        "additional-properties-allowed",
        M,
    ),
    (
        "additionalProperties disallowed, strict",
        obj({"a": S}, closed=False),
        obj({"a": S}),
        "strict",
        "additional-properties-disallowed",
        B,
    ),
    (
        "additionalProperties disallowed, template",
        obj({"a": S}, closed=False),
        obj({"a": S}),
        "template",
        "additional-properties-disallowed",
        B,
    ),
    (
        "additionalProperties narrowed",
        {"type": "object", "additionalProperties": {"type": ["string", "integer"]}},
        {"type": "object", "additionalProperties": S},
        "template",
        "additional-properties-narrowed",
        B,
    ),
    (
        "additionalProperties widened",
        {"type": "object", "additionalProperties": S},
        {"type": "object", "additionalProperties": {"type": ["string", "integer"]}},
        "template",
        "additional-properties-widened",
        M,
    ),
    (
        "patternProperties added to a closed object",
        obj({}),
        obj({}, patternProperties={"^x-": S}),
        "template",
        "pattern-properties-widened",
        M,
    ),
    (
        "patternProperties added to an open object, strict",
        obj({}, closed=False),
        obj({}, closed=False, patternProperties={"^x-": S}),
        "strict",
        "pattern-properties-added-open-model",
        B,
    ),
    (
        "patternProperties added to an open object, template",
        obj({}, closed=False),
        obj({}, closed=False, patternProperties={"^x-": S}),
        "template",
        "pattern-properties-added-open-model",
        M,
    ),
    (
        "patternProperties narrowing a map",
        obj({}, closed=False, additionalProperties={"type": ["string", "integer"]}),
        obj(
            {},
            closed=False,
            additionalProperties={"type": ["string", "integer"]},
            patternProperties={"^x-": S},
        ),
        "template",
        "pattern-properties-narrowed",
        B,
    ),
    (
        "propertyNames added",
        {"type": "object"},
        {"type": "object", "propertyNames": {"pattern": "^[a-z]+$"}},
        "template",
        "property-names-restricted",
        B,
    ),
    (
        "maxProperties added",
        {"type": "object"},
        {"type": "object", "maxProperties": 2},
        "template",
        "max-properties-decreased",
        B,
    ),
    (
        "minProperties lowered",
        {"type": "object", "minProperties": 2},
        {"type": "object", "minProperties": 1},
        "template",
        "min-properties-decreased",
        M,
    ),
    (
        "dependentRequired added",
        {"type": "object"},
        {"type": "object", "dependencies": {"a": ["b"]}},
        "template",
        "dependent-required-added",
        B,
    ),
    (
        "dependentSchemas added",
        {"type": "object"},
        {"type": "object", "dependencies": {"a": {"required": ["b"]}}},
        "template",
        "dependent-schema-added",
        B,
    ),
    ("integer to number", I, {"type": "number"}, "template", "type-widened", M),
    ("number to integer", {"type": "number"}, I, "template", "type-narrowed", B),
    ("null added", S, {"type": ["string", "null"]}, "template", "type-widened", M),
    ("null removed", {"type": ["string", "null"]}, S, "template", "type-narrowed", B),
    ("string to integer", S, I, "template", "type-changed", B),
    (
        "enum value added",
        {"enum": ["a", "b"]},
        {"enum": ["a", "b", "c"]},
        "template",
        "enum-value-added",
        M,
    ),
    (
        "enum value removed",
        {"enum": ["a", "b"]},
        {"enum": ["a"]},
        "template",
        "enum-value-removed",
        B,
    ),
    ("became enum", S, {"type": "string", "enum": ["a"]}, "template", "became-enum", B),
    ("bare enum dropped for its type", {"enum": ["a", "b"]}, S, "template", "enum-removed", M),
    ("const added", S, {"const": "a"}, "template", "const-added", B),
    ("const changed", {"const": "a"}, {"const": "b"}, "template", "const-changed", B),
    ("const removed", {"type": "string", "const": "a"}, S, "template", "const-removed", M),
    (
        "maximum decreased",
        {**I, "maximum": 10},
        {**I, "maximum": 5},
        "template",
        "maximum-decreased",
        B,
    ),
    ("maximum added", I, {**I, "maximum": 5}, "template", "maximum-decreased", B),
    (
        "maximum increased",
        {**I, "maximum": 5},
        {**I, "maximum": 10},
        "template",
        "maximum-increased",
        M,
    ),
    (
        "exclusiveMaximum at same value",
        {**I, "maximum": 5},
        {**I, "exclusiveMaximum": 5},
        "template",
        "maximum-decreased",
        B,
    ),
    (
        "draft-04 exclusive dropped",
        {**I, "maximum": 5, "exclusiveMaximum": True},
        {**I, "maximum": 5},
        "template",
        "maximum-increased",
        M,
    ),
    (
        "minimum increased",
        {**I, "minimum": 0},
        {**I, "minimum": 1},
        "template",
        "minimum-increased",
        B,
    ),
    ("minimum removed", {**I, "minimum": 1}, I, "template", "minimum-decreased", M),
    ("multipleOf added", I, {**I, "multipleOf": 2}, "template", "multiple-of-narrowed", B),
    (
        "multipleOf to a divisor",
        {**I, "multipleOf": 4},
        {**I, "multipleOf": 2},
        "template",
        "multiple-of-widened",
        M,
    ),
    (
        "multipleOf to a non-divisor",
        {"type": "number", "multipleOf": 0.5},
        {"type": "number", "multipleOf": 0.2},
        "template",
        "multiple-of-narrowed",
        B,
    ),
    (
        "maxLength decreased",
        {**S, "maxLength": 10},
        {**S, "maxLength": 3},
        "template",
        "max-length-decreased",
        B,
    ),
    ("maxLength removed", {**S, "maxLength": 10}, S, "template", "max-length-increased", M),
    ("minLength increased", S, {**S, "minLength": 3}, "template", "min-length-increased", B),
    ("minLength decreased", {**S, "minLength": 3}, S, "template", "min-length-decreased", M),
    ("pattern added", S, {**S, "pattern": "^[a-z]+$"}, "template", "pattern-added", B),
    ("pattern removed", {**S, "pattern": "^[a-z]+$"}, S, "template", "pattern-removed", M),
    (
        "pattern changed",
        {**S, "pattern": "^[a-z]+$"},
        {**S, "pattern": "^[0-9]+$"},
        "template",
        "pattern-changed",
        B,
    ),
    ("format changed", S, {**S, "format": "email"}, "template", "format-changed", P),
    (
        "maxItems decreased",
        {"type": "array", "maxItems": 5},
        {"type": "array", "maxItems": 2},
        "template",
        "max-items-decreased",
        B,
    ),
    (
        "minItems increased",
        {"type": "array"},
        {"type": "array", "minItems": 1},
        "template",
        "min-items-increased",
        B,
    ),
    (
        "maxItems increased",
        {"type": "array", "maxItems": 2},
        {"type": "array", "maxItems": 5},
        "template",
        "max-items-increased",
        M,
    ),
    (
        "uniqueItems added",
        {"type": "array", "items": S},
        {"type": "array", "items": S, "uniqueItems": True},
        "template",
        "unique-items-added",
        B,
    ),
    (
        "uniqueItems removed",
        {"type": "array", "uniqueItems": True},
        {"type": "array"},
        "template",
        "unique-items-removed",
        M,
    ),
    (
        "items narrowed",
        {"type": "array", "items": {"type": "number"}},
        {"type": "array", "items": I},
        "template",
        "type-narrowed",
        B,
    ),
    (
        "tuple item added to open array",
        {"type": "array", "items": [S]},
        {"type": "array", "items": [S, I]},
        "template",
        "tuple-item-added",
        B,
    ),
    (
        "tuple item added to closed array",
        {"type": "array", "items": [S], "additionalItems": False},
        {"type": "array", "items": [S, I], "additionalItems": False},
        "template",
        "tuple-item-added-closed",
        M,
    ),
    (
        "tuple item removed from closed array",
        {"type": "array", "items": [S, I], "additionalItems": False},
        {"type": "array", "items": [S], "additionalItems": False},
        "template",
        "tuple-item-removed",
        B,
    ),
    (
        "contains added",
        {"type": "array"},
        {"type": "array", "contains": S},
        "template",
        "contains-added",
        B,
    ),
    (
        "anyOf branch added",
        {"anyOf": [S, I]},
        {"anyOf": [S, I, {"type": "boolean"}]},
        "template",
        "any-of-added",
        M,
    ),
    ("anyOf branch removed", {"anyOf": [S, I]}, {"anyOf": [S]}, "template", "any-of-removed", B),
    (
        "oneOf disjoint branch added",
        {"oneOf": [S, I]},
        {"oneOf": [S, I, {"type": "boolean"}]},
        "template",
        "one-of-added",
        M,
    ),
    (
        "oneOf overlapping branch added",
        {"oneOf": [I, S]},
        {"oneOf": [I, S, {"type": "number"}]},
        "template",
        "one-of-added-overlapping",
        B,
    ),
    (
        "oneOf became anyOf",
        {"oneOf": [S, I]},
        {"anyOf": [S, I]},
        "template",
        "combinator-widened",
        M,
    ),
    (
        "anyOf became oneOf",
        {"anyOf": [{"type": "number"}, I]},
        {"oneOf": [{"type": "number"}, I]},
        "template",
        "combinator-changed",
        B,
    ),
    (
        "allOf conjunct added",
        {"allOf": [S]},
        {"allOf": [S, {"minLength": 2}]},
        "template",
        "all-of-added",
        B,
    ),
    (
        "allOf conjunct removed",
        {"allOf": [S, {"minLength": 2}]},
        {"allOf": [S]},
        "template",
        "all-of-removed",
        M,
    ),
    ("not added", S, {**S, "not": {"const": "admin"}}, "template", "not-added", B),
    ("not removed", {**S, "not": {"const": "admin"}}, S, "template", "not-removed", M),
    (
        "if/then added",
        obj({"a": S, "b": S}),
        {**obj({"a": S, "b": S}), "if": {"required": ["a"]}, "then": {"required": ["b"]}},
        "template",
        "conditional-added",
        B,
    ),
    (
        "if/then removed",
        {**obj({"a": S, "b": S}), "if": {"required": ["a"]}, "then": {"required": ["b"]}},
        obj({"a": S, "b": S}),
        "template",
        "conditional-removed",
        M,
    ),
    (
        "description changed",
        {**S, "description": "x"},
        {**S, "description": "y"},
        "template",
        "docs-changed",
        P,
    ),
    (
        "default changed",
        {**S, "default": "a"},
        {**S, "default": "b"},
        "template",
        "default-changed",
        M,
    ),
    (
        "vendor extension changed",
        {**S, "x-ui": 1},
        {**S, "x-ui": 2},
        "template",
        "annotation-changed",
        P,
    ),
    ("misspelt keyword", S, {**S, "maxlenght": 3}, "template", "unknown-keyword", P),
    (
        "unsupported keyword",
        {"type": "array"},
        {"type": "array", "unevaluatedItems": False},
        "template",
        "unsupported-keyword",
        B,
    ),
]

D7 = "http://json-schema.org/draft-07/schema#"
D4 = "http://json-schema.org/draft-04/schema#"
D2019 = "https://json-schema.org/draft/2019-09/schema"
TUPLE = {"type": "array", "items": [S, I]}
ROWS += [
    ("additionalItems forbidden -> allowed", {**TUPLE, "additionalItems": False}, TUPLE, "template", "additional-items-relaxed", M),
    ("additionalItems allowed -> forbidden", TUPLE, {**TUPLE, "additionalItems": False}, "template", "additional-items-restricted", B),
    ("tuple item removed, open array", TUPLE, {"type": "array", "items": [S]}, "template", "tuple-item-removed-open", M),
    ("contains removed", {"type": "array", "contains": I}, {"type": "array"}, "template", "contains-removed", M),
    ("dependency array removed", obj({"a": S, "b": S}, dependencies={"a": ["b"]}), obj({"a": S, "b": S}), "template", "dependent-required-removed", M),
    ("dependency schema removed", obj({"a": S, "b": S}, dependencies={"a": {"required": ["b"]}}), obj({"a": S, "b": S}), "template", "dependent-schema-removed", M),
    ("maxProperties increased", {"type": "object", "maxProperties": 2}, {"type": "object", "maxProperties": 3}, "template", "max-properties-increased", M),
    ("minProperties increased", {"type": "object", "minProperties": 1}, {"type": "object", "minProperties": 2}, "template", "min-properties-increased", B),
    ("minItems decreased", {"type": "array", "minItems": 2}, {"type": "array", "minItems": 1}, "template", "min-items-decreased", M),
    ("deprecation withdrawn", obj({"a": {**S, "deprecated": True}}), obj({"a": S}), "template", "param-undeprecated", P),
    ("propertyNames relaxed", {"type": "object", "propertyNames": {"maxLength": 3}}, {"type": "object"}, "template", "property-names-relaxed", M),
    ("dialect changed, same meaning", {"$schema": D7, **S}, {"$schema": D4, **S}, "template", "schema-dialect-changed", P),
    ("unevaluatedProperties added", {"$schema": D2019, "type": "object", "properties": {"a": S}}, {"$schema": D2019, "type": "object", "properties": {"a": S}, "unevaluatedProperties": False}, "strict", "unevaluated-properties-restricted", B),
    ("unevaluatedProperties removed", {"$schema": D2019, "type": "object", "properties": {"a": S}, "unevaluatedProperties": False}, {"$schema": D2019, "type": "object", "properties": {"a": S}}, "template", "unevaluated-properties-relaxed", M),
]  # fmt: skip


def test_every_parameter_rule_has_a_row():
    covered = {row[4] for row in ROWS}
    missing = [r for r, rule in RULES.items() if rule.area == "parameters" and r not in covered]
    assert missing == []


@pytest.mark.parametrize(
    ("old", "new", "profile", "rule", "level"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS]
)
def test_rule_table(old, new, profile, rule, level):
    findings = diff_schemas(old, new, profile)
    by_rule = {f.rule: f for f in findings}
    assert rule in by_rule, [f.rule for f in findings]
    assert by_rule[rule].level is level
    assert max(f.level for f in findings) is level or level is not Level.MAJOR


BREAKING_ROWS = [
    r for r in ROWS if r[5] is B and r[4] not in {"pattern-changed", "unsupported-keyword"}
]


@pytest.mark.parametrize(
    ("old", "new", "profile", "rule"),
    [r[1:5] for r in BREAKING_ROWS],
    ids=[r[0] for r in BREAKING_ROWS],
)
def test_breaking_findings_carry_a_checked_counterexample(old, new, profile, rule):
    findings = attach_counterexamples(diff_schemas(old, new, profile), old, new)
    found = next(f for f in findings if f.rule == rule)
    assert found.counterexample is not None, rule
    value = found.counterexample.value
    old_check = validator_for(old, default=Draft7Validator)(old)
    new_check = validator_for(new, default=Draft7Validator)(new)
    assert old_check.is_valid(value)
    if found.counterexample.effect == "rejected":
        assert not new_check.is_valid(value)
    else:
        assert new_check.is_valid(value)  # silently ignored


def test_identical_and_ref_refactor_find_nothing():
    inline = obj({"a": {"type": "string", "minLength": 1}})
    with_ref = {
        **obj({"a": {"$ref": "#/definitions/name"}}),
        "definitions": {"name": {"type": "string", "minLength": 1}},
    }
    assert diff_schemas(inline, inline) == []
    assert diff_schemas(inline, with_ref) == []


def test_nested_pointers_name_the_keyword():
    old = obj({"db": obj({"port": {**I, "maximum": 65535}})})
    new = obj({"db": obj({"port": {**I, "maximum": 1024}})})
    [found] = attach_counterexamples(diff_schemas(old, new), old, new)
    assert found.pointer == "/properties/db/properties/port/maximum"
    assert found.counterexample is not None
    assert found.counterexample.value == {"db": {"port": 1025}}


@pytest.mark.parametrize(
    ("schema", "words"),
    [
        (
            {
                "properties": {"a": {"$ref": "#/definitions/a"}},
                "definitions": {"a": {"$ref": "#/definitions/a"}},
            },
            "cycle",
        ),
        ({"properties": {"a": {"$ref": "https://example.com/s.json"}}}, "remote $ref"),
        ({"properties": {"a": {"$ref": "#/definitions/missing"}}}, "points at nothing"),
    ],
)
def test_bad_references_are_clear_errors(schema, words):
    with pytest.raises(InvalidInputError) as caught:
        diff_schemas({"type": "object"}, schema)
    assert words in caught.value.message
    assert caught.value.problems[0].pointer


def test_three_hundred_parameters_report_only_the_changed_ones():
    old = obj(
        {f"p{i}": {"type": "string", "maxLength": 40, "description": f"{i}"} for i in range(300)}
    )
    new = obj(
        {
            f"p{i}": {
                "type": "string",
                "maxLength": 30 if i % 50 == 0 else 40,
                "description": f"{i}",
            }
            for i in range(300)
        }
    )
    findings = attach_counterexamples(diff_schemas(old, new), old, new)
    assert [f.rule for f in findings] == ["max-length-decreased"] * 6
    assert all(f.counterexample is not None for f in findings)
