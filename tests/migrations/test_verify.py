"""`validate` tests migrations: values valid before each must arrive valid now."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Cli
from tests.helpers import RepoBuilder
from tests.migrations.conftest import MIGRATION_2, MIGRATION_3, parameters, release

THREE = parameters("name", "max_alerts", "tier", "channel", required=("name", "channel"))
BODY = "name: {{ name }}\nto: {{ channel }}\n"


def problems(cli: Cli, code: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(cli("validate", "--json", code=code).output)[
        "problems"
    ]
    return found


def test_sound_migrations_validate(catalog: RepoBuilder, cli: Cli):
    assert problems(cli, 0) == []


def test_a_migration_whose_result_is_invalid_names_the_value_path_and_step(
    catalog: RepoBuilder, cli: Cli
):
    wrong = {**MIGRATION_3, "ops": [{"op": "set_default", "path": "/channel", "value": "sms"}]}
    release(catalog, "3.0.0", THREE, {"name": "a", "channel": "email"}, BODY,
            [MIGRATION_2, wrong], "fix(alerts): oops", tag=False)  # fmt: skip
    found = problems(cli, 3)
    assert [(p["rule"], p["pointer"]) for p in found] == [("migration", "migrations[1]")]
    message = found[0]["message"]
    assert message.startswith('example default of 2.0.0 {"name": "a"}: after 3.0.0 it is ')
    assert "which 3.0.0 rejects: values.channel: 'sms' is not one of" in message
    assert found[0]["file"] == "templates/alerts/template.yaml"
    assert found[0]["line"]


def test_a_missing_rename_is_found_from_the_release_before(catalog: RepoBuilder, cli: Cli):
    release(catalog, "3.0.0", THREE, {"name": "a", "channel": "email"}, BODY,
            [MIGRATION_3], "fix(alerts): lost the rename", tag=False)  # fmt: skip
    catalog.run("tag", "-d", "alerts@2.0.0")  # 1.1.0 is now the release before 3.0.0
    message = problems(cli, 3)[0]["message"]
    assert message.startswith('example default of 1.1.0 {"limit": 3, "name": "a"}: after 3.0.0')
    assert "Additional properties are not allowed ('limit' was unexpected)" in message


def test_a_migration_must_name_a_real_or_the_next_version(catalog: RepoBuilder, cli: Cli):
    stray = {"version": "9.0.0", "ops": []}
    release(catalog, "3.0.0", THREE, {"name": "a", "channel": "email"}, BODY,
            [MIGRATION_2, MIGRATION_3, stray], "fix(alerts): stray", tag=False)  # fmt: skip
    found = problems(cli, 3)
    assert found[0]["message"] == ("9.0.0 is neither a version of alerts nor its next one "
                                   "(3.0.1)")  # fmt: skip
    stray["version"] = "3.0.1"
    release(catalog, "3.0.0", THREE, {"name": "a", "channel": "email"}, BODY,
            [MIGRATION_2, MIGRATION_3, stray], "fix(alerts): next", tag=False)  # fmt: skip
    assert problems(cli, 0) == []


def test_malformed_operations_are_schema_errors(catalog: RepoBuilder, cli: Cli):
    bad = {"version": "3.0.0", "ops": [{"op": "rename", "path": "limit"}]}
    release(catalog, "3.0.0", THREE, {"name": "a", "channel": "email"}, BODY,
            [MIGRATION_2, bad], "fix(alerts): bad", tag=False)  # fmt: skip
    pointers = {p["pointer"] for p in problems(cli, 3)}
    assert "migrations[1].ops[0].path" in pointers or "migrations[1].ops[0]" in pointers


def test_a_clean_verdict_is_remembered_until_migrations_or_tags_change(
    catalog: RepoBuilder, cli: Cli, monkeypatch
):
    assert problems(cli, 0) == []

    def no_generation(*_: object) -> None:
        raise AssertionError("the migration test ran again")

    monkeypatch.setattr("gitops_templates.testing.simulate.generate_values", no_generation)
    assert problems(cli, 0) == []
    catalog.tag("alerts@3.0.1", message="alerts 3.0.1")
    with pytest.raises(AssertionError, match="the migration test ran again"):
        cli("validate")


def test_values_that_cannot_be_generated_are_a_notice_and_not_remembered(
    catalog: RepoBuilder, cli: Cli, monkeypatch
):
    def nothing(*_: object) -> tuple[list[Any], str]:
        return [], "values cannot be generated: the generator ran out of time"

    monkeypatch.setattr("gitops_templates.testing.simulate.generate_values", nothing)
    report = json.loads(cli("validate", "--json").output)
    assert {w["code"] for w in report["warnings"]} == {"migration-test-untried"}
    assert (
        "no values generated from 1.1.0's parameters: values cannot be generated"
        in (report["warnings"][0]["message"])
    )
    assert "migration-test-1" not in (catalog.path / ".git/gitops-templates/objects-v1.json"
                                      ).read_text()  # fmt: skip
