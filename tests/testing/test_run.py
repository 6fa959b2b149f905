"""`test` on real repositories: cases, snapshots, confidence, JUnit, the simulator."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from gitops_templates import Catalog
from tests.conftest import Cli
from tests.helpers import RepoBuilder

CASES = """\
cases:
  - name: Three replicas
    values: {name: web, replicas: 3}
    asserts:
      - snapshot: true
      - contains: "replicas: 3"
      - equals: {path: replicas, value: 3}
  - name: bad replicas
    values: {name: web, replicas: 0}
    asserts:
      - fails: less than the minimum
"""
SNAPSHOT = "templates/web/tests/__snapshots__/web.yaml/three-replicas.snap"


@pytest.fixture
def tested(repo: RepoBuilder) -> RepoBuilder:
    repo.template("web", "name: {{ name }}\nreplicas: {{ replicas }}\n")
    repo.write({"templates/web/tests/web.yaml": CASES})
    return repo


def test_cases_pass_snapshots_are_written_and_confidence_is_wilson(tested: RepoBuilder, cli: Cli):
    report = cli.json("test")
    [web] = report["templates"]
    assert (web["passed"], web["total"], web["confidence"]) == (3, 3, 0.4385)
    assert [t["snapshot"] for t in web["trials"]] == [None, "created", None]
    snapshot = (tested.path / SNAPSHOT).read_text()
    assert snapshot == "==> body.yaml <==\nname: web\nreplicas: 3\n"
    again = cli.json("test")["templates"][0]["trials"][1]
    assert again["snapshot"] == "matched"


def test_a_changed_output_fails_with_a_diff_until_updated(tested: RepoBuilder, cli: Cli):
    cli("test")
    tested.write(
        {"templates/web/body.yaml.j2": "name: {{ name }}\nreplicas: {{ replicas }}\nx: 1\n"}
    )
    result = cli("test", code=1)
    assert (
        "snapshot templates/web/tests/__snapshots__/web.yaml/three-replicas.snap differs"
        in result.stdout
    )
    assert "+x: 1" in result.stdout
    cli("test", "--update-snapshots")
    assert (tested.path / SNAPSHOT).read_text().endswith("x: 1\n")
    cli("test")


def test_in_ci_a_missing_snapshot_fails_and_nothing_is_written(
    tested: RepoBuilder, cli: Cli, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("CI", "true")
    result = cli("test", code=1)
    assert (
        "snapshot templates/web/tests/__snapshots__/web.yaml/three-replicas.snap missing"
        in result.stdout
    )
    assert not (tested.path / SNAPSHOT).exists()


def test_failing_assertions_and_unexpected_outcomes_are_reported(repo: RepoBuilder, cli: Cli):
    repo.template("web")
    repo.write({"templates/web/tests/web.yaml": """\
        cases:
          - name: wrong value
            values: {name: web}
            asserts: [{equals: {path: name, value: api}}]
          - name: expected failure renders
            values: {name: web}
            asserts: [{fails: boom}]
          - name: fails differently
            values: {replicas: 2}
            asserts: [{fails: boom}]
        """})  # fmt: skip
    web = cli.json("test", code=1)["templates"][0]
    messages = {t["name"]: t["message"] for t in web["trials"] if not t["passed"]}
    assert messages == {
        "tests/web.yaml: wrong value": "asserts[0]: body.yaml: name is 'web', expected 'api'",
        "tests/web.yaml: expected failure renders":
            "rendered, but a failure with 'boom' was expected",
        "tests/web.yaml: fails differently": messages["tests/web.yaml: fails differently"],
    }  # fmt: skip
    assert "without 'boom'" in messages["tests/web.yaml: fails differently"]
    assert "'name' is a required property" in messages["tests/web.yaml: fails differently"]


def test_a_bad_test_file_is_a_problem_naming_file_line_and_path(repo: RepoBuilder, cli: Cli):
    repo.template("web")
    repo.write({"templates/web/tests/web.yaml": "cases:\n  - name: x\n    asserts:\n"
                "      - {contain: typo}\n"})  # fmt: skip
    result = cli("test", code=1)
    assert "templates/web/tests/web.yaml:4: cases[0].asserts[0]" in result.stdout + result.stderr


def test_min_confidence_and_junit(tested: RepoBuilder, cli: Cli, tmp_path: Path):
    junit = tmp_path / "junit.xml"
    cli("test", "--min-confidence", "0.4", "--junit", str(junit))
    result = cli("test", "--min-confidence", "0.5", code=1)
    assert "web: confidence below --min-confidence 0.5" in result.stderr
    root = ET.parse(junit).getroot()
    assert root.get("tests") == "3"
    assert root.get("failures") == "0"
    assert [c.get("name") for c in root.iter("testcase")] == [
        "default", "tests/web.yaml: Three replicas", "tests/web.yaml: bad replicas"]  # fmt: skip


def test_the_job_summary_is_written_under_github_actions(
    tested: RepoBuilder, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    cli("test")
    assert "| web | passed | 3/3 | 0.439 |" in summary.read_text()


def test_the_simulator_finds_a_planted_bug_and_shrinks_it(repo: RepoBuilder, cli: Cli):
    """The body fails only when the optional `tls` is absent."""
    repo.template("web", "name: {{ name }}\ncert: {{ tls.cert }}\n")
    meta = repo.path / "templates/web/template.yaml"
    meta.write_text(meta.read_text().replace(
        "    replicas:", "    tls: {type: object, properties: {cert: {type: string}}, "
        "required: [cert]}\n    replicas:").replace("values: {name: web}",
        "values: {name: web, tls: {cert: x}}"))  # fmt: skip
    result = cli("test", "--simulate", "50", "--seed", "7", code=1)
    assert 'minimal values: {"name": ""}' in result.stdout
    assert "'tls' is undefined" in result.stdout
    assert "reproduce: gitops-templates test web --simulate 50 --seed 7" in result.stdout
    sim = Catalog(repo.path).test(simulate=50, seed=7).templates[0].simulation
    assert sim is not None
    assert sim.minimal_values == {"name": ""}


def test_simulated_values_get_the_defaults_beside_refs(repo: RepoBuilder, cli: Cli):
    """hypothesis-jsonschema rewrites `$ref`s in the schema it gets: never ours."""
    repo.template("alerts", "sev: {{ sev }}\nname: {{ name | to_json }}\n")
    meta = repo.path / "templates/alerts/template.yaml"
    meta.write_text(meta.read_text().replace(
        "  type: object\n", "  type: object\n  $defs: {sev: {enum: [page, ticket]}}\n", 1
    ).replace("    replicas:", "    sev: {$ref: '#/$defs/sev', default: ticket}\n    replicas:"))  # fmt: skip
    result = cli("test", "--simulate", "20", "--seed", "3")
    assert "alerts" in result.stdout
    assert "FAIL" not in result.stdout
    assert "sev: ticket\n" in cli("render", "alerts", "--set", "name=x").stdout


def test_the_same_seed_gives_the_same_values():
    from gitops_templates.testing.simulate import generate_values

    schema = {"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "string"}}}
    first, second, other = (generate_values(schema, 20, seed) for seed in (1, 1, 2))
    assert first == second
    assert first[0] != other[0]
    assert len(first[0]) >= 10


def test_a_backtracking_pattern_cannot_hang_the_simulator(
    repo: RepoBuilder, cli: Cli, monkeypatch: pytest.MonkeyPatch
):
    from gitops_templates.testing import simulate

    monkeypatch.setattr(simulate, "BASE_BUDGET", 3.0)
    monkeypatch.setattr(simulate, "PER_VALUE_BUDGET", 0.0)
    repo.template("web", "x: 1\n")
    meta = repo.path / "templates/web/template.yaml"
    meta.write_text(meta.read_text().replace(
        "    name: {type: string, description: Service name.}",
        "    name: {type: string, allOf: [{pattern: '^a{40,60}$'}, {pattern: '^(a|a)+b$'}]}",
    ))  # fmt: skip
    start = time.monotonic()
    result = cli("test", "--simulate", "30", code=1)
    assert time.monotonic() - start < 20
    assert "values cannot be generated" in result.stdout


def test_schemas_the_generator_cannot_use_are_reported(repo: RepoBuilder, cli: Cli):
    repo.template("web")
    meta = repo.path / "templates/web/template.yaml"
    meta.write_text(meta.read_text().replace(
        "    name: {type: string, description: Service name.}",
        "    name: {type: string, description: Service name., pattern: '^[a-z]+$', minLength: 60}"
    ).replace("values: {name: web}", f"values: {{name: {'a' * 60}}}"))  # fmt: skip
    result = cli("test", "--simulate", "10", code=1)
    assert "FAIL simulated: /:" in result.stdout


def test_a_reference_outside_the_schema_is_reported_where_it_is(repo: RepoBuilder, cli: Cli):
    repo.template("web")
    meta = repo.path / "templates/web/template.yaml"
    meta.write_text(meta.read_text().replace(
        "    replicas: {type: integer, minimum: 1, default: 1, description: Pod count.}",
        "    replicas: {$ref: 'https://example.com/replicas.json'}"))  # fmt: skip
    result = cli("test", "--simulate", "10", code=1)
    assert ("FAIL simulated: /properties/replicas/$ref: values cannot be generated: $ref "
            "'https://example.com/replicas.json' is not in the schema") in result.stdout  # fmt: skip


def test_shards_split_the_catalog_and_timings_balance_them(repo: RepoBuilder, cli: Cli,
                                                           tmp_path: Path):  # fmt: skip
    for tid in ("a", "b", "c", "d", "e"):
        repo.template(tid)
    shards = [cli.json("test", "--shard", f"{i}/2")["templates"] for i in (1, 2)]
    tested = sorted(t["template"] for shard in shards for t in shard)
    assert tested == ["a", "b", "c", "d", "e"]
    assert all(t["seconds"] >= 0 for shard in shards for t in shard)
    timings = tmp_path / "timings.json"
    timings.write_text(json.dumps({"a": 10, "b": 1, "c": 1, "d": 1, "e": 1}))
    first = cli.json("test", "--shard", "1/2", "--timings", str(timings))
    assert [t["template"] for t in first["templates"]] == ["a"]
    assert first["shard"] == "1/2"
    assert "expected I/N" in cli("test", "--shard", "3/2", code=2).stderr


def test_plan_prints_the_changed_templates_as_a_matrix(repo: RepoBuilder, cli: Cli):
    for tid in ("a", "b"):
        repo.template(tid)
    repo.commit("feat: two")
    repo.tag("a@1.0.0", message="1.0.0")
    repo.tag("b@1.0.0", message="1.0.0")
    repo.write({"templates/b/body.yaml.j2": "changed: {{ name }}\n"})
    repo.commit("test(b): a change that releases nothing")
    matrix = json.loads(cli("plan", "--github-matrix").stdout)
    assert matrix == {"include": [{"templates": "b"}]}


def test_a_large_matrix_is_spread_over_at_most_256_jobs():
    from gitops_templates.testing.core.shards import github_matrix

    ids = [f"t{i:04d}" for i in range(1000)]
    jobs = github_matrix(ids)["include"]
    assert len(jobs) == 256
    assert sorted(t for job in jobs for t in job["templates"].split()) == ids
    assert github_matrix([]) == {"include": []}
