"""Migrations proposed by `diff` and `plan` for breaking changes none covers yet."""

from __future__ import annotations

import json

import yaml

from gitops_templates.compat.core.proposals import (
    PLACEHOLDER,
    covered,
    migration_text,
    propose_operations,
)
from gitops_templates.compat.core.schemadiff import diff_schemas
from tests.helpers import RepoBuilder

OLD = {"type": "object", "additionalProperties": False, "required": ["name"],
       "properties": {"name": {"type": "string"}, "limit": {"type": "integer", "minimum": 1},
                      "legacy": {"type": "boolean"},
                      "db": {"type": "object", "properties": {"host": {"type": "string"}}},
                      "routes": {"type": "array", "items": {
                          "type": "object", "additionalProperties": False,
                          "properties": {"to": {"type": "string"}}}}}}  # fmt: skip
NEW = {"type": "object", "additionalProperties": False,
       "required": ["name", "channel", "region"],
       "properties": {"name": {"type": "string"},
                      "max_alerts": {"type": "integer", "minimum": 1},
                      "channel": {"enum": ["email", "slack"], "default": "email"},
                      "region": {"type": "string"},
                      "db": {"type": "object", "required": ["port"],
                             "properties": {"host": {"type": "string"},
                                            "port": {"type": "integer", "default": 5432}}},
                      "routes": {"type": "array", "items": {
                          "type": "object", "additionalProperties": False,
                          "properties": {"target": {"type": "string"}}}}}}  # fmt: skip


def test_renames_removals_and_new_required_properties_become_operations():
    operations = propose_operations(diff_schemas(OLD, NEW, "strict"), NEW)
    assert sorted(operations, key=json.dumps) == sorted([
        {"op": "rename", "from": "/limit", "path": "/max_alerts"},
        {"op": "remove", "path": "/legacy", "if_present": True},
        {"op": "set_default", "path": "/region", "value": PLACEHOLDER},
        {"op": "set_default", "path": "/db/port", "value": 5432},
    ], key=json.dumps)  # fmt: skip
    # `channel` has a default (not breaking); `routes/*/to` is inside list items: left out


def test_the_text_pastes_into_template_yaml():
    operations = ({"op": "rename", "from": "/limit", "path": "/max_alerts"},
                  {"op": "set_default", "path": "/region", "value": PLACEHOLDER})  # fmt: skip
    text = migration_text("2.0.0", operations, "limit renamed")
    assert yaml.safe_load(text) == {
        "migrations": [
            {"version": "2.0.0", "description": "limit renamed", "ops": list(operations)}
        ]
    }
    assert "# replace the placeholder" in text.splitlines()[-1]
    assert migration_text("2.0.0", ()) == ""
    existing = "migrations:\n  - version: 1.0.0\n    ops: []\n"
    appended = existing + migration_text("2.0.0", operations, append=True)
    assert [m["version"] for m in yaml.safe_load(appended)["migrations"]] == ["1.0.0", "2.0.0"]


def test_a_new_required_enum_gets_its_first_value_not_a_placeholder():
    schema = {"type": "object", "required": ["region"],
              "properties": {"region": {"enum": ["eu", "us"]}}}  # fmt: skip
    found = diff_schemas({"type": "object", "properties": {}}, schema, "strict")
    assert propose_operations(found, schema) == (
        {"op": "set_default", "path": "/region", "value": "eu"},
    )


def test_a_migration_above_the_old_version_covers_the_change():
    metadata = {"migrations": [{"version": "2.0.0", "ops": []}]}
    assert covered(metadata, "1.4.0")
    assert covered(metadata, "web@v1.9.9")
    assert not covered(metadata, "2.0.0")
    assert not covered({}, "1.0.0")
    assert covered(metadata, "main~3")  # a revision: any migration counts


def test_diff_and_plan_print_the_proposal_until_a_migration_is_declared(repo: RepoBuilder, cli):
    repo.template("web")
    repo.commit("feat(web): first")
    cli("release")
    path = repo.path / "templates/web/template.yaml"
    path.write_text(path.read_text().replace("replicas: {type: integer", "count: {type: integer"))
    repo.commit("feat(web)!: replicas is count")
    shown = cli("diff", "web").output
    assert "proposed:" in shown
    assert '- {op: "rename", from: "/replicas", path: "/count"}' in shown
    plan = json.loads(cli("plan", "--json").output)["releases"][0]
    assert plan["proposed_migration"].startswith('migrations:\n  - version: "0.2.0"')
    assert "proposed for template.yaml" in cli("plan").output
    path.write_text(path.read_text() + 'migrations:\n  - version: "0.2.0"\n    ops: '
                    '[{op: rename, from: /replicas, path: /count}]\n')  # fmt: skip
    repo.commit("fix(web): migration")
    assert json.loads(cli("plan", "--json").output)["releases"][0]["proposed_migration"] == ""
    assert json.loads(cli("diff", "web", "--json").output)["proposed_migration"] == []
