"""Fault injection without patching the code: hooks, dirty state, signals, a refusing remote.

Every failing rollback must leave every ref, the index and the work tree exactly as
they were: compared through `for-each-ref`, `status --porcelain=v2`, `diff`,
`diff --cached` and the bytes of every file outside `.git`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import TAG_REFUSER, RepoBuilder, git, install_hook, repo_state


@pytest.fixture
def released(repo: RepoBuilder, cli) -> RepoBuilder:
    repo.template("web").template("db")
    repo.commit("feat: web and db")
    cli("release")  # web@0.1.0
    repo.write({"templates/web/body.yaml.j2": "name: {{ name }}\nbad: true\n",
                "templates/db/body.yaml.j2": "name: {{ name }}\ndb: 2\n"})  # fmt: skip
    repo.commit("fix: web and db")
    cli("release")  # web@0.1.1 db@0.1.1
    return repo


@pytest.mark.parametrize(
    ("name", "script", "words"),
    [
        ("reference-transaction", TAG_REFUSER, "policy: no new tags"),
        ("pre-commit", "echo 'pre-commit: lint failed' >&2\nexit 1\n", "lint failed"),
        ("commit-msg", "echo 'commit-msg: no DCO' >&2\nexit 1\n", "no DCO"),
    ],
)
def test_a_failing_hook_leaves_everything_as_it_was(released, cli, name, script, words):
    install_hook(released, name, script)
    before = repo_state(released)
    result = cli("rollback", "web", "--to", "0.1.0", "--reason", "x", code=4)
    assert words in result.stderr
    assert "the repository was restored" in result.stderr
    assert repo_state(released) == before


def test_a_conflicting_untracked_file_is_refused_before_anything_changes(released, cli):
    released.write({"templates/web/notes.md": "scratch\n"})
    before = repo_state(released)
    result = cli("rollback", "web", "--to", "0.1.0", code=4)
    assert "templates/web/notes.md (untracked)" in result.stderr
    assert "nothing was changed" in result.stderr
    assert repo_state(released) == before


def test_a_dirty_index_for_the_template_is_refused(released, cli):
    released.write({"templates/web/body.yaml.j2": "staged: true\n"})
    released.run("add", "templates/web/body.yaml.j2")
    before = repo_state(released)
    result = cli("rollback", "web", "--to", "0.1.0", code=4)
    assert "clean-paths" in result.stderr
    assert repo_state(released) == before


def test_unrelated_staged_work_stays_staged_and_out_of_the_commit(released, cli):
    released.write({"templates/db/body.yaml.j2": "mine: true\n", "notes.txt": "wip\n"})
    released.run("add", "templates/db/body.yaml.j2")
    cli("rollback", "web", "--to", "0.1.0")
    assert released.run("diff", "--name-only", "HEAD^", "HEAD").split() == [
        ".gitops-templates/yanked.yaml", "templates/web/body.yaml.j2",
    ]  # fmt: skip
    assert released.run("diff", "--cached", "--name-only").split() == ["templates/db/body.yaml.j2"]
    assert (released.path / "notes.txt").read_text() == "wip\n"


def test_a_failed_post_validation_restores_and_emergency_skips_it(repo, cli):
    repo.template("web")
    repo.commit("feat(web): first")
    path = repo.path / "templates/web/template.yaml"
    path.write_text(path.read_text().replace("values: {name: web}", "values: {replicas: 2}"))
    repo.commit("fix(web): example without a name")  # examples now invalid
    cli("release")  # web@0.1.0 carries the invalid example
    path.write_text(path.read_text().replace("values: {replicas: 2}", "values: {name: web}"))
    repo.commit("fix(web): example fixed")
    cli("release")  # web@0.1.1
    before = repo_state(repo)
    result = cli("rollback", "web", "--to", "0.1.0", code=3)
    assert "examples-valid" in result.stderr
    assert "the repository was restored" in result.stderr
    assert repo_state(repo) == before
    data = cli.json("rollback", "web", "--to", "0.1.0", "--emergency")
    assert {c["name"]: c["status"] for c in data["checks"]}["examples-valid"] == "skipped"


@pytest.mark.parametrize("stage", ["post-commit", "pre-commit"])
def test_an_interrupt_during_the_commit_restores_everything(released, stage: str):
    # The hook sends SIGINT to the CLI process alone (the parent of `git commit`): after
    # the branch moved (post-commit), or while git still works (pre-commit, where git
    # must be stopped, or its commit lands after the undo). It then keeps git busy.
    install_hook(released, stage, "kill -INT $(awk '{print $4}' /proc/$PPID/stat)\nsleep 2\n")
    before = repo_state(released)
    proc = subprocess.run(
        [sys.executable, "-m", "gitops_templates", "--repo", str(released.path),
         "rollback", "web", "--to", "0.1.0"],
        capture_output=True, text=True, check=False, env=os.environ.copy(), timeout=120,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert "interrupted" in proc.stderr
    assert "Traceback" not in proc.stderr
    time.sleep(3)  # the hook's sleep is over: a git left running would have committed
    assert repo_state(released) == before


def test_push_sends_commit_and_tag_atomically_and_a_refusal_restores(
    released: RepoBuilder, cli, tmp_path: Path
):
    remote = RepoBuilder.init(tmp_path / "remote.git", bare=True)
    released.run("remote", "add", "origin", str(remote.path))
    released.run("push", "-q", "origin", "main", "--tags")
    install_hook(remote, "pre-receive", "echo 'frozen: no pushes today' >&2\nexit 1\n")
    before = repo_state(released)
    result = cli("rollback", "web", "--to", "0.1.0", "--push", code=4)
    assert "frozen" in result.stderr
    assert repo_state(released) == before
    (remote.path / "hooks" / "pre-receive").unlink()
    data = cli.json("rollback", "web", "--to", "0.1.0", "--push")
    assert data["pushed_to"] == "origin"
    assert git(remote.path, "rev-parse", "main").strip() == released.head()
    assert git(remote.path, "rev-parse", "web@0.1.2^{commit}").strip() == released.head()
