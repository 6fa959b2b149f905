"""The compiled check of a shipped schema says "valid" only where jsonschema finds nothing.

`validate_against` skips jsonschema when the check (`metacheck`, keywords it does not
mirror answering "not known") says a document is valid: so a True must never hide an
error. Documents: a full template.yaml, hostile edits of it (every value replaced by
wrong types and odd strings, keys renamed) and Hypothesis trees; the other shipped
schemas get the edits of a small document each.
"""

from __future__ import annotations

import copy
import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from gitops_templates.catalog.resources import load_schema
from gitops_templates.catalog.schema import _known_valid, validate_against
from gitops_templates.catalog.yamlio import YamlDocument
from tests.helpers import paths_in, replaced_at

FULL: dict[str, Any] = {
    "apiVersion": "gitops-templates/v1", "id": "web.app-1", "name": "Web",
    "description": "A web app.", "owners": ["a", "b"], "category": "apps", "tags": ["x"],
    "parameters": {"type": "object"}, "compatibility_profile": "strict",
    "files": [{"source": "d.yaml.j2", "target": "d.yaml", "output_schema": "s.json"}],
    "examples": [{"name": "default", "description": "d", "values": {"a": 1}}],
    "min_tool_version": "1.2.3",
}  # fmt: skip
RARE: dict[str, Any] = {
    "deprecated": {"message": "m", "replacement": "r"},
    "health": {"checks": [{"name": "up", "type": "latency", "warning": 1, "quantile": 0.9,
                           "window": "5m", "for": 3}]},
    "migrations": [{"version": "1.2.0", "ops": [{"op": "move", "from": "/a", "path": "/b"},
                                                {"op": "add", "path": "/c", "value": 1}]}],
}  # fmt: skip
ODD: list[Any] = [None, True, 0, -1, 1.0, 0.5, 2, float("nan"), "", "x", "a..b", "/abs",
                  "../up", "a\x00b", "5m", "1.2", "gitops-templates/v2", "move", [], ["a", "a"],
                  [1, 1], {}, {"x": 1}, {1: "a"}, datetime.date(2024, 1, 1), b"b",
                  "y" * 201]  # fmt: skip
OTHERS: dict[str, dict[str, Any]] = {
    "config.schema.json": {"templates_dir": "templates", "tag_format": "{id}@{version}"},
    "test.schema.json": {"cases": [{"name": "c", "values": {"a": 1}, "asserts": []}]},
    "instance.schema.json": {"template": "web", "version": "1.0.0", "values": {"a": 1}},
}


def _edits(doc: dict[str, Any]) -> list[Any]:
    edits = [replaced_at(doc, p, v) for p in paths_in(doc)[1:] for v in ODD]
    for path in paths_in(doc)[1:]:
        if isinstance(path[-1], str):  # a key removed, or renamed
            parent = doc
            for part in path[:-1]:
                parent = parent[part]
            new: Any
            for new in (None, "name", "extra", 7):
                changed = copy.deepcopy(parent)
                value = changed.pop(path[-1])
                if new is not None:
                    changed[new] = value
                edits.append(replaced_at(doc, path[:-1], changed) if path[:-1] else changed)
    return edits


def _sound(name: str, doc: Any) -> bool:
    """The quick verdict for `doc`, asserted never to hide an error."""
    quick = _known_valid(name)(doc)
    if quick:
        assert not list(Draft202012Validator(load_schema(name)).iter_errors(doc)), doc
    return bool(quick)


def test_a_valid_template_yaml_skips_jsonschema_and_rare_parts_go_through_it():
    assert _sound("template.schema.json", FULL) is True
    for key, value in RARE.items():
        doc = {**FULL, key: value}
        validator = Draft202012Validator(load_schema("template.schema.json"))
        assert not list(validator.iter_errors(doc))
        _sound("template.schema.json", doc)


def test_hostile_edits_of_a_template_yaml_are_never_passed_wrongly():
    edits = _edits(FULL) + _edits({**FULL, **RARE})
    assert len(edits) > 2000
    quick = [_sound("template.schema.json", doc) for doc in edits]
    assert 0 < sum(quick) < len(quick)


@pytest.mark.parametrize("name", sorted(OTHERS))
def test_the_other_shipped_schemas_are_never_passed_wrongly(name: str):
    for doc in [OTHERS[name], *_edits(OTHERS[name])]:
        _sound(name, doc)


def test_problems_are_still_found_and_worded_by_jsonschema():
    doc = YamlDocument({**FULL, "id": "a..b", "name": ""}, {}, "t.yaml")
    found = validate_against(doc, "template.schema.json")
    assert [p.pointer for p in found] == ["id", "name"]


KEYS = st.sampled_from([*FULL, *RARE, "checks", "ops", "op", "from", "path", "value",
                        "source", "target", "values", "message", "x"])  # fmt: skip
LEAVES = st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.floats(allow_nan=True),
                   st.sampled_from(ODD[8:19]))  # fmt: skip
TREES = st.recursive(
    LEAVES,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(KEYS, inner, max_size=6)),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(TREES, st.dictionaries(KEYS, TREES, max_size=4))
def test_random_documents_are_never_passed_wrongly(tree: Any, extra: dict[str, Any]):
    _sound("template.schema.json", tree)
    _sound("template.schema.json", {**FULL, **extra})
