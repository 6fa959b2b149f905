"""The compiled metaschema check says "valid" exactly when jsonschema finds no error.

Schemas come from a realistic shape (closed objects of typed properties, `$defs` and
references, as catalogs write them), from hostile edits of it (every value replaced by
wrong types, odd numbers, non-string keys, YAML dates and bytes), and from Hypothesis
trees of keywords and values. The verdict is compared with jsonschema's own check
against the real 2020-12 metaschema (seven vocabularies, dynamic references).
"""

from __future__ import annotations

import contextlib
import copy
import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft7Validator, Draft202012Validator
from jsonschema.exceptions import SchemaError

from gitops_templates.catalog.metacheck import MAX_DEPTH, Unsupported, compile_check
from gitops_templates.catalog.metaschema import _compiled, _flat_2020_12, schema_error
from tests.helpers import paths_in, replaced_at

D2020 = "https://json-schema.org/draft/2020-12/schema"
REAL = Draft202012Validator(
    Draft202012Validator.META_SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER
)
REAL_7 = Draft7Validator(Draft7Validator.META_SCHEMA, format_checker=Draft7Validator.FORMAT_CHECKER)
FAST = _compiled("draft202012") or (lambda _: False)
FAST_7 = _compiled("draft7") or (lambda _: False)


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
    assert FAST_7(schema) == REAL_7.is_valid(schema), schema


def test_realistic_schemas_are_known_valid():
    for n in (0, 1, 10, 30):
        assert FAST(realistic(n)) is True
        assert REAL.is_valid(realistic(n))
        draft7 = {k: v for k, v in realistic(n).items() if k != "$defs"}  # refs stay local
        assert FAST_7(draft7) is REAL_7.is_valid(draft7)


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
    assert _outcome(_raised, full) == expected
    if isinstance(schema, dict):  # without `$schema`: draft-07
        bare = {k: v for k, v in schema.items() if k != "$schema"}
        assert _outcome(_raised, bare) == _outcome(Draft7Validator.check_schema, bare)


def _raised(schema: Any) -> None:
    error = schema_error(schema)
    if error is not None:
        raise error


def test_an_unknown_keyword_in_the_metaschema_is_not_compiled():
    with pytest.raises(Unsupported):
        compile_check({"oneOf": [True]}, Draft202012Validator.FORMAT_CHECKER)
    assert compile_check(_flat_2020_12().schema, Draft202012Validator.FORMAT_CHECKER)({})


def test_the_compiled_checks_need_no_jsonschema():
    import subprocess
    import sys

    code = ("import sys\nfrom gitops_templates.catalog.metaschema import known_valid\n"
            "assert known_valid({'type': 'object', 'properties': {'a': {'pattern': '^a'}}})\n"
            "assert known_valid({'$schema': 'https://json-schema.org/draft/2020-12/schema#'})\n"
            "assert not known_valid({'pattern': '('})\n"
            "print('jsonschema' in sys.modules)")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("schema", [*hostile_edits()[::53], {"type": "nope"}, {}, True, 5])
def test_the_quick_verdict_agrees_with_the_full_parameters_check(schema: Any):
    from gitops_templates.catalog.schema import check_parameters_schema, is_valid_parameters_schema
    from gitops_templates.catalog.yamlio import load_yaml

    doc = load_yaml("parameters: {}\n", "t.yaml")
    full = check_parameters_schema(schema, doc, ("parameters",))
    assert is_valid_parameters_schema(schema) is (full == [])


# Documents against the shipped schemas: the compiled check never vouches for a document
# jsonschema finds invalid, and vouches for the usual valid ones.
SHIPPED = ["config.schema.json", "template.schema.json", "instance.schema.json"]


def _shipped_documents() -> dict[str, list[Any]]:
    import yaml

    from gitops_templates.catalog.scaffold import DEFAULT_CONFIG, TEMPLATE_YAML

    config = yaml.safe_load(DEFAULT_CONFIG)
    config |= {"components": {"web": "packages/web", "api": {"path": "services/api",
                                                               "tag_format": "api-v{version}"}},
               "alerts": [{"type": "webhook", "url": "https://example.com/h"},
                          {"type": "command", "command": ["true"]}]}  # fmt: skip
    template = yaml.safe_load(TEMPLATE_YAML.format(editor_line="", id="web", name="Web"))
    template |= {"deprecated": {"message": "use api", "replacement": "api"},
                 "migrations": [{"version": "1.0.0", "ops": [
                     {"op": "rename", "from": "/a", "path": "/b"},
                     {"op": "set_default", "path": "/c", "value": 1}]}]}  # fmt: skip
    instance = {"apiVersion": "gitops-templates/v1", "template": "web", "version": "1.2.3",
                "values": {"name": "checkout"}}  # fmt: skip
    return {"config.schema.json": [config], "template.schema.json": [template],
            "instance.schema.json": [instance]}  # fmt: skip


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_schemas_compile_and_never_vouch_for_an_invalid_document(name: str):
    from gitops_templates.catalog.resources import load_schema

    schema = load_schema(name)
    fast = compile_check(schema, None, unknown_is_false=True)  # as `validate_against` does
    real = Draft202012Validator(schema)
    documents = _shipped_documents()[name]
    edits = [replaced_at(doc, path, value) for doc in documents for path in paths_in(doc)[1:]
             for value in HOSTILE]  # fmt: skip
    for doc in documents:
        for path in paths_in(doc)[1:]:  # a key dropped: `required`, `if` and `oneOf` meet it
            parent = doc
            for part in path[:-1]:
                parent = parent[part]
            if isinstance(parent, dict):
                edits.append(replaced_at(doc, path[:-1], {k: v for k, v in parent.items()
                                                        if k != path[-1]}) if path[:-1]
                             else {k: v for k, v in doc.items() if k != path[-1]})  # fmt: skip
    vouched = [doc for doc in documents + edits if fast(doc)]
    assert all(real.is_valid(doc) for doc in vouched)
    assert vouched  # the usual valid documents and edits pass without jsonschema


TYPE_NAMES = ["string", "integer", "number", "object", "array", "boolean", "null"]
WORDS = st.sampled_from(["a", "b", "abc", ""])
KEYWORD_SCHEMAS = st.one_of(
    st.builds(lambda t: {"type": t}, st.one_of(
        st.sampled_from(TYPE_NAMES), st.lists(st.sampled_from(TYPE_NAMES), min_size=1,
                                              max_size=2, unique=True))),
    st.builds(lambda v: {"const": v}, WORDS),
    st.builds(lambda v: {"enum": v}, st.lists(WORDS, min_size=1, max_size=2, unique=True)),
    st.builds(lambda k, n: {k: n}, st.sampled_from(["minLength", "maxLength", "maxItems",
                                                    "minItems"]), st.integers(0, 2)),
    st.builds(lambda k, n: {k: n}, st.sampled_from(["minimum", "maximum", "exclusiveMinimum",
                                                    "exclusiveMaximum"]), st.integers(-1, 2)),
    st.builds(lambda r: {"required": r}, st.lists(st.sampled_from(["a", "b"]), max_size=2,
                                                  unique=True)),
    st.just({"pattern": "^a"}),
    st.just({"$ref": "#/$defs/x"}),
)  # fmt: skip
SCHEMA_TREES = st.recursive(
    KEYWORD_SCHEMAS,
    lambda inner: st.one_of(
        st.builds(lambda a, b: {**a, **b}, inner, inner),
        st.builds(lambda x: {"not": x}, inner),
        st.builds(lambda c, t, e: {"if": c, "then": t, "else": e}, inner, inner, inner),
        st.builds(lambda c, t: {"if": c, "then": t}, inner, inner),
        st.builds(lambda alts: {"oneOf": alts}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda p: {"properties": p}, st.dictionaries(st.sampled_from(["a", "b"]),
                                                                inner, max_size=2)),
        st.builds(lambda x: {"items": x}, inner),
        st.builds(lambda x: {"additionalProperties": x}, inner),
    ),
    max_leaves=8,
)  # fmt: skip
INSTANCE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2, 3), st.floats(-2, 3), WORDS),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3)),
    max_leaves=8,
)  # fmt: skip


@settings(max_examples=800, deadline=None, suppress_health_check=list(HealthCheck))
@given(SCHEMA_TREES, st.lists(INSTANCE, min_size=1, max_size=6))
def test_the_check_of_a_random_schema_never_vouches_for_an_invalid_instance(
    schema: Any, instances: list[Any]
):
    schema = {**schema, "$defs": {"x": {"type": "string"}}}
    real = Draft202012Validator(schema)
    checks = [compile_check(schema, None, unknown_is_false=True)]  # unknown parts: "ask"
    with contextlib.suppress(Unsupported):  # strict: `not`, `if`, `oneOf` refused
        checks.append(compile_check(schema, None))
    for fast in checks:
        for instance in instances:
            if fast(instance):
                assert real.is_valid(instance), (schema, instance)
