"""The versioning engine on real repositories."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from gitops_templates import Catalog
from gitops_templates.core.jsonform import to_json
from tests.conftest import Cli
from tests.helpers import RepoBuilder, git


def states(cli: Cli, *args: str) -> dict[str, dict[str, Any]]:
    data = cli.json("status", *args)
    return {c["id"]: c for c in data["components"]}


def warnings(cli: Cli, *args: str) -> set[str]:
    return {w["code"] for w in cli.json("status", *args)["warnings"]}


@pytest.fixture
def catalog(repo: RepoBuilder) -> RepoBuilder:
    repo.template("web").template("db").commit("feat: initial catalog")
    repo.tag("web@1.0.0", message="web 1.0.0").tag("db@0.3.0", message="db 0.3.0")
    return repo


def test_interleaved_history_attributes_by_path(catalog: RepoBuilder, cli: Cli):
    catalog.write({"templates/web/body.yaml.j2": "a\n"}).commit("fix(web): a")
    catalog.write({"README.md": "x\n"}).commit("feat: readme only")
    catalog.write({"templates/web/body.yaml.j2": "b\n", "templates/db/body.yaml.j2": "b\n"})
    catalog.commit("feat: touch both")
    catalog.write({"templates/db/body.yaml.j2": "c\n"}).commit("docs(db): c")
    s = states(cli)
    assert [c["subject"] for c in s["web"]["unreleased"]] == ["touch both", "a"]
    assert (s["web"]["current"], s["web"]["next"], s["web"]["level"]) == ("1.0.0", "1.1.0", "minor")
    assert [c["subject"] for c in s["db"]["unreleased"]] == ["c", "touch both"]
    assert (s["db"]["current"], s["db"]["next"]) == ("0.3.0", "0.4.0")


def test_breaking_in_zero_major_is_minor_and_major_after_one(catalog: RepoBuilder, cli: Cli):
    catalog.write({"templates/web/body.yaml.j2": "a\n", "templates/db/body.yaml.j2": "a\n"})
    catalog.commit("refactor!: rename everything")
    s = states(cli)
    assert (s["web"]["next"], s["web"]["level"], s["web"]["declared"]) == (
        "2.0.0",
        "major",
        "major",
    )
    assert (s["db"]["next"], s["db"]["level"], s["db"]["declared"]) == ("0.4.0", "minor", "major")
    assert "0.x rule" in s["db"]["reason"]


def test_zero_major_config(catalog: RepoBuilder, cli: Cli):
    catalog.write({"gitops-templates.yaml": "zero_major: {breaking: major, feat: patch}\n"})
    catalog.write({"templates/db/body.yaml.j2": "a\n"}).commit("feat(db): a")
    assert states(cli)["db"]["next"] == "0.3.1"
    catalog.write({"templates/db/body.yaml.j2": "b\n"}).commit("fix(db)!: b")
    assert states(cli)["db"]["next"] == "1.0.0"


def test_bump_types_config_maps_more_types(catalog: RepoBuilder, cli: Cli):
    catalog.write({"templates/web/body.yaml.j2": "a\n"}).commit("revert(web): undo a")
    assert states(cli)["web"]["next"] is None
    catalog.write(
        {"gitops-templates.yaml": "bump_types: {feat: minor, fix: patch, revert: patch}\n"}
    )
    assert states(cli)["web"]["next"] == "1.0.1"


def test_template_trailer_release_none_and_release_as(catalog: RepoBuilder, cli: Cli):
    catalog.commit("fix: regenerate", trailers={"Template": "web"}, allow_empty=True)
    assert states(cli)["web"]["next"] == "1.0.1"
    catalog.write({"templates/db/body.yaml.j2": "a\n"})
    catalog.commit("feat(db): only a test fixture", trailers={"Release": "none"})
    assert states(cli)["db"]["next"] is None
    catalog.commit("chore: go stable", trailers={"Release-As": "db@1.0.0"}, allow_empty=True)
    db = states(cli)["db"]
    assert (db["next"], db["level"]) == ("1.0.0", "major")
    assert "Release-As" in db["reason"]


def test_release_as_below_current_is_an_error(catalog: RepoBuilder, cli: Cli):
    catalog.commit("chore: x", trailers={"Release-As": "web@0.9.0"}, allow_empty=True)
    result = cli("status", code=3)
    assert "not above" in result.stderr


def test_scope_naming_another_template_warns(catalog: RepoBuilder, cli: Cli):
    catalog.write({"templates/web/body.yaml.j2": "a\n"}).commit("fix(db): touches web")
    assert "scope-mismatch" in warnings(cli)
    assert states(cli)["db"]["next"] is None


def test_shared_partial_releases_its_includers(repo: RepoBuilder, cli: Cli):
    repo.template("web", "{% include '_shared/labels.j2' %}\n").template("db")
    repo.write({"templates/_shared/labels.j2": "team: a\n"}).commit("feat: catalog")
    repo.tag("web@1.0.0", message="m").tag("db@1.0.0", message="m")
    repo.write({"templates/_shared/labels.j2": "team: b\n"}).commit("fix: new team label")
    s = states(cli)
    assert (s["web"]["next"], s["db"]["next"]) == ("1.0.1", None)


def test_merges_walk_branch_commits_by_default(catalog: RepoBuilder, cli: Cli):
    catalog.run("checkout", "-q", "-b", "feature")
    catalog.write({"templates/web/body.yaml.j2": "a\n"}).commit("feat(web): on a branch")
    catalog.run("checkout", "-q", "main")
    catalog.write({"templates/db/body.yaml.j2": "a\n"}).commit("fix(db): on main")
    git(catalog.path, "merge", "-q", "--no-ff", "feature", "-m", "Merge branch 'feature'",
        env={"GIT_AUTHOR_DATE": "1767400000 +0000", "GIT_COMMITTER_DATE": "1767400000 +0000"})  # fmt: skip
    s = states(cli)
    assert [c["subject"] for c in s["web"]["unreleased"]] == ["on a branch"]
    assert s["web"]["next"] == "1.1.0"
    assert [c["subject"] for c in s["db"]["unreleased"]] == ["on main"]


def test_first_parent_mode_reads_the_merge_commit(catalog: RepoBuilder, cli: Cli):
    catalog.write({"gitops-templates.yaml": "first_parent: true\n"}).commit("chore: config")
    catalog.run("checkout", "-q", "-b", "feature")
    catalog.write({"templates/web/body.yaml.j2": "a\n"}).commit("wip")
    catalog.run("checkout", "-q", "main")
    git(catalog.path, "merge", "-q", "--no-ff", "feature", "-m", "feat(web): squash-like merge (#7)",
        env={"GIT_AUTHOR_DATE": "1767400000 +0000", "GIT_COMMITTER_DATE": "1767400000 +0000"})  # fmt: skip
    web = states(cli)["web"]
    assert [c["subject"] for c in web["unreleased"]] == ["squash-like merge (#7)"]
    assert web["next"] == "1.1.0"


def test_unreachable_and_lightweight_tags(catalog: RepoBuilder, cli: Cli):
    catalog.run("checkout", "-q", "-b", "side")
    catalog.write({"templates/web/body.yaml.j2": "side\n"}).commit("feat(web): side")
    catalog.tag("web@9.0.0", message="unreachable")
    catalog.run("checkout", "-q", "main")
    catalog.write({"templates/db/body.yaml.j2": "a\n"}).commit("fix(db): a")
    catalog.tag("db@0.3.1")  # lightweight, from another tool
    s = states(cli)
    assert s["web"]["current"] == "1.0.0"
    assert s["db"]["current"] == "0.3.1"
    assert s["db"]["next"] is None
    assert {"unreachable-tag", "lightweight-tag"} <= warnings(cli)


def test_prerelease_cycle_then_final(catalog: RepoBuilder, cli: Cli):
    catalog.write({"templates/web/body.yaml.j2": "a\n"}).commit("feat(web): a")
    assert cli.json("release", "web", "--pre", "rc")["released"][0]["tag"] == "web@1.1.0-rc.1"
    assert cli.json("release", "web", "--pre", "rc")["released"] == []  # nothing new
    catalog.write({"templates/web/body.yaml.j2": "b\n"}).commit("fix(web): b")
    assert cli.json("release", "web", "--pre", "rc")["released"][0]["tag"] == "web@1.1.0-rc.2"
    assert states(cli)["web"]["current"] == "1.1.0-rc.2"
    released = cli.json("release", "web")["released"][0]
    assert released["tag"] == "web@1.1.0"
    message = catalog.run("tag", "-l", "--format=%(contents)", "web@1.1.0")
    assert "- a (" in message  # the final release's changelog covers every commit since 1.0.0
    assert "- b (" in message


def test_components_and_custom_tag_formats(repo: RepoBuilder, cli: Cli):
    repo.write({
        "gitops-templates.yaml": (
            "tag_format: '{id}-v{version}'\n"
            "components:\n  app: packages/app\n  api: {path: services/api, tag_format: 'api/{version}'}\n"
        ),
        "packages/app/main.py": "x\n", "services/api/main.go": "x\n",
    }).commit("feat: two services")  # fmt: skip
    repo.tag("app-v1.0.0", message="m").tag("api/2.0.0", message="m").tag("app@5.0.0", message="m")
    repo.write({"packages/app/main.py": "y\n"}).commit("fix: app")
    s = states(cli)
    assert (s["app"]["current"], s["app"]["next"]) == ("1.0.0", "1.0.1")
    assert (s["api"]["current"], s["api"]["next"]) == ("2.0.0", None)
    assert cli.json("plan")["releases"][0]["tag"] == "app-v1.0.1"


def test_single_component_without_id_in_tag_format(repo: RepoBuilder, cli: Cli):
    repo.write(
        {"gitops-templates.yaml": "tag_format: 'v{version}'\ncomponents: {app: .}\n", "a": "1"}
    )
    repo.commit("feat: first")
    assert cli.json("release")["released"][0]["tag"] == "v0.1.0"
    repo.write({"gitops-templates.yaml": "tag_format: 'v{version}'\ncomponents: {app: ., b: b}\n"})
    result = cli("status", code=3)
    assert "has no {id}" in result.stderr


def test_invalid_utf8_message_is_a_warning_not_a_wrong_version(catalog: RepoBuilder, cli: Cli):
    catalog.write({"templates/web/body.yaml.j2": "a\n"})
    catalog.run("add", "-A")
    tree = catalog.run("write-tree").strip()
    parent = catalog.head()
    raw = (
        f"tree {tree}\nparent {parent}\nauthor A <a@b> 1767300000 +0000\n"
        "committer A <a@b> 1767300000 +0000\n\nfix(web): caf"
    ).encode() + b"\xe9\n"
    sha = subprocess.run(
        ["git", "hash-object", "-t", "commit", "-w", "--stdin"],
        cwd=catalog.path, input=raw, capture_output=True, check=True,
    ).stdout.decode().strip()  # fmt: skip
    catalog.run("update-ref", "refs/heads/main", sha)
    data = cli.json("status")
    web = {c["id"]: c for c in data["components"]}["web"]
    assert web["next"] == "1.0.1"
    assert "invalid-utf8" in {w["code"] for w in data["warnings"]}


def test_cache_reads_only_new_commits_and_survives_corruption(catalog: RepoBuilder):
    catalog.template("new").commit("feat(new): never released: the whole history matters")
    first = Catalog(catalog.path)
    first.status()
    assert first.workspace.history.new_commits == 2
    catalog.write({"templates/web/body.yaml.j2": "a\n"}).commit("fix(web): a")
    second = Catalog(catalog.path)
    assert next(s.next for s in second.status().states if s.component.id == "web") is not None
    assert (second.workspace.history.new_commits, second.workspace.history.from_cache) == (1, 2)
    cache = catalog.path / ".git" / "gitops-templates" / "commits-v1.json"
    assert json.loads(cache.read_text())["commits"]
    cache.write_text('{"key": "1:1:fp=0", "tips": ["zz"], "paths": [], "commits": [[1]]}')
    third = Catalog(catalog.path)
    assert str(third.status(["web"]).states[0].next.version) == "1.0.1"  # type: ignore[union-attr]
    assert third.workspace.history.new_commits == 3


def test_detached_head_works_for_status_and_release(catalog: RepoBuilder, cli: Cli):
    catalog.write({"templates/web/body.yaml.j2": "a\n"}).commit("fix(web): a")
    catalog.run("checkout", "-q", "--detach", "HEAD")
    assert states(cli)["web"]["next"] == "1.0.1"
    assert cli.json("release")["released"][0]["tag"] == "web@1.0.1"


def test_shallow_clone_is_refused_with_the_fix(catalog: RepoBuilder, tmp_path, cli: Cli):
    catalog.write({"templates/web/body.yaml.j2": "a\n"}).commit("fix(web): a")
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{catalog.path}", str(clone))
    result = cli("status", code=4, repo=clone)
    assert "shallow" in result.stderr
    assert "fetch-depth: 0" in result.stderr


def test_empty_repository_and_not_a_repository(tmp_path, cli: Cli):
    empty = RepoBuilder.init(tmp_path / "empty")
    assert "no commits" in cli("status", code=4, repo=empty.path).stderr
    plain = tmp_path / "plain"
    plain.mkdir()
    assert "not inside a Git repository" in cli("status", code=4, repo=plain).stderr


def test_invalid_template_directory_names_are_skipped_with_a_warning(
    catalog: RepoBuilder, cli: Cli
):
    catalog.template("Bad@Name").commit("feat: bad dir")
    data = cli.json("status")
    assert {c["id"] for c in data["components"]} == {"web", "db"}
    assert "invalid-id" in {w["code"] for w in data["warnings"]}
    assert "not a valid template id" in cli("validate", code=3).stderr


def test_commit_graph_is_written_in_the_background_unless_disabled(
    catalog: RepoBuilder, monkeypatch
):
    import time

    import gitops_templates.catalog.collecting as collecting

    monkeypatch.setattr(collecting, "COMMIT_GRAPH_THRESHOLD", 1)
    catalog.run("config", "core.commitGraph", "false")
    Catalog(catalog.path, use_cache=False).status()
    repo = Catalog(catalog.path).workspace.repo
    assert not repo.has_commit_graph()
    catalog.run("config", "--unset", "core.commitGraph")
    Catalog(catalog.path, use_cache=False).status()
    deadline = time.monotonic() + 20
    while not repo.has_commit_graph() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert repo.has_commit_graph()
    catalog.run("commit-graph", "verify")


@pytest.mark.parametrize("first_parent", [False, True])
def test_parallel_history_read_equals_one_pass(repo: RepoBuilder, monkeypatch, first_parent: bool):
    import gitops_templates.git._log as gitlog
    import gitops_templates.git.repo as gitrepo

    repo.template("web").commit("feat: web")
    for i in range(6):
        repo.run("checkout", "-q", "-b", f"b{i}")
        repo.write({f"templates/web/f{i}": "x"}).commit(f"feat(web): branch {i}")
        repo.run("checkout", "-q", "main")
        repo.write({f"m{i}": "y"}).commit(f"fix: main {i}")
        git(repo.path, "merge", "-q", "--no-ff", f"b{i}", "-m", f"Merge b{i}",
            env={"GIT_AUTHOR_DATE": f"{1767900000 + i} +0000",
                 "GIT_COMMITTER_DATE": f"{1767900000 + i} +0000"})  # fmt: skip
    gr = gitrepo.GitRepo.discover(repo.path)
    head = gr.head()
    single = gr.log([head], first_parent=first_parent)
    monkeypatch.setattr(gitlog, "PARALLEL_LOG_MIN", 2)
    assert gr._split_point(head) is not None
    split = gr.log_history(head, first_parent=first_parent)
    assert [c.sha for c in split.commits] == [c.sha for c in single.commits]
    assert split.commits == single.commits


def test_split_at_a_commit_head_does_not_reach_is_still_correct(repo: RepoBuilder, monkeypatch):
    import gitops_templates.git._log as gitlog
    import gitops_templates.git.repo as gitrepo

    repo.template("web").commit("feat: web")
    for i in range(4):
        repo.write({f"templates/web/f{i}": "x"}).commit(f"fix(web): {i}")
    repo.run("checkout", "-q", "-b", "side", "HEAD~2")
    side = repo.write({"templates/web/side": "s"}).commit("feat(web): side only")
    repo.run("checkout", "-q", "main")
    gr = gitrepo.GitRepo.discover(repo.path)
    head = gr.head()
    monkeypatch.setattr(gitlog, "PARALLEL_LOG_MIN", 2)
    split = gr.log_history(head, first_parent=False, split_hint=side)
    single = gr.log([head])
    reachable = [c for c in split.commits if c.sha != side]
    assert reachable == list(single.commits)
    assert to_json(Catalog(repo.path).status()) == to_json(
        Catalog(repo.path, use_cache=False).status()
    )
