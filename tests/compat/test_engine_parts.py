"""Helpers of the schema diff engine, one module at a time: deref, samples, shapes and more."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import pytest

from gitops_templates.compat.core import scalars
from gitops_templates.compat.core.composition import disjoint
from gitops_templates.compat.core.deref import dereference, dialect
from gitops_templates.compat.core.objects import model, undeclared_schema
from gitops_templates.compat.core.samples import regex_sample, sample, type_of
from gitops_templates.compat.core.schemadiff import SchemaDiff
from gitops_templates.compat.core.shapes import (
    accepts_all,
    allowed_values,
    covers,
    effective_types,
    normalize,
    pointer_token,
)
from gitops_templates.core.models import Level
from gitops_templates.errors import InvalidInputError

DRAFT_2020 = "https://json-schema.org/draft/2020-12/schema"
STRING = {"type": "string"}
INTEGER = {"type": "integer"}

# --- deref ---------------------------------------------------------------------------

DIALECTS = [
    ({}, "draft-07"),
    ({"$schema": "http://json-schema.org/draft-04/schema#"}, "draft-04"),
    ({"$schema": "http://json-schema.org/draft-06/schema#"}, "draft-06"),
    ({"$schema": "http://json-schema.org/draft-07/schema#"}, "draft-07"),
    ({"$schema": "https://json-schema.org/draft/2019-09/schema"}, "2019-09"),
    ({"$schema": DRAFT_2020}, "2020-12"),
    ({"$schema": "https://example.com/my-meta"}, "draft-07"),
    (True, "draft-07"),
    (None, "draft-07"),
]


@pytest.mark.parametrize(("schema", "expected"), DIALECTS)
def test_dialect_reads_schema_uri_and_defaults_to_draft_07(schema: Any, expected: str):
    assert dialect(schema) == expected


DEREFERENCE = [
    # schema, inlined
    (
        {"$defs": {"n": STRING}, "properties": {"a": {"$ref": "#/$defs/n"}}},
        {"properties": {"a": STRING}},
    ),
    (
        {"definitions": {"n": STRING}, "properties": {"a": {"$ref": "#/definitions/n"}}},
        {"properties": {"a": STRING}},
    ),
    (  # a reference through a reference, used twice
        {
            "definitions": {"a": {"$ref": "#/definitions/b"}, "b": INTEGER},
            "properties": {"x": {"$ref": "#/definitions/a"}, "y": {"$ref": "#/definitions/a"}},
        },
        {"properties": {"x": INTEGER, "y": INTEGER}},
    ),
    (  # inside lists: items, anyOf
        {
            "definitions": {"n": STRING},
            "anyOf": [{"$ref": "#/definitions/n"}, INTEGER],
            "items": [{"$ref": "#/definitions/n"}],
        },
        {"anyOf": [STRING, INTEGER], "items": [STRING]},
    ),
    (  # JSON pointer escapes: ~1 is `/`, ~0 is `~`
        {
            "definitions": {"a/b": STRING, "t~x": INTEGER},
            "properties": {
                "p": {"$ref": "#/definitions/a~1b"},
                "q": {"$ref": "#/definitions/t~0x"},
            },
        },
        {"properties": {"p": STRING, "q": INTEGER}},
    ),
    (  # a list index in the pointer
        {"prefixItems": [STRING], "properties": {"a": {"$ref": "#/prefixItems/0"}}},
        {"prefixItems": [STRING], "properties": {"a": STRING}},
    ),
    (  # data keywords are values, not schemas: a `$ref` key in them stays
        {"default": {"$ref": "#/nowhere"}, "enum": [{"$ref": "x"}], "const": {"$ref": 1}},
        {"default": {"$ref": "#/nowhere"}, "enum": [{"$ref": "x"}], "const": {"$ref": 1}},
    ),
    (  # parameters may be named like keywords
        {"properties": {"$ref": STRING, "definitions": INTEGER, "$defs": STRING}},
        {"properties": {"$ref": STRING, "definitions": INTEGER, "$defs": STRING}},
    ),
    (  # draft-07 ignores siblings of $ref except annotations
        {
            "definitions": {"n": STRING},
            "properties": {"a": {"$ref": "#/definitions/n", "description": "d", "minLength": 3}},
        },
        {"properties": {"a": {"type": "string", "description": "d"}}},
    ),
    (  # 2020-12 keeps siblings and merges them when they do not clash
        {
            "$schema": DRAFT_2020,
            "$defs": {"n": STRING},
            "properties": {"a": {"$ref": "#/$defs/n", "minLength": 3}},
        },
        {
            "$schema": DRAFT_2020,
            "properties": {"a": {"type": "string", "minLength": 3}},
        },
    ),
    (  # ... and wraps both in allOf when they do
        {
            "$schema": DRAFT_2020,
            "$defs": {"n": STRING},
            "properties": {"a": {"$ref": "#/$defs/n", "type": "integer"}},
        },
        {
            "$schema": DRAFT_2020,
            "properties": {"a": {"allOf": [STRING, INTEGER]}},
        },
    ),
    (True, True),
    ({}, {}),
]


@pytest.mark.parametrize(("schema", "expected"), DEREFERENCE)
def test_dereference_inlines_local_refs_and_drops_definitions(schema: Any, expected: Any):
    assert dereference(schema) == expected


def test_dereference_does_not_change_its_input():
    schema = {"definitions": {"n": STRING}, "properties": {"a": {"$ref": "#/definitions/n"}}}
    before = repr(schema)
    dereference(schema)
    assert repr(schema) == before


DEREF_ERRORS = [
    # schema, words in the message, pointer of the problem
    (
        {"properties": {"a": {"$ref": "https://example.com/s.json"}}},
        "remote $ref 'https://example.com/s.json' at /properties/a is not fetched",
        "/properties/a",
    ),
    (
        {"properties": {"a": {"$ref": "other.json#/x"}}},
        "remote $ref 'other.json#/x'",
        "/properties/a",
    ),
    (
        {"properties": {"a": {"$ref": "#/definitions/nope"}}},
        "$ref '#/definitions/nope' at /properties/a points at nothing",
        "/properties/a",
    ),
    (
        {"items": [STRING], "properties": {"a": {"$ref": "#/items/3"}}},
        "points at nothing",
        "/properties/a",
    ),
    (
        {"properties": {"child": {"$ref": "#"}}},
        "$ref cycle: # -> #",
        "/properties/child",
    ),
    (
        {
            "definitions": {"a": {"$ref": "#/definitions/b"}, "b": {"$ref": "#/definitions/a"}},
            "properties": {"x": {"$ref": "#/definitions/a"}},
        },
        "$ref cycle: #/definitions/a -> #/definitions/b -> #/definitions/a",
        "/definitions/b",
    ),
    (
        {
            "definitions": {"node": {"properties": {"next": {"$ref": "#/definitions/node"}}}},
            "properties": {"list": {"$ref": "#/definitions/node"}},
        },
        "$ref cycle: #/definitions/node -> #/definitions/node",
        "/definitions/node/properties/next",
    ),
]


@pytest.mark.parametrize(("schema", "words", "pointer"), DEREF_ERRORS)
def test_dereference_refuses_remote_missing_and_recursive_refs(
    schema: Any, words: str, pointer: str
):
    with pytest.raises(InvalidInputError) as caught:
        dereference(schema, "templates/web/template.yaml")
    err = caught.value
    assert err.message.startswith("templates/web/template.yaml: ")
    assert words in err.message
    assert err.exit_code == 3
    [problem] = err.problems
    assert (problem.file, problem.pointer, problem.rule) == (
        "templates/web/template.yaml",
        pointer,
        "$ref",
    )
    assert problem.hint


def test_remote_ref_at_the_root_points_at_slash():
    with pytest.raises(InvalidInputError) as caught:
        dereference({"$ref": "https://example.com/s.json"})
    assert caught.value.problems[0].pointer == "/"
    assert "at / is not fetched" in caught.value.message


# --- samples -------------------------------------------------------------------------

TYPES_OF: list[tuple[Any, str]] = [
    (None, "null"),
    (True, "boolean"),
    (False, "boolean"),
    (0, "integer"),
    (-7, "integer"),
    (1.0, "integer"),  # JSON Schema: a number with a zero fraction is an integer
    (1.5, "number"),
    ("", "string"),
    ([], "array"),
    ([1], "array"),
    ({}, "object"),
]


@pytest.mark.parametrize(("value", "expected"), TYPES_OF)
def test_type_of_names_the_json_type(value: Any, expected: str):
    assert type_of(value) == expected


SAMPLES = [
    # schema, sample
    ({"const": {"a": 1}}, {"a": 1}),
    ({"enum": ["b", "c"]}, "b"),
    (STRING, "x"),
    ({"type": "string", "minLength": 4}, "xxxx"),
    ({"type": "string", "format": "email"}, "user@example.com"),
    ({"type": "string", "format": "date-time"}, "2026-01-01T00:00:00Z"),
    ({"type": "string", "pattern": "^[0-9]{3}$"}, "000"),
    ({"type": "string", "pattern": "^ab+$", "minLength": 4}, "abbb"),
    (INTEGER, 0),
    ({"type": "integer", "minimum": 3}, 3),
    ({"type": "integer", "exclusiveMinimum": 5}, 6),
    ({"type": "integer", "maximum": -4}, -4),
    ({"type": "integer", "minimum": 7, "multipleOf": 5}, 10),
    ({"type": "number"}, 0.5),  # not an integer: tells number from integer apart
    ({"type": "number", "maximum": 0}, 0),
    ({"type": "number", "exclusiveMinimum": 2}, 2.5),
    ({"minimum": 1}, 1.5),  # a number, by its keywords
    ({"type": "boolean"}, True),
    ({"type": "null"}, None),
    ({"type": ["null", "string"]}, "x"),  # string is preferred
    ({"type": ["integer", "boolean"]}, 0),
    (
        {"type": "object", "required": ["a"], "properties": {"a": INTEGER, "b": STRING}},
        {"a": 0},
    ),
    ({"required": ["a"]}, {"a": "x"}),
    ({"type": "array", "minItems": 2, "items": INTEGER}, [0, 0]),
    ({"type": "array", "minItems": 3, "uniqueItems": True, "items": STRING}, ["x", "x1", "x2"]),
    ({"type": "array", "items": [STRING, INTEGER]}, ["x", 0]),
    ({"$schema": DRAFT_2020, "type": "array", "prefixItems": [INTEGER]}, [0]),
    ({"allOf": [STRING, {"minLength": 2}]}, "xx"),
    ({"anyOf": [INTEGER, STRING]}, 0),
    ({"oneOf": [{"type": "boolean"}, STRING]}, True),
]


@pytest.mark.parametrize(("schema", "expected"), SAMPLES)
def test_sample_is_a_value_the_schema_accepts(schema: dict[str, Any], expected: Any):
    value = sample(schema)
    assert value == expected
    assert type_of(value) == type_of(expected)  # 0 is not False, 1.0 is not 1.5
    validator = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
    validator(schema).validate(value)


def test_sample_full_fills_every_declared_property():
    schema = {"type": "object", "required": ["a"], "properties": {"a": INTEGER, "b": STRING}}
    assert sample(schema, full=True) == {"a": 0, "b": "x"}


@pytest.mark.parametrize(
    ("schema", "kind", "expected"),
    [
        ({"enum": [1, "one", None]}, "string", "one"),
        ({"enum": [1, "one", None]}, "null", None),
        ({"enum": [1, "one"]}, "boolean", 1),  # no value of that type: the first one
        ({"type": ["string", "integer"]}, "integer", 0),
        ({}, "array", []),
    ],
)
def test_sample_of_a_kind(schema: dict[str, Any], kind: str, expected: Any):
    value = sample(schema, kind=kind)
    assert value == expected
    assert type_of(value) == type_of(expected)


@pytest.mark.parametrize("schema", [True, False, None, [STRING], "string"])
def test_sample_of_a_non_object_schema_is_a_plain_string(schema: Any):
    assert sample(schema) == "x"


def test_sample_stops_at_depth():
    deep: dict[str, Any] = INTEGER
    for _ in range(12):
        deep = {"type": "object", "required": ["a"], "properties": {"a": deep}}
    value = sample(deep)
    for _ in range(9):
        value = value["a"]
    assert value == "x"  # beyond depth 8 a placeholder, never a RecursionError


REGEXES = [
    # pattern, sample
    ("abc", "abc"),
    ("^a+b?$", "a"),
    ("[^a]", "b"),
    ("[^b]", "a"),
    (r"^\d{2}-\d{2}$", "00-00"),
    ("(foo|bar)baz", "foobaz"),
    (r"\w+@\w+", "a@a"),
    (".", "a"),
    ("^$", ""),
    ("a{3,5}", "aaa"),
    ("^[A-Z][a-z]*$", "A"),
    ("(?i)ABC", "ABC"),
    (r"\bword\b", "word"),
    (r"^\s$", " "),
    (r"^[^\d]$", "a"),
    ("^(?:ab)+$", "ab"),
    ("^x*?y$", "y"),
    ("^[a-z0-9][a-z0-9-]{0,62}$", "a"),
]


@pytest.mark.parametrize(("pattern", "expected"), REGEXES)
def test_regex_sample_matches_its_pattern(pattern: str, expected: str):
    text = regex_sample(pattern)
    assert text == expected
    assert re.search(pattern, text)


UNWORKABLE = [
    "(",  # not a regex
    "x(?=y)",  # lookahead ignored, then the check fails
    "^[^a-z]$",  # negated class answered with a letter in it
    r"(a)\1",  # backreference
    r"^\W$",
]


@pytest.mark.parametrize("pattern", UNWORKABLE)
def test_regex_sample_gives_none_rather_than_a_wrong_string(pattern: str):
    assert regex_sample(pattern) is None


# --- shapes --------------------------------------------------------------------------

NORMALIZED = [
    (True, {}),
    (None, {}),
    (False, {"not": {}}),
    (STRING, STRING),
    ([STRING], {}),
    ("string", {}),
]


@pytest.mark.parametrize(("schema", "expected"), NORMALIZED)
def test_normalize_turns_boolean_schemas_into_objects(schema: Any, expected: dict[str, Any]):
    assert normalize(schema) == expected


def test_normalize_returns_the_same_dict():
    schema = {"type": "string"}
    assert normalize(schema) is schema


ACCEPTS_ALL = [
    ({}, True),
    (True, True),
    (None, True),
    ({"description": "d", "title": "t", "default": 1, "examples": [1]}, True),
    ({"$comment": "c", "deprecated": True, "readOnly": True, "writeOnly": False}, True),
    ({"x-ui": {"widget": "text"}}, True),
    (False, False),
    ({"not": {}}, False),
    (STRING, False),
    ({"description": "d", "minLength": 1}, False),
    ({"enum": [1]}, False),
]


@pytest.mark.parametrize(("schema", "expected"), ACCEPTS_ALL)
def test_accepts_all_only_for_annotation_only_schemas(schema: Any, expected: bool):
    assert accepts_all(schema) is expected


EFFECTIVE_TYPES = [
    ({}, None),
    (STRING, frozenset({"string"})),
    ({"type": ["string", "null"]}, frozenset({"string", "null"})),
    ({"enum": [1, "a"]}, frozenset({"integer", "string"})),
    ({"const": None}, frozenset({"null"})),
    ({"type": "number", "enum": [1, 2.5, "a"]}, frozenset({"integer", "number"})),
    ({"type": "integer", "enum": [1.0]}, frozenset({"integer"})),
    ({"type": "integer", "enum": [1.5]}, frozenset()),
    ({"type": "string", "const": 3}, frozenset()),
    ({"enum": []}, frozenset()),
]


@pytest.mark.parametrize(("schema", "expected"), EFFECTIVE_TYPES)
def test_effective_types_are_narrowed_by_values(
    schema: dict[str, Any], expected: frozenset[str] | None
):
    assert effective_types(schema) == expected


COVERS = [
    (None, "string", True),
    (frozenset({"string"}), "string", True),
    (frozenset({"number"}), "integer", True),
    (frozenset({"integer"}), "number", False),
    (frozenset({"string"}), "null", False),
    (frozenset(), "string", False),
]


@pytest.mark.parametrize(("types", "kind", "expected"), COVERS)
def test_covers_counts_integers_as_numbers(types: frozenset[str] | None, kind: str, expected: bool):
    assert covers(types, kind) is expected


ALLOWED = [
    ({}, None),
    (STRING, None),
    ({"const": 0}, [0]),
    ({"const": None}, [None]),
    ({"enum": ["a", "b"]}, ["a", "b"]),
    ({"enum": ["a"], "const": "c"}, ["c"]),  # const first
    ({"enum": "a"}, None),  # not a list: no value set
]


@pytest.mark.parametrize(("schema", "expected"), ALLOWED)
def test_allowed_values_from_enum_or_const(schema: dict[str, Any], expected: list[Any] | None):
    assert allowed_values(schema) == expected


POINTER_TOKENS = [
    ("name", "name"),
    ("a/b", "a~1b"),
    ("a~b", "a~0b"),
    ("~1", "~01"),  # `~` first, so an escaped-looking name stays itself
    ("/~", "~1~0"),
    ("", ""),
]


@pytest.mark.parametrize(("name", "token"), POINTER_TOKENS)
def test_pointer_token_escapes_tilde_then_slash(name: str, token: str):
    assert pointer_token(name) == token
    assert token.replace("~1", "/").replace("~0", "~") == name  # RFC 6901 round trip


# --- composition, objects, scalars ---------------------------------------------------

KIND_A = {"properties": {"kind": {"const": "a"}}, "required": ["kind"]}
KIND_B = {"properties": {"kind": {"const": "b"}}, "required": ["kind"]}
DISJOINT = [
    (STRING, INTEGER, True),
    ({"type": "number"}, INTEGER, False),  # every integer is a number
    (INTEGER, {"type": "number"}, False),
    (STRING, {}, False),
    ({}, {}, False),
    ({"const": "a"}, {"const": "b"}, True),
    ({"enum": [1, 2]}, {"enum": [2, 3]}, False),
    ({"enum": ["a"]}, {"type": "integer"}, True),
    ({"type": ["string", "null"]}, {"type": "null"}, False),
    (KIND_A, KIND_B, True),
    (KIND_A, KIND_A, False),
    (KIND_A, {"properties": {"kind": {"const": "b"}}}, False),  # kind optional in one
    (
        {"properties": {"kind": {"enum": ["a", "b"]}}, "required": ["kind"]},
        {"properties": {"kind": {"enum": ["b", "c"]}}, "required": ["kind"]},
        False,
    ),
]


@pytest.mark.parametrize(("a", "b", "expected"), DISJOINT)
def test_disjoint_by_type_value_set_or_discriminator(
    a: dict[str, Any], b: dict[str, Any], expected: bool
):
    assert disjoint(a, b) is expected
    assert disjoint(b, a) is expected


MODELS = [
    ({}, "open"),
    ({"additionalProperties": True}, "open"),
    ({"additionalProperties": {}}, "open"),
    ({"additionalProperties": False}, "closed"),
    ({"additionalProperties": {"not": {}}}, "closed"),
    ({"additionalProperties": STRING}, "partial"),
    ({"patternProperties": {"^x-": {}}}, "partial"),
    ({"patternProperties": {"^x-": {}}, "additionalProperties": False}, "partial"),
    ({"patternProperties": {}, "additionalProperties": False}, "closed"),
]


@pytest.mark.parametrize(("schema", "expected"), MODELS)
def test_content_model_of_an_object(schema: dict[str, Any], expected: str):
    assert model(schema) == expected


PATTERNED = {
    "patternProperties": {"^x-": STRING, "y$": INTEGER},
    "additionalProperties": False,
}
UNDECLARED = [
    (PATTERNED, "x-y", [STRING, INTEGER]),
    (PATTERNED, "x-a", [STRING]),
    (PATTERNED, "in-x-y", [INTEGER]),  # searched, not matched at the start
    (PATTERNED, "other", [False]),
    ({"additionalProperties": STRING}, "any", [STRING]),
    ({}, "any", [{}]),
]


@pytest.mark.parametrize(("schema", "name", "expected"), UNDECLARED)
def test_undeclared_key_follows_matching_patterns_else_additional_properties(
    schema: dict[str, Any], name: str, expected: list[Any]
):
    assert undeclared_schema(schema, name) == expected


LIMITS = [
    # old, new, [(rule, pointer, level, message, candidates)]
    ({}, {}, []),
    ({"maxLength": 5}, {"maxLength": 5}, []),
    (
        {},
        {"maxLength": 5},
        [("max-length-decreased", "/p/maxLength", Level.MAJOR, "maxLength none -> 5", ("x" * 6,))],
    ),
    (
        {"maxLength": 5},
        {"maxLength": 3},
        [("max-length-decreased", "/p/maxLength", Level.MAJOR, "maxLength 5 -> 3", ("xxxx",))],
    ),
    (
        {"maxLength": 5},
        {"maxLength": 10},
        [("max-length-increased", "/p/maxLength", Level.MINOR, "maxLength 5 -> 10", ())],
    ),
    (
        {"maxLength": 5},
        {},
        [("max-length-increased", "/p/maxLength", Level.MINOR, "maxLength 5 -> none", ())],
    ),
    (
        {"minLength": 2},
        {"minLength": 4},
        [("min-length-increased", "/p/minLength", Level.MAJOR, "minLength 2 -> 4", ("xxx",))],
    ),
    (
        {},
        {"minLength": 1},
        [("min-length-increased", "/p/minLength", Level.MAJOR, "minLength 0 -> 1", ("",))],
    ),
    (
        {"minLength": 3},
        {},
        [("min-length-decreased", "/p/minLength", Level.MINOR, "minLength 3 -> 0", ())],
    ),
    (
        {"minLength": 1, "maxLength": 9},
        {"minLength": 2, "maxLength": 8},
        [
            ("max-length-decreased", "/p/maxLength", Level.MAJOR, "maxLength 9 -> 8", ("x" * 9,)),
            ("min-length-increased", "/p/minLength", Level.MAJOR, "minLength 1 -> 2", ("x",)),
        ],
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), LIMITS)
def test_limits_tighter_is_breaking_looser_is_minor(
    old: dict[str, Any], new: dict[str, Any], expected: list[tuple[Any, ...]]
):
    differ = SchemaDiff("template")
    scalars.limits(differ, old, new, "/p", ("p",), "maxLength", "minLength", lambda n: "x" * n)
    got = [(f.rule, f.pointer, f.level, f.message, f.candidates) for f in differ.findings]
    assert got == expected
    assert all(f.path == ("p",) for f in differ.findings)


def test_limits_name_the_rule_after_the_keyword_pair():
    differ = SchemaDiff("template")
    new = {"maxItems": 1, "minItems": 1}
    scalars.limits(differ, {}, new, "", (), "maxItems", "minItems", lambda n: [0] * n)
    assert [(f.rule, f.candidates) for f in differ.findings] == [
        ("max-items-decreased", ([0, 0],)),
        ("min-items-increased", ([],)),
    ]


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [(True, 1, False), (False, 0, False), (1, 1.0, True), ([True], [1], False),
     ({"x": True}, {"x": 1}, False), ({"x": [1, {"y": False}]}, {"x": [1.0, {"y": False}]}, True),
     ("1", 1, False), (None, False, False), (True, True, True)],
)  # fmt: skip
def test_same_json_tells_booleans_from_numbers(a: Any, b: Any, same: bool):
    from gitops_templates.compat.core.shapes import json_in, same_json

    assert same_json(a, b) is same
    assert same_json(b, a) is same
    assert json_in(a, [b]) is same


@pytest.mark.parametrize(
    ("old", "new", "rule"),
    [
        ({"const": True}, {"const": 1}, "const-changed"),
        ({"enum": [False, True]}, {"enum": [0, 1]}, "enum-value-removed"),
        (
            {"properties": {"a": {"const": True}}},
            {"properties": {"a": {"const": 1}}},
            "const-changed",
        ),
    ],
)
def test_a_boolean_replaced_by_a_number_is_breaking(old: Any, new: Any, rule: str):
    from gitops_templates.compat.core.schemadiff import diff_schemas

    found = diff_schemas(old, new, "template")
    assert rule in {f.rule for f in found}
    assert any(f.level is Level.MAJOR for f in found)


def test_constants_true_and_one_are_disjoint_branches():
    a = {"properties": {"on": {"const": True}}, "required": ["on"]}
    b = {"properties": {"on": {"const": 1}}, "required": ["on"]}
    assert disjoint(a, b)
