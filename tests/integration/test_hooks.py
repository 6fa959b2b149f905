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
