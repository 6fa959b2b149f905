"""Rollback and roll-forward through real repositories: revert-and-tag, yanks, trailers."""

from __future__ import annotations

import pytest

from tests.helpers import RepoBuilder


def edit(repo: RepoBuilder, tid: str, body: str) -> None:
    repo.write({f"templates/{tid}/body.yaml.j2": body})


@pytest.fixture
def interleaved(repo: RepoBuilder, cli) -> RepoBuilder:
    """web and db with interleaved history; web@0.3.1 is the bad release."""
    repo.template("web").template("db")
    repo.commit("feat: web and db")
    cli("release")  # web@0.1.0 db@0.1.0
    edit(repo, "web", "name: {{ name }}\nkind: v2\n")
    repo.commit("feat(web): kind v2")
    cli("release")  # web@0.2.0
    edit(repo, "web", "name: {{ name }}\nkind: v3\n")
    edit(repo, "db", "name: {{ name }}\nengine: pg\n")
    repo.commit("feat: web v3 and db engine")  # touches both
    cli("release")  # web@0.3.0 db@0.2.0
    edit(repo, "db", "name: {{ name }}\nengine: pg16\n")
    repo.commit("fix(db): pg16")
    cli("release")  # db@0.2.1
    edit(repo, "web", "name: {{ name }}\nkind: v3\nbroken: true\n")
    repo.write({"README.md": "catalog\n"})
    repo.commit("fix(web): the bad one")
    cli("release")  # web@0.3.1
    return repo


def tree(repo: RepoBuilder, rev: str, path: str) -> str:
    return repo.run("rev-parse", f"{rev}:{path}").strip()


def trailers(repo: RepoBuilder, rev: str) -> str:
    return repo.run("log", "-1", "--format=%(trailers:only,unfold)", rev)


def test_rollback_restores_only_the_template_directory(interleaved: RepoBuilder, cli):
    repo = interleaved
    before_head = repo.head()
    refs_before = {line for line in repo.refs().splitlines() if "refs/tags/" in line}
    db_before = tree(repo, "HEAD", "templates/db")
    data = cli.json("rollback", "web", "--to", "0.2.0", "--reason", "renders broken YAML")
    assert data["tag"] == "web@0.3.2"
    assert repo.run("rev-parse", "HEAD^").strip() == before_head  # ONE new commit
    assert tree(repo, "HEAD", "templates/web") == tree(repo, "web@0.2.0", "templates/web")
    assert tree(repo, "HEAD", "templates/db") == db_before
    assert repo.run("show", "HEAD:README.md") == "catalog\n"
    changed = repo.run("diff", "--name-only", before_head, "HEAD").split()
    assert changed == [".gitops-templates/yanked.yaml", "templates/web/body.yaml.j2"]
    refs_after = {line for line in repo.refs().splitlines() if "refs/tags/" in line}
    assert refs_before < refs_after  # every earlier tag still where it was
    assert refs_after - refs_before == {f"refs/tags/web@0.3.2 {data['tag_object']}"}
    assert data["backup_ref"].startswith("refs/gitops-templates/backup/")
    assert repo.run("rev-parse", data["backup_ref"]).strip() == before_head
    plan = data["plan"]
    assert [c["subject"] for c in plan["undone_commits"]] == [
        "fix(web): the bad one", "feat: web v3 and db engine",
    ]  # fmt: skip
    assert plan["undone_commits"][1]["also_touched"] == ["db"]
    assert plan["untouched_templates"] == ["db"]
    assert repo.run("status", "--porcelain") == ""  # index and work tree follow HEAD


def test_rollback_records_trailers_yank_and_tag_message(interleaved: RepoBuilder, cli):
    repo = interleaved
    cli("rollback", "web", "--to", "0.2.0", "--reason", "renders broken YAML")
    assert repo.run("log", "-1", "--format=%s").strip() == "revert(web): roll back to web@0.2.0"
    found = trailers(repo, "HEAD")
    for line in ("Template: web", "Rollback-Of: web@0.3.1", "Rollback-To: web@0.2.0",
                 "Rollback-Reason: renders broken YAML"):  # fmt: skip
        assert line in found
    assert "Rollback-Emergency" not in found
    message = repo.run("tag", "-l", "--format=%(contents)", "web@0.3.2")
    assert "Rollback-Of: web@0.3.1" in message
    assert f"Template-Tree: {tree(repo, 'web@0.2.0', 'templates/web')}" in message
    yanked = repo.run("show", "HEAD:.gitops-templates/yanked.yaml")
    assert "version: 0.3.1" in yanked
    assert "by: web@0.3.2" in yanked
    assert cli.json("verify", "web")["ok"] is True  # the new tag's digest checks out
    [item] = [s for s in cli.json("status")["components"] if s["id"] == "web"]
    assert item["current"] == "0.3.2"
    assert item["next"] is None  # the rollback commit is released by its own tag


def test_history_marks_yanked_versions_and_rollbacks(interleaved: RepoBuilder, cli):
    cli("rollback", "web", "--to", "0.2.0", "--reason", "bad")
    versions = {v["version"]: v for v in cli.json("history", "web")["versions"]}
    assert versions["0.3.1"]["yanked"] is True
    assert versions["0.3.2"]["rollback"] == {"of": "web@0.3.1", "to": "web@0.2.0", "reason": "bad"}
    assert versions["0.2.0"]["yanked"] is False
    text = cli("history", "web").stdout
    assert "yanked" in text
    assert "rollback of web@0.3.1" in text


def test_rollforward_brings_the_rolled_back_content_back(interleaved: RepoBuilder, cli):
    repo = interleaved
    bad_tree = tree(repo, "web@0.3.1", "templates/web")
    cli("rollback", "web", "--to", "0.2.0", "--reason", "false alarm")
    data = cli.json("rollforward", "web")
    assert data["tag"] == "web@0.3.3"
    assert tree(repo, "HEAD", "templates/web") == bad_tree
    assert "Rollforward-Of: web@0.3.2" in trailers(repo, "HEAD")
    assert repo.run("ls-tree", "HEAD", ".gitops-templates/") == ""  # nothing yanked: file gone
    assert repo.run("status", "--porcelain") == ""
    assert not (repo.path / ".gitops-templates/yanked.yaml").exists()
    assert cli.json("history", "web")["versions"][2]["yanked"] is False  # 0.3.1
    result = cli("rollforward", "web", code=5)
    assert "no rollback to undo" in result.stderr


def test_dry_run_prints_the_plan_and_changes_nothing(interleaved: RepoBuilder, cli):
    repo = interleaved
    refs = repo.refs()
    result = cli("rollback", "web", "--to", "0.2.0", "--dry-run")
    assert "web@0.3.2" in result.stdout
    assert "also touched db" in result.stdout
    assert "planned" in result.stdout
    assert repo.refs() == refs
    data = cli.json("rollback", "web", "--to", "0.2.0", "--dry-run")
    assert data["dry_run"] is True
    assert data["commit"] is None


def test_emergency_is_recorded_and_skips_only_slow_checks(interleaved: RepoBuilder, cli):
    data = cli.json("rollback", "web", "--to", "0.2.0", "--emergency")
    checks = {c["name"]: c["status"] for c in data["checks"]}
    assert checks["examples-valid"] == "skipped"
    assert checks["tree-equal"] == checks["metadata-valid"] == checks["clean-paths"] == "passed"
    assert "Rollback-Emergency: true" in trailers(interleaved, "HEAD")


def test_version_override_and_breaking_rollback_warning(repo: RepoBuilder, cli):
    repo.write({"gitops-templates.yaml": "initial_version: '1.0.0'\n"})
    repo.template("web")
    repo.commit("feat(web): first")
    cli("release")  # 1.0.0
    path = repo.path / "templates/web/template.yaml"
    anchor = "    name: {type: string, description: Service name.}\n"
    path.write_text(path.read_text().replace(anchor, anchor + "    port: {type: integer}\n"))
    repo.commit("feat(web): port")
    cli("release")  # 1.1.0
    result = cli("rollback", "web", "--to", "1.0.0", "--dry-run")
    assert "breaking" in result.stdout
    assert "--version 2.0.0" in result.stderr
    data = cli.json("rollback", "web", "--to", "1.0.0", "--version", "2.0.0")
    assert data["tag"] == "web@2.0.0"
    assert data["plan"]["compatibility"] == "breaking"
    cli("rollback", "web", "--to", "1.0.0", "--version", "1.5.0", code=3)  # not above 2.0.0


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("--to", "9.9.9"), 5, "no version 9.9.9"),
        (("--to", "0.3.1"), 3, "not older"),
        (("--to", "banana"), 3, "not a version"),
    ],
)
def test_bad_targets_are_refused_cleanly(interleaved, cli, args, code, words):
    refs = interleaved.refs()
    result = cli("rollback", "web", *args, code=code)
    assert words in result.stderr
    assert "Traceback" not in result.output
    assert interleaved.refs() == refs


def test_a_yanked_version_is_not_a_rollback_target(interleaved: RepoBuilder, cli):
    cli("rollback", "web", "--to", "0.3.0", "--reason", "0.3.1 broke")  # yanks 0.3.1 -> 0.3.2
    cli("rollback", "web", "--to", "0.2.0", "--reason", "0.3.x broke")  # yanks 0.3.2 -> 0.3.3
    result = cli("rollback", "web", "--to", "0.3.1", code=4)
    assert "target-not-yanked: 0.3.1 is yanked" in result.stderr
    yanked = interleaved.run("show", "HEAD:.gitops-templates/yanked.yaml")
    assert "version: 0.3.1" in yanked
    assert "version: 0.3.2" in yanked


def test_stats_count_rollbacks_failure_rate_and_time_to_restore(interleaved: RepoBuilder, cli):
    cli("rollback", "web", "--to", "0.3.0", "--reason", "latency")  # 0.3.1 -> 0.3.2
    cli("rollback", "web", "--to", "0.2.0", "--reason", "latency")  # 0.3.2 -> 0.3.3
    cli("rollforward", "web")  # 0.3.4: the second was a false alarm
    [web] = cli.json("stats", "web")["components"]
    figures = web["rollbacks"]
    assert figures["releases"] == 4  # 0.1.0 0.2.0 0.3.0 0.3.1; restoring releases not counted
    assert figures["rollbacks"] == 2
    assert figures["rolled_back_releases"] == 2  # 0.3.1 and the rollback release 0.3.2
    assert figures["change_failure_rate"] == 0.5
    assert figures["rollforwards"] == 1
    assert figures["by_reason"] == {"latency": 2}
    assert figures["time_to_restore"]["count"] == 2
    assert figures["time_to_restore"]["median_seconds"] >= 0
    assert "latency (2)" in cli("stats").stdout
    assert cli.json("stats", "web", "--since", "1d")["components"][0]["rollbacks"]["rollbacks"] == 2
    later = cli.json("stats", "web", "--since", "2999-01-01")["components"][0]["rollbacks"]
    assert later["rollbacks"] == 0
    assert later["change_failure_rate"] is None
    cli("stats", "--since", "yesterday", code=2)


def test_a_yanked_version_is_never_released_again(interleaved: RepoBuilder, cli):
    cli("rollback", "web", "--to", "0.2.0")  # yanks 0.3.1
    interleaved.run("tag", "-d", "web@0.3.2", "web@0.3.1")  # someone deletes the tags
    interleaved.write({"templates/web/body.yaml.j2": "name: {{ name }}\nkind: v4\n"})
    interleaved.commit("fix(web): v4")  # would be 0.3.1 again
    result = cli("plan", code=4)
    assert "web@0.3.1 was yanked" in result.stderr
    assert "Release-As" in result.stderr


def test_a_second_mutating_command_waits_for_the_lock(interleaved: RepoBuilder, cli):
    import json
    import os
    import socket

    lock = interleaved.path / ".git" / "gitops-templates.lock"
    owner = {"pid": os.getpid(), "host": socket.gethostname(), "time": 0, "command": "release"}
    lock.write_text(json.dumps(owner))
    result = cli("rollback", "web", "--to", "0.2.0", code=4)
    assert "another gitops-templates command holds the lock: release" in result.stderr
    lock.write_text(json.dumps({**owner, "pid": 2**22 + 12345}))  # no such process
    result = cli("rollback", "web", "--to", "0.2.0", code=4)
    assert "stale lock" in result.stderr
    lock.unlink()
    cli("rollback", "web", "--to", "0.2.0")


def test_a_rollout_in_progress_blocks_unless_aborted_in_the_same_commit(interleaved, cli):
    interleaved.write({".gitops-templates/rollouts/web.yaml": "phase: canary\nweight: 10\n"})
    interleaved.commit("chore: start a rollout", trailers={"Release": "none"})
    result = cli("rollback", "web", "--to", "0.2.0", code=4)
    assert "a rollout of web is in progress (phase 'canary')" in result.stderr
    assert "--abort-rollout" in result.stderr
    cli("rollback", "web", "--to", "0.2.0", "--abort-rollout")
    state = interleaved.run("show", "HEAD:.gitops-templates/rollouts/web.yaml")
    assert "phase: aborted" in state
    assert "weight: 10" in state


def test_rollback_works_on_a_detached_head(interleaved: RepoBuilder, cli):
    interleaved.run("checkout", "-q", "--detach")
    before = interleaved.run("rev-parse", "main").strip()
    data = cli.json("rollback", "web", "--to", "0.2.0")
    assert data["plan"]["branch"] is None
    assert interleaved.run("rev-parse", "HEAD^").strip() == before
    assert interleaved.run("rev-parse", "main").strip() == before  # the branch did not move


def test_python_api_plans_and_rolls_back(interleaved: RepoBuilder):
    from gitops_templates import Catalog

    catalog = Catalog(interleaved.path)
    plan = catalog.plan_rollback("web", "0.2.0", reason="api")
    assert (plan.current, plan.target, plan.new_tag) == ("0.3.1", "0.2.0", "web@0.3.2")
    assert not plan.failed()
    dry = catalog.rollback("web", "0.2.0", reason="api", dry_run=True)
    assert dry.commit is None
    done = catalog.rollback("web", "0.2.0", reason="api")
    assert done.commit == interleaved.head()
    assert Catalog(interleaved.path).rollforward("web").plan.new_tag == "web@0.3.3"


def test_a_change_outside_the_directory_is_named_not_silently_kept(repo: RepoBuilder, cli):
    repo.template("web", body="{% include '_shared/labels.j2' %}\n")
    repo.write({"templates/_shared/labels.j2": "team: a\n"})
    repo.commit("feat(web): first")
    cli("release")  # web@0.1.0
    repo.write({"templates/_shared/labels.j2": "team: b\n"})
    repo.commit("fix: shared labels")
    cli("release")  # web@0.1.1 through the include graph
    data = cli.json("rollback", "web", "--to", "0.1.0", "--dry-run")
    assert data["plan"]["undone_commits"] == []
    [warning] = [w for w in data["plan"]["warnings"] if w["code"] == "nothing-undone"]
    assert "shared partial" in warning["message"]


def test_a_stale_lock_points_at_recover_not_at_a_guessed_backup(interleaved: RepoBuilder, cli):
    import json

    interleaved.run("update-ref", "refs/gitops-templates/backup/20260101T000000Z", "HEAD")
    lock = interleaved.path / ".git" / "gitops-templates.lock"
    lock.write_text(json.dumps({"pid": 2**22 + 12345, "host": __import__("socket").gethostname(),
                                "time": 0, "command": "rollback"}))  # fmt: skip
    result = cli("rollback", "web", "--to", "0.2.0", code=4)
    assert "stale lock" in result.stderr
    assert "gitops-templates recover" in result.stderr
    assert "20260101T000000Z" not in result.stderr  # it may be an older command's backup


def test_verify_reports_a_restoring_commit_without_its_tag(interleaved: RepoBuilder, cli):
    cli("rollback", "web", "--to", "0.2.0")
    assert cli.json("verify")["ok"]
    interleaved.run("tag", "-d", "web@0.3.2")  # as if killed between commit and tag
    report = cli.json("verify", code=4)
    [check] = [c for c in report["checks"] if c["status"] == "untagged-restore"]
    assert check["id"] == "web"
    assert "interrupted rollback" in check["detail"]
