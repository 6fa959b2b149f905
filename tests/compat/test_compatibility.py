"""Declared vs detected through real repositories: plan, release, diff, policies, waivers."""

from __future__ import annotations

import pytest

from tests.helpers import RepoBuilder


def drop_replicas(repo: RepoBuilder, tid: str = "web") -> None:
    path = repo.path / "templates" / tid / "template.yaml"
    path.write_text(path.read_text().replace(
        "    replicas: {type: integer, minimum: 1, default: 1, description: Pod count.}\n", ""))  # fmt: skip


@pytest.fixture
def released(repo: RepoBuilder, cli):
    repo.template("web")
    repo.commit("feat(web): first")
    cli("release")
    return repo


def test_undeclared_breaking_change_fails_plan_with_exit_6(released, cli):
    drop_replicas(released)
    released.commit("fix(web): tidy parameters")
    result = cli("plan", code=6)
    assert "param-removed" in result.stderr
    assert "/parameters/properties/replicas" in result.stderr
    assert "BREAKING-CHANGE" in result.stderr


def test_breaking_footer_makes_it_pass_with_the_zero_x_rule(released, cli):
    drop_replicas(released)
    released.commit("fix(web): tidy parameters", trailers={"BREAKING-CHANGE": "replicas is gone"})
    plan = cli.json("plan")
    [item] = plan["releases"]
    assert (item["current"], item["next"]) == ("0.1.0", "0.2.0")  # breaking -> minor in 0.x
    assert item["detected"] == "breaking"
    assert item["compatibility"] == "breaking"
    assert item["findings"][0]["counterexample"]["value"] == {"name": "x", "replicas": 1}
    cli("release")
    message = released.run("tag", "-l", "--format=%(contents)", "web@0.2.0")
    assert "Compatibility: breaking" in message
    assert "breaking: param-removed at /properties/replicas" in message


def test_escalate_raises_the_version_and_says_why(released, cli):
    released.write({"gitops-templates.yaml": "compatibility: escalate\ninitial_version: '1.0.0'\n"})
    released.commit("chore: config", trailers={"Release": "none"})
    drop_replicas(released)
    released.commit("fix(web): tidy parameters")
    plan = cli.json("plan")
    [item] = plan["releases"]
    assert item["level"] == "minor"
    assert "escalated" in item["reason"]
    assert any(w["code"] == "compatibility-escalated" for w in plan["warnings"])


def test_waiver_footer_accepts_a_finding_and_shows_in_the_changelog(released, cli):
    drop_replicas(released)
    released.commit("fix(web): tidy parameters",
                    trailers={"Compatibility-Waiver": "param-removed /properties/replicas"})  # fmt: skip
    [item] = cli.json("plan")["releases"]
    assert item["next"] == "0.1.1"
    assert item["detected"] == "none"
    assert "### Compatibility waivers" in item["changelog"]


def test_rule_overrides_file_demotes_a_rule(released, cli):
    released.write({".gitops-templates/compatibility-rules.yaml": "param-removed: info\n"})
    released.commit("chore: rules", trailers={"Release": "none"})
    drop_replicas(released)
    released.commit("feat(web): fewer knobs")
    [item] = cli.json("plan")["releases"]
    assert item["detected"] == "minor"
    assert item["next"] == "0.2.0"


def test_unknown_rule_in_overrides_is_exit_3_with_file_and_line(released, cli):
    released.write(
        {".gitops-templates/compatibility-rules.yaml": "param-removed: info\nno-such-rule: err\n"}
    )
    drop_replicas(released)
    released.commit("feat(web): fewer knobs")
    result = cli("plan", code=3)
    assert "compatibility-rules.yaml:2" in result.stderr
    assert "no-such-rule" in result.stderr


def add_param(repo: RepoBuilder, line: str) -> None:
    path = repo.path / "templates/web/template.yaml"
    anchor = "    name: {type: string, description: Service name.}\n"
    path.write_text(path.read_text().replace(anchor, anchor + line))


def test_only_the_new_parameter_counts_against_the_latest_version(repo, cli):
    repo.write({"gitops-templates.yaml": "initial_version: '1.0.0'\n"})
    repo.template("web")
    repo.commit("feat(web): first")
    cli("release")
    drop_replicas(repo)
    repo.commit("fix(web)!: drop replicas")
    cli("release")  # 2.0.0
    add_param(repo, "    extra: {type: string}\n")
    repo.commit("feat(web): extra")
    [item] = cli.json("plan")["releases"]
    assert item["next"] == "2.1.0"
    assert item["detected"] == "minor"


def waived_removal_then_retyped(repo: RepoBuilder, cli, config: str) -> None:
    """1.0.0 (replicas: integer), 1.0.1 (removal waived), HEAD: replicas back as a string."""
    repo.write({"gitops-templates.yaml": config})
    repo.template("web")
    repo.commit("feat(web): first")
    cli("release")  # 1.0.0: replicas is an integer
    drop_replicas(repo)
    repo.commit("fix(web): drop replicas",
                trailers={"Compatibility-Waiver": "param-removed /properties/replicas"})  # fmt: skip
    cli("release")  # 1.0.1: the removal was waived
    add_param(repo, "    replicas: {type: string}\n")
    repo.commit("feat(web): replicas again, as a string")


def test_transitive_check_catches_a_type_change_across_the_major_line(repo, cli):
    waived_removal_then_retyped(repo, cli, "initial_version: '1.0.0'\n")
    # against 1.0.1 this only adds an optional parameter; against 1.0.0 the type changed
    result = cli("plan", code=6)
    assert "type-changed" in result.stderr
    assert "(against 1.0.0)" in result.stderr


def test_diff_reports_work_tree_against_latest_version(released, cli):
    drop_replicas(released)
    (released.path / "templates/web/notes.md").write_text("x\n")
    data = cli.json("diff", "web")
    assert data["from"] == "0.1.0"
    assert data["to"] == "work tree"
    assert data["compatibility"] == "breaking"
    assert data["files"] == {"added": ["notes.md"], "removed": [], "modified": ["template.yaml"]}
    cli("diff", "web", "--fail-on", "breaking", code=6)
    assert cli.json("diff", "web", "0.1.0", "HEAD")["compatibility"] == "none"


def test_diff_of_an_invalid_parameter_schema_is_exit_3(released, cli):
    path = released.path / "templates/web/template.yaml"
    path.write_text(
        path.read_text().replace("type: integer, minimum: 1", "type: integer, minimum: one")
    )
    result = cli("diff", "web", code=3)
    assert "template.yaml" in result.stderr
    assert "parameters" in result.stderr


def test_diff_of_a_remote_ref_is_exit_3_and_never_fetched(released, cli):
    path = released.path / "templates/web/template.yaml"
    path.write_text(path.read_text().replace(
        "{type: string, description: Service name.}", "{$ref: 'https://example.invalid/name.json'}"))  # fmt: skip
    result = cli("diff", "web", code=3)
    assert "remote $ref" in result.stderr


def test_diff_without_a_release_is_exit_5(repo, cli):
    repo.template("web")
    repo.commit("feat(web): first")
    cli("diff", "web", code=5)


def test_verify_reports_a_release_bumped_less_than_its_change(repo, cli):
    repo.write({"gitops-templates.yaml": "compatibility: warn\ninitial_version: '1.0.0'\n"})
    repo.template("web")
    repo.commit("feat(web): first")
    cli("release")
    assert cli.json("verify")["ok"] is True
    drop_replicas(repo)
    repo.commit("fix(web): tidy parameters")  # undeclared removal; `warn` lets it through
    cli("release")  # 1.0.1
    result = cli("verify", code=6)
    assert "under-bumped" in result.stdout
    assert "web@1.0.1" in result.stdout
    assert "param-removed at /properties/replicas" in result.stdout
    [check] = [c for c in cli.json("verify", code=6)["checks"] if c["status"] == "under-bumped"]
    assert check["tag"] == "web@1.0.1"
    assert "breaking change against 1.0.0 released as a patch bump" in check["detail"]


def test_verify_honours_waivers_and_the_zero_x_rules(released, cli):
    drop_replicas(released)
    released.commit("fix(web): drop replicas",
                    trailers={"Compatibility-Waiver": "param-removed /properties/replicas"})  # fmt: skip
    cli("release")  # 0.1.1: waived
    add_param(released, "    port: {type: integer}\n")
    released.commit("fix(web)!: port")  # 0.2.0: breaking -> minor in 0.x
    cli("release")
    checks = cli.json("verify")["checks"]
    assert [c["tag"] for c in checks] == ["web@0.2.0", "web@0.1.1", "web@0.1.0"]
    assert {c["status"] for c in checks} == {"ok"}


def test_verify_checks_the_whole_line_of_a_release(repo, cli):
    waived_removal_then_retyped(repo, cli, "compatibility: warn\ninitial_version: '1.0.0'\n")
    cli("release")  # 1.1.0: fine against 1.0.1, a type change against 1.0.0
    [check] = [c for c in cli.json("verify", code=6)["checks"] if c["status"] == "under-bumped"]
    assert check["tag"] == "web@1.1.0"
    assert "(against 1.0.0)" in check["detail"]
