"""Findings remembered per blob pair: warm runs agree with cold ones and parse nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gitops_templates import Catalog, to_json
from gitops_templates.compat import check, memo
from gitops_templates.compat.core.metadata import file_changes
from gitops_templates.compat.core.rules import Counterexample, Finding
from gitops_templates.core.models import Level
from gitops_templates.git.object_facts import ObjectFacts
from tests.compat.test_compatibility import drop_replicas
from tests.helpers import RepoBuilder, forget_plans

FACTS = ".git/gitops-templates/objects-v1.json"


@pytest.fixture
def changed(repo: RepoBuilder, cli) -> RepoBuilder:
    repo.template("web")
    repo.commit("feat(web): first")
    cli("release")
    drop_replicas(repo)
    path = repo.path / "templates/web/template.yaml"
    path.write_text(path.read_text().replace("name: {type: string,", "name: {type: integer,"))
    repo.commit("fix(web): tidy parameters", trailers={"BREAKING-CHANGE": "name, replicas"})
    return repo


def plan_json(repo: RepoBuilder) -> dict[str, object]:
    forget_plans(repo)  # the findings remembered below the whole plan are what is tested
    data: dict[str, object] = to_json(Catalog(repo.path).plan())
    return data


def test_a_warm_plan_equals_a_cold_one_and_parses_no_yaml(
    changed: RepoBuilder, monkeypatch: pytest.MonkeyPatch
):
    cold = plan_json(changed)
    stored = json.loads((changed.path / FACTS).read_text())["tables"]
    assert stored[f"compat-{memo.RULES_VERSION}"], "nothing remembered"
    check._parsed_blob.cache_clear()

    def no_parse(*_: object, **__: object) -> None:
        raise AssertionError("a warm plan parsed template.yaml")

    monkeypatch.setattr("gitops_templates.catalog.yamlio.load_yaml", no_parse)
    assert plan_json(changed) == cold
    with pytest.raises(AssertionError, match="parsed"):
        Catalog(changed.path, use_cache=False).plan()  # caches off: parses again


def test_misshapen_or_foreign_version_entries_are_recomputed(changed: RepoBuilder):
    cold = plan_json(changed)
    path = changed.path / FACTS
    data = json.loads(path.read_text())
    table = data["tables"][f"compat-{memo.RULES_VERSION}"]
    for key in table:
        table[key] = ["template", [["x", 9, "ERR", "", "", "", [], None]]]  # level 9: invalid
    data["tables"][f"compat-{memo.RULES_VERSION + 1}"] = dict(table)
    path.write_text(json.dumps(data))
    check._parsed_blob.cache_clear()
    assert plan_json(changed) == cold


def test_findings_survive_the_round_trip_and_odd_values_are_not_stored(tmp_path: Path):
    facts = ObjectFacts(tmp_path / "facts.json")
    remember = memo.FindingsMemo(facts)
    ids = ("a" * 40, "b" * 40)
    files = file_changes({}, {})
    found = [
        Finding(
            "param-removed",
            Level.MAJOR,
            "ERR",
            "/properties/x",
            "x removed",
            "parameters",
            ("x",),
            (),
            Counterexample({"x": [1, "a"]}, "rejected"),
        ),
        Finding("metadata-changed", Level.PATCH, "INFO", "/name", "renamed", "metadata"),
    ]
    assert remember.findings(ids, files, "auto", lambda: ("template", found)) == (
        "template",
        found,
    )
    again = memo.FindingsMemo(facts).findings(ids, files, "auto", lambda: ("other", []))
    assert again == ("template", found)
    odd = [Finding("r", Level.MAJOR, "ERR", "/p", "m", counterexample=Counterexample((1,), "x"))]
    other = ("c" * 40, "d" * 40)
    remember.findings(other, files, "auto", lambda: ("template", odd))  # a tuple: not JSON
    assert memo.FindingsMemo(facts).findings(other, files, "auto", lambda: ("new", [])) == (
        "new",
        [],
    )


def test_an_invalid_schema_in_history_does_not_block_planning(repo: RepoBuilder, cli):
    repo.template("web")
    path = repo.path / "templates/web/template.yaml"
    path.write_text(path.read_text().replace("minimum: 1,", "minimum: one,"))
    repo.commit("feat(web): first")
    repo.tag("web@0.1.0", message="web@0.1.0")
    path.write_text(path.read_text().replace("minimum: one,", "minimum: 1,"))
    repo.commit("fix(web): a valid schema", trailers={"BREAKING-CHANGE": "replicas >= 1"})
    [item] = cli.json("plan")["releases"]  # compared as it is, not refused (exit 3)
    assert item["next"] == "0.2.0"


def test_an_invalid_schema_at_head_is_still_refused(repo: RepoBuilder, cli):
    repo.template("web")
    repo.commit("feat(web): first")
    cli("release")
    path = repo.path / "templates/web/template.yaml"
    path.write_text(path.read_text().replace("minimum: 1,", "minimum: one,"))
    repo.commit("fix(web): oops")
    result = cli("plan", code=3)
    assert "parameters is not a valid JSON Schema" in result.stderr
    assert "parameters.properties.replicas.minimum" in result.stderr
