"""The commit-msg hook through a real `git commit`."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from tests.helpers import RepoBuilder


@pytest.fixture
def hooked(repo: RepoBuilder) -> RepoBuilder:
    repo.template("web")
    repo.commit("feat(web): first")
    hook = repo.path / ".git" / "hooks" / "commit-msg"
    hook.write_text(
        f'#!/bin/sh\nexec "{sys.executable}" -m gitops_templates hook commit-msg "$1"\n'
    )
    hook.chmod(hook.stat().st_mode | stat.S_IEXEC)
    return repo


def commit(repo: RepoBuilder, message: str) -> subprocess.CompletedProcess[str]:
    (repo.path / "templates/web/body.yaml.j2").write_text(message)
    repo.run("add", "-A")
    return subprocess.run(["git", "commit", "-q", "-F", "-"], cwd=repo.path, input=message,
                          capture_output=True, text=True, check=False, env=os.environ.copy())  # fmt: skip


def test_a_near_miss_aborts_the_commit_with_the_hint(hooked: RepoBuilder):
    head = hooked.head()
    proc = commit(hooked, "feat(web): drop replicas\n\nBREAKING CHANGES: replicas is gone\n")
    assert proc.returncode != 0
    assert "breaking-change-footer" in proc.stderr
    assert "BREAKING-CHANGE:" in proc.stderr
    assert hooked.head() == head


def test_a_good_message_commits_and_a_scope_typo_only_warns(hooked: RepoBuilder):
    proc = commit(hooked, "fix(wbe): typo\n")
    assert proc.returncode == 0, proc.stderr
    assert "did you mean `web`?" in proc.stderr
    assert hooked.run("log", "-1", "--format=%s").strip() == "fix(wbe): typo"


def test_hooks_install_writes_runnable_hooks_and_is_idempotent(repo: RepoBuilder, cli):
    repo.template("web")
    repo.commit("feat(web): first")
    first = cli.json("hooks", "install")
    assert {h["name"]: h["action"] for h in first["hooks"]} == {"commit-msg": "created",
                                                                 "pre-push": "created"}  # fmt: skip
    again = cli.json("hooks", "install")
    assert {h["action"] for h in again["hooks"]} == {"unchanged"}
    proc = commit(repo, "feat(web) missing colon\n")
    assert proc.returncode != 0
    assert "header-format" in proc.stderr


def test_a_foreign_hook_is_never_replaced_silently(repo: RepoBuilder, cli):
    repo.template("web")
    repo.commit("feat(web): first")
    hooks_dir = repo.path / "shared-hooks"
    hooks_dir.mkdir()
    repo.run("config", "core.hooksPath", str(hooks_dir))
    foreign = hooks_dir / "commit-msg"
    foreign.write_text('#!/bin/sh\necho "team hook ran" >&2\n')
    foreign.chmod(0o755)
    result = cli("hooks", "install", code=4)
    assert "commit-msg" in result.stderr
    assert "--force" in result.stderr
    assert foreign.read_text() == '#!/bin/sh\necho "team hook ran" >&2\n'
    assert not (hooks_dir / "pre-push").exists()  # all or nothing
    chained = cli.json("hooks", "install", "--force")
    assert {h["name"]: h["action"] for h in chained["hooks"]}["commit-msg"] == "chained"
    assert (hooks_dir / "commit-msg.pre-gitops-templates").read_text().startswith("#!/bin/sh")
    proc = commit(repo, "fix(web): fine\n")
    assert proc.returncode == 0, proc.stderr
    assert "team hook ran" in proc.stderr  # the foreign hook still runs, first
    bad = commit(repo, "Fix: capital type\n")
    assert bad.returncode != 0
    assert "team hook ran" in bad.stderr


def test_lint_commits_checks_every_message_of_a_range(repo: RepoBuilder, cli):
    repo.template("web")
    base = repo.commit("feat(web): first")
    repo.write({"templates/web/body.yaml.j2": "a\n"})
    repo.commit("fix(web): fine")
    repo.write({"templates/web/body.yaml.j2": "b\n"})
    repo.commit("Fixed stuff\n\nBREAKING CHANGES: oops")
    report = cli.json("lint-commits", f"{base}..HEAD", code=3)
    assert [c["subject"] for c in report["commits"]] == ["fix(web): fine", "Fixed stuff"]
    assert [c["ok"] for c in report["commits"]] == [True, False]
    assert {i["rule"] for i in report["commits"][1]["issues"]} >= {"header-format"}
    text = cli("lint-commits", f"{base}..HEAD", code=3)
    assert "2 commit(s) checked, 1 with errors" in text.stderr
    assert "commit aborted" not in text.stderr  # nothing is being committed here
    assert "three dots" in cli("lint-commits", f"{base}...HEAD", code=3).stderr
