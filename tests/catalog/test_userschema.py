"""User schemas: no remote reference is fetched, patterns are bounded, messages unchanged."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from jsonschema import Draft7Validator

from gitops_templates.catalog.schema import validate_values
from gitops_templates.catalog.userschema import user_validator
from gitops_templates.catalog.yamlio import load_yaml
from tests.helpers import serving

DOC = load_yaml("x: 1\n", "templates/web/template.yaml")


@pytest.fixture
def server():
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"type": "string"}')

        def log_message(self, *args: Any) -> None:
            pass

    with serving(Handler) as url:
        yield url, hits


def test_a_remote_ref_is_never_fetched(server):
    url, hits = server
    schema = {"type": "object", "properties": {"name": {"$ref": f"{url}/s.json"}}}
    problems = validate_values(schema, {"name": 5}, DOC, ("examples", 0, "values"))
    assert hits == []
    [problem] = problems
    assert problem.rule == "$ref"
    assert f"{url}/s.json" in problem.message
    assert "never fetched" in problem.message


def test_in_document_refs_still_work():
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$defs": {"n": {"type": "integer"}},
        "properties": {"a": {"$ref": "#/$defs/n"}},
    }
    [problem] = validate_values(schema, {"a": "x"}, DOC, ())
    assert problem.pointer == "a"
    assert problem.rule == "type"


@pytest.mark.parametrize(
    "schema",
    [
        {"properties": {"a": {"type": "string", "pattern": "^(a|a)*$"}}},
        {"patternProperties": {"^(a|a)*$": {}}},
        {"patternProperties": {"^(a|a)*$": {}}, "additionalProperties": False},
    ],
)
def test_a_catastrophic_user_pattern_is_a_problem_not_a_hang(schema: dict[str, Any]):
    value = {"a": "a" * 28 + "!", "a" * 28 + "!": 1}
    [problem] = validate_values(schema, value, DOC, ())
    assert problem.rule == "pattern"
    assert "^(a|a)*$" in problem.message


@pytest.mark.parametrize(
    ("schema", "value"),
    [
        ({"properties": {"a": {}}, "additionalProperties": False}, {"a": 1, "b": 2, "c": 3}),
        ({"patternProperties": {"^x": {}}, "additionalProperties": False}, {"xa": 1, "b": 2}),
        ({"additionalProperties": {"type": "string"}}, {"a": 1}),
        ({"properties": {"s": {"pattern": "^[a-z]+$"}}}, {"s": "A1"}),
        ({"patternProperties": {"^n": {"type": "integer"}}}, {"n1": "x"}),
    ],
)
def test_messages_match_jsonschemas_own(schema: dict[str, Any], value: Any):
    ours = sorted(
        (list(e.absolute_path), e.message) for e in user_validator(schema).iter_errors(value)
    )
    theirs = sorted(
        (list(e.absolute_path), e.message) for e in Draft7Validator(schema).iter_errors(value)
    )
    assert ours == theirs
    assert ours
