"""The pure parts of rendering: body files and targets, value merging, defaults."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from gitops_templates.rendering.core.spec import BodyFile, body_files, clean_path, target_problems
from gitops_templates.rendering.core.values import merge, set_path, split_key, with_defaults
from gitops_templates.rendering.engine import _to_json


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("config.yaml", "config.yaml"),
        ("a/./b.yaml", "a/b.yaml"),
        ("a//b", "a/b"),
        ("../x", None),
        ("a/../../x", None),
        ("/etc/passwd", None),
        ("C:/x", None),
        ("a\\..\\x", None),
        ("a\0b", None),
        ("", None),
        (".", None),
        (7, None),
    ],
)
def test_clean_path_keeps_targets_inside(path: object, expected: str | None):
    assert clean_path(path) == expected


def test_without_files_every_j2_renders_except_partials_tests_and_examples():
    paths = ["template.yaml", "config.yaml.j2", "k8s/deploy.yaml.j2", "_helpers.j2",
             "k8s/_part.j2", "tests/case.yaml.j2", "examples/x.yaml", "README.md", ".j2"]  # fmt: skip
    assert body_files({}, paths) == (
        BodyFile("config.yaml.j2", "config.yaml"),
        BodyFile("k8s/deploy.yaml.j2", "k8s/deploy.yaml"),
    )


def test_declared_files_keep_their_order_index_and_schema():
    meta = {"files": [{"source": "b.j2", "target": "b.json", "output_schema": "s.json"},
                      {"source": "a.j2", "target": "a"}]}  # fmt: skip
    assert body_files(meta, ["x.j2"]) == (
        BodyFile("b.j2", "b.json", "s.json", 0),
        BodyFile("a.j2", "a", None, 1),
    )


def test_targets_outside_or_twice_are_problems():
    bodies = [BodyFile("a.j2", "out/a"), BodyFile("b.j2", "../b"), BodyFile("c.j2", "out/./a")]
    found = target_problems(bodies)
    assert [(b.source, "outside" in why or "also the target" in why) for b, why in found] == [
        ("b.j2", True),
        ("c.j2", True),
    ]


def test_merge_is_deep_for_mappings_and_replaces_the_rest():
    base = {"db": {"host": "a", "port": 1}, "tags": [1, 2], "x": 1}
    over = {"db": {"port": 2}, "tags": [3], "y": {"z": 1}}
    assert merge(base, over) == {"db": {"host": "a", "port": 2}, "tags": [3], "x": 1,
                                 "y": {"z": 1}}  # fmt: skip
    assert base == {"db": {"host": "a", "port": 1}, "tags": [1, 2], "x": 1}  # not modified


@pytest.mark.parametrize(
    ("key", "parts"),
    [
        ("a", ["a"]),
        ("a.b", ["a", "b"]),
        ("a\\.b.c", ["a.b", "c"]),
        ("a..b", None),
        (".a", None),
        ("", None),
    ],
)
def test_set_keys_are_dotted_paths(key: str, parts: list[str] | None):
    assert split_key(key) == parts


def test_set_path_creates_and_replaces_parents():
    assert set_path({"a": 1}, ["a", "b"], 2) == {"a": {"b": 2}}
    assert set_path({"a": {"c": 1}}, ["a", "b"], 2) == {"a": {"c": 1, "b": 2}}


def test_defaults_fill_missing_keys_through_local_refs_but_not_absent_objects():
    schema: dict[str, Any] = {
        "type": "object",
        "$defs": {"port": {"type": "integer", "default": 80}},
        "properties": {
            "env": {"type": "string", "default": "dev"},
            "port": {"$ref": "#/$defs/port"},
            "db": {"type": "object", "properties": {"pool": {"type": "integer", "default": 5}}},
            "tls": {"type": "object", "properties": {"on": {"type": "boolean", "default": True}}},
            "list": {"type": "array", "default": [1]},
        },
    }
    filled = with_defaults(schema, {"env": "prod", "db": {}})
    assert filled == {"env": "prod", "port": 80, "db": {"pool": 5}, "list": [1]}
    filled["list"].append(2)
    assert schema["properties"]["list"]["default"] == [1]  # defaults are copied


def test_a_default_beside_a_ref_is_the_default_and_the_nearest_one_wins():
    schema = {
        "$defs": {"sev": {"enum": ["page", "ticket"], "default": "page"},
                  "alias": {"$ref": "#/$defs/sev", "default": "ticket"}},
        "properties": {"a": {"$ref": "#/$defs/sev", "default": "ticket"},
                       "b": {"$ref": "#/$defs/sev"}, "c": {"$ref": "#/$defs/alias"},
                       "d": {"$ref": "#/$defs/alias", "default": "page"}},
    }  # fmt: skip
    assert with_defaults(schema, {}) == {"a": "ticket", "b": "page", "c": "ticket", "d": "page"}


def test_defaults_survive_a_ref_cycle_and_odd_schemas():
    schema = {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}},
              "properties": {"x": {"$ref": "#/$defs/a"}, "y": True, "z": {"$ref": "#/nope"}}}  # fmt: skip
    assert with_defaults(schema, {"k": 1}) == {"k": 1}
    assert with_defaults(True, {"k": 1}) == {"k": 1}
    assert with_defaults({"properties": {"a": {"default": 1}}}, "text") == "text"


@settings(max_examples=500, database=None)
@given(st.recursive(st.text() | st.integers() | st.booleans() | st.none(),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=8))  # fmt: skip
def test_to_json_is_json_that_yaml_reads_back_unchanged(value: Any):
    """Quoting any value for a YAML body: the raw characters YAML refuses are escaped."""
    text = _to_json(value)
    assert json.loads(text) == value
    assert yaml.safe_load(text) == value
