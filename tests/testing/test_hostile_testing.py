"""What an adversarial try of `test`, `shadow` and `bench` found, each now handled."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.helpers import RepoBuilder


@pytest.fixture
def web(repo: RepoBuilder) -> RepoBuilder:
    repo.template("web", "name: {{ name | to_json }}\n")
    repo.commit("feat(web): first")
    repo.tag("web@1.0.0", message="1.0.0")
    return repo


def cases(repo: RepoBuilder, text: str, name: str = "web.yaml") -> None:
    repo.write({f"templates/web/tests/{name}": text})


def test_huge_shard_counts_are_refused_or_cheap(web: RepoBuilder, cli: Cli, tmp_path: Path):
    timings = tmp_path / "t.json"
    timings.write_text(json.dumps({"web": 1.0}))
    assert "expected I/N" in cli("test", "--shard", "1/99999999999999999999", code=2).stderr
    assert "expected I/N" in cli("test", "--shard", "١/٢", code=2).stderr
    start = time.monotonic()
    report = cli.json("test", "--shard", "2/10000", "--timings", str(timings))
    assert time.monotonic() - start < 10
    assert report["templates"] == []


@pytest.mark.parametrize(
    "content",
    [
        '{"templates": [{"template": ["x"], "seconds": 1}]}',
        "[" * 100000 + "]" * 100000,
        '{"web": NaN}',
        '{"web": -1}',
        '{"web": true}',
        '{"web": 1e308}',
    ],
)
def test_bad_timings_are_usage_errors(web: RepoBuilder, cli: Cli, tmp_path: Path, content: str):
    timings = tmp_path / "t.json"
    timings.write_text(content)
    result = cli("test", "--shard", "1/2", "--timings", str(timings), code=2)
    assert "--timings" in result.stderr


def test_many_slow_matches_share_one_budget(web: RepoBuilder, cli: Cli):
    slow = "\n".join(f"      - matches: '(a|aa)+(a|aa)+(a|aa)+b{i}'" for i in range(100))
    cases(web, f"cases:\n  - name: slow\n    values: {{name: {'a' * 60}-}}\n    asserts:\n"
               f"{slow}\n")  # fmt: skip
    start = time.monotonic()
    result = cli("test", code=1)
    assert time.monotonic() - start < 15  # 100 matches of 65 ms each would still fit; the
    assert "takes more than" in result.stdout  # point: no pattern runs past the shared 2 s


def test_junit_and_summary_survive_hostile_names(web: RepoBuilder, cli: Cli, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch):  # fmt: skip
    cases(web, 'cases:\n  - name: "<b>]]> & \\u2028 ::warning::x"\n    values: {name: a}\n'
               "    asserts: [{contains: nope}]\n")  # fmt: skip
    junit = tmp_path / "junit.xml"
    cli("test", "--junit", str(junit), code=1)
    names = [c.get("name") for c in ET.parse(junit).getroot().iter("testcase")]
    assert "tests/web.yaml: <b>]]> & \u2028 ::warning::x" in names
    assert "must be" not in cli("test", "--junit", str(tmp_path / "no" / "x.xml"), code=2).stderr
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / "no" / "summary.md"))
    result = cli("test", code=1)
    assert "cannot write the job summary" in result.stderr
    assert result.stdout.startswith("::stop-commands::")


def test_control_characters_in_case_names_are_refused(web: RepoBuilder, cli: Cli):
    cases(web, 'cases:\n  - name: "a\\u0001b"\n    values: {name: a}\n')
    result = cli("test", code=1)
    assert "cases[0].name" in result.stdout + result.stderr


def test_a_snapshot_that_cannot_be_written_fails_its_case_only(web: RepoBuilder, cli: Cli):
    cases(web, "cases:\n  - name: snap\n    values: {name: a}\n    asserts: [{snapshot: true}]\n")
    web.write({"templates/web/tests/__snapshots__": "a file, not a directory"})
    result = cli("test", code=1)
    assert "snapshot templates/web/tests/__snapshots__/web.yaml/snap.snap refused" in result.stdout
    assert "Traceback" not in result.stderr


def test_test_files_of_the_same_stem_keep_their_own_snapshots(web: RepoBuilder, cli: Cli):
    case = "cases:\n  - name: x\n    values: {name: %s}\n    asserts: [{snapshot: true}]\n"
    cases(web, case % "a", "a.yaml")
    cases(web, case % "b", "a.yml")
    cli("test")
    cli("test")  # the second run matches both
    snapshots = web.path / "templates/web/tests/__snapshots__"
    assert sorted(p.relative_to(snapshots).as_posix() for p in snapshots.rglob("*.snap")) == [
        "a.yaml/x.snap", "a.yml/x.snap"]  # fmt: skip


def test_empty_version_specs_are_usage_errors(web: RepoBuilder, cli: Cli):
    assert "--challenger" in cli("shadow", "web", "--champion", "1.0.0", "--challenger", "",
                                 code=2).stderr  # fmt: skip
    cli("bench", "web", "", "HEAD", code=2)


def test_a_benchmark_that_cannot_fit_its_budget_is_refused(
    web: RepoBuilder, cli: Cli, monkeypatch: pytest.MonkeyPatch
):
    from gitops_templates.testing import bench

    monkeypatch.setattr(bench, "BUDGET", 0.000001)
    assert "would take more than" in cli("bench", "web", "1.0.0", "HEAD", code=3).stderr


def test_a_slow_pattern_in_a_schema_fails_that_template_only(repo: RepoBuilder, cli: Cli):
    repo.template("ok", "name: {{ name | to_json }}\n")
    repo.template("web", "x: 1\n")
    meta = repo.path / "templates/web/template.yaml"
    meta.write_text(meta.read_text().replace(
        "    name: {type: string, description: Service name.}",
        "    name: {type: string, pattern: '^(a|a)+c$'}"))  # fmt: skip
    report = cli.json("test", "--simulate", "5", code=1)
    status = {t["template"]: t["passed"] == t["total"] for t in report["templates"]}
    assert status == {"ok": True, "web": False}
