"""`recover` after a rollback killed at each step: finished, undone, or refused."""

from __future__ import annotations

import json
import os
import socket

import pytest

from tests.conftest import Cli
from tests.helpers import RepoBuilder

GONE = 2**22 + 12345  # above Linux's pid_max: never a live process


@pytest.fixture
def released(repo: RepoBuilder, cli: Cli) -> RepoBuilder:
    """web@0.1.0 and web@0.2.0 released; a rollback to 0.1.0 would make web@0.2.1."""
    repo.template("web").commit("feat: web")
    cli("release")
    repo.write({"templates/web/body.yaml.j2": "name: {{ name }}\nkind: v2\n"})
    repo.commit("feat(web): kind v2")
    cli("release")
    return repo


def state(repo: RepoBuilder) -> tuple[str, str, str, str]:
    status = repo.run("status", "--porcelain=v2")
    return (repo.refs(), status, repo.run("diff"), repo.run("diff", "--cached"))


def stale_lock(
    repo: RepoBuilder, command: str = "rollback", pid: int = GONE, host: str | None = None
) -> None:
    owner = {"pid": pid, "host": host or socket.gethostname(), "time": 0, "command": command,
             "branch": "refs/heads/main"}  # fmt: skip
    (repo.path / ".git" / "gitops-templates.lock").write_text(json.dumps(owner))


def locked(repo: RepoBuilder) -> bool:
    return (repo.path / ".git" / "gitops-templates.lock").exists()


def backups(repo: RepoBuilder) -> list[str]:
    return repo.run("for-each-ref", "--format=%(refname)", "refs/gitops-templates/").split()


def killed_before_the_tag(repo: RepoBuilder, cli: Cli) -> None:
    """The state a rollback leaves when killed after its work-tree update."""
    cli("rollback", "web", "--to", "0.1.0")
    repo.run("tag", "-d", "web@0.2.1")
    stale_lock(repo)


def test_nothing_to_recover_without_a_lock(released: RepoBuilder, cli: Cli):
    before = state(released)
    data = cli.json("recover")
    assert data["action"] == "none"
    assert state(released) == before


def test_a_running_command_is_left_alone(released: RepoBuilder, cli: Cli):
    stale_lock(released, pid=os.getpid())
    result = cli("recover", code=4)
    assert "another gitops-templates command holds the lock: rollback" in result.stderr
    assert locked(released)


def test_a_stale_lock_without_a_backup_is_freed(released: RepoBuilder, cli: Cli):
    stale_lock(released, command="release")
    before = state(released)
    data = cli.json("recover")
    assert (data["action"], data["interrupted"]) == ("unlocked", "release")
    assert not locked(released)
    assert state(released) == before
    cli("release")  # the lock no longer blocks


def test_killed_before_the_commit_removes_only_the_backup(released: RepoBuilder, cli: Cli):
    released.run("update-ref", "refs/gitops-templates/backup/20260101T000000Z", "HEAD")
    stale_lock(released)
    data = cli.json("recover")
    assert data["action"] == "unlocked"
    assert backups(released) == []
    assert not locked(released)


def test_killed_before_the_tag_is_undone_to_the_state_before(released: RepoBuilder, cli: Cli):
    before = state(released)
    killed_before_the_tag(released, cli)
    restoring = released.head()
    assert cli.json("recover", "--dry-run")["action"] == "undone"
    assert released.head() == restoring  # the dry run changed nothing
    assert locked(released)
    data = cli.json("recover")
    assert (data["action"], data["restoring_commit"]) == ("undone", restoring)
    assert state(released) == before  # refs (tags, branch, no backup), index, work tree
    assert not locked(released)
    cli("rollback", "web", "--to", "0.1.0")  # and it can be done again


def test_killed_before_the_work_tree_update_is_undone(released: RepoBuilder, cli: Cli):
    before = state(released)
    killed_before_the_tag(released, cli)
    released.run("read-tree", "-u", "--reset", "HEAD^")  # index and files still as before
    assert cli.json("recover")["action"] == "undone"
    assert state(released) == before


def test_a_tagged_restoring_commit_is_finished(released: RepoBuilder, cli: Cli):
    cli("rollback", "web", "--to", "0.1.0")
    stale_lock(released)
    before = state(released)
    data = cli.json("recover")
    assert (data["action"], data["tag"]) == ("finished", "web@0.2.1")
    assert state(released) == before  # the tag and the backup ref stay
    assert not locked(released)


def test_work_on_top_of_the_interruption_is_refused(released: RepoBuilder, cli: Cli):
    killed_before_the_tag(released, cli)
    released.write({"notes.txt": "mine\n"}).commit("docs: my own work")
    before = state(released)
    result = cli("recover", code=4)
    assert "refs/heads/main has commits on top of its untagged commit" in result.stderr
    assert "git log --oneline refs/gitops-templates/backup/" in result.stderr
    assert state(released) == before
    assert locked(released)


def test_edits_made_after_the_interruption_are_not_lost(released: RepoBuilder, cli: Cli):
    killed_before_the_tag(released, cli)
    released.write({"templates/web/body.yaml.j2": "mine\n"})
    before = state(released)
    result = cli("recover", code=4)
    assert "templates/web/body.yaml.j2 changed after the interruption" in result.stderr
    assert state(released) == before
    released.run("stash")
    assert cli.json("recover")["action"] == "undone"


def test_the_stale_lock_message_points_at_recover(released: RepoBuilder, cli: Cli):
    stale_lock(released)
    result = cli("rollback", "web", "--to", "0.1.0", code=4)
    assert "gitops-templates recover" in result.stderr


def test_python_api_recovers(released: RepoBuilder, cli: Cli):
    from gitops_templates import Catalog

    killed_before_the_tag(released, cli)
    assert Catalog(released.path).recover().action == "undone"
    assert Catalog(released.path).recover().action == "none"


def test_a_killed_rollbacks_files_are_not_blamed_on_the_user(released: RepoBuilder, cli: Cli):
    killed_before_the_tag(released, cli)
    released.run("read-tree", "-u", "--reset", "HEAD^")  # the files look like local edits
    result = cli("rollback", "web", "--to", "0.1.0", code=4)
    assert "stale lock" in result.stderr
    assert "uncommitted" not in result.stderr


def test_a_rollback_killed_by_sigkill_is_recovered(released: RepoBuilder, cli: Cli):
    import subprocess
    import sys

    before = state(released)
    hook = released.path / ".git" / "hooks" / "post-commit"  # kill -9 our process mid-way
    hook.write_text("#!/bin/sh\nkill -9 $(cut -d' ' -f4 /proc/$PPID/stat)\n")
    hook.chmod(0o755)
    argv = [sys.executable, "-m", "gitops_templates", "rollback", "web", "--to", "0.1.0"]
    killed = subprocess.run(argv, cwd=released.path, capture_output=True, check=False)
    assert killed.returncode == -9
    assert locked(released)
    assert released.run("log", "-1", "--format=%s").startswith("revert(web)")
    hook.unlink()
    scratch = released.path / ".git" / "gitops-templates"
    assert list(scratch.glob("index-*"))  # the private index the commit was built in
    assert cli.json("recover")["action"] == "undone"
    assert state(released) == before
    cli("rollback", "web", "--to", "0.1.0")
    assert not list(scratch.glob("index-*"))  # cleared by the next commit


def test_a_branch_switched_after_the_kill_does_not_fool_recover(released: RepoBuilder, cli: Cli):
    before = released.run("rev-parse", "main").strip()
    killed_before_the_tag(released, cli)
    released.run("checkout", "-q", "-b", "hotfix", "main~1")
    data = cli.json("recover")
    assert data["action"] == "undone"  # on main, where the rollback ran
    assert released.run("rev-parse", "main").strip() == before
    assert released.run("status", "--porcelain").strip() == ""  # hotfix's tree untouched
    assert backups(released) == []


def test_a_tagged_rollback_with_work_on_top_is_finished(released: RepoBuilder, cli: Cli):
    cli("rollback", "web", "--to", "0.1.0")
    released.write({"notes.txt": "mine\n"}).commit("docs: my own work")
    stale_lock(released)
    before = state(released)
    assert cli.json("recover")["action"] == "finished"
    assert state(released) == before
    assert not locked(released)


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe", b"{}", b'{"pid": 99999999999, "host": "%s", "time": 1}',
     b'{"pid": 0, "host": "%s", "time": 1}', b'{"pid": 5, "host": "%s", "time": 1e400}'],
)  # fmt: skip
def test_garbage_lock_files_are_stale_not_tracebacks(released: RepoBuilder, cli: Cli, content):
    lock = released.path / ".git" / "gitops-templates.lock"
    lock.write_bytes(content.replace(b"%s", socket.gethostname().encode()))
    os.utime(lock, (1, 1))  # older than a command needs to write its owner
    assert "stale lock" in cli("rollback", "web", "--to", "0.1.0", code=4).stderr
    assert cli.json("recover")["action"] == "unlocked"
    assert not locked(released)


def test_a_lock_directory_is_a_clear_error(released: RepoBuilder, cli: Cli):
    (released.path / ".git" / "gitops-templates.lock").mkdir()
    result = cli("recover", code=4)
    assert "is a directory, not a lock" in result.stderr
    assert "rm -r" in result.stderr


def test_a_lock_from_another_host_names_it_and_the_way_out(released: RepoBuilder, cli: Cli):
    stale_lock(released, host="build-agent-7")
    result = cli("recover", code=4)
    assert "on build-agent-7" in result.stderr
    assert "rm " in result.stderr
    assert locked(released)


def test_status_and_plan_notice_an_interrupted_rollback(released: RepoBuilder, cli: Cli):
    killed_before_the_tag(released, cli)
    for command in ("status", "plan"):
        notices = cli.json(command)["warnings"]
        [found] = [n for n in notices if n["code"] == "interrupted"]
        assert "gitops-templates recover" in found["message"]
    cli("recover")
    assert not [n for n in cli.json("status")["warnings"] if n["code"] == "interrupted"]
