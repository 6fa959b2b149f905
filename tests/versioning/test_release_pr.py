"""`release-pr` and `release --from-pr`: real repositories and a local bare remote."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.helpers import RepoBuilder, git, repo_state

CONFIG = "changelog:\n  file: CHANGELOG.md\n"
BRANCH = "gitops-templates/release"
PLAN = ".gitops-templates/release-plan.json"


@pytest.fixture
def origin(tmp_path: Path) -> RepoBuilder:
    return RepoBuilder.init(tmp_path / "origin.git", bare=True)


@pytest.fixture
def catalog(repo: RepoBuilder, origin: RepoBuilder, cli: Cli) -> RepoBuilder:
    repo.write({"gitops-templates.yaml": CONFIG})
    repo.template("web").template("db").commit("feat: initial catalog")
    cli("release", "--commit")  # web@0.1.0, db@0.1.0
    cli("docs")
    repo.commit("docs: regenerate")
    repo.run("remote", "add", "origin", str(origin.path))
    repo.run("push", "-q", "origin", "main", "--tags")
    return repo


def change(repo: RepoBuilder, tid: str, message: str) -> str:
    body = repo.path / f"templates/{tid}/body.yaml.j2"
    body.write_text(body.read_text() + "# x\n")
    return repo.commit(message)


def merge(repo: RepoBuilder, kind: str) -> None:
    """Merge the release branch into main as GitHub would (fast-forward, merge, squash)."""
    repo.run("fetch", "-q", "origin")
    if kind == "ff":
        repo.run("merge", "-q", "--ff-only", f"origin/{BRANCH}")
    elif kind == "merge":
        repo.run("merge", "-q", "--no-ff", "--no-edit", f"origin/{BRANCH}")
    else:
        repo.run("merge", "-q", "--squash", f"origin/{BRANCH}")
        repo.commit("chore(release): web@0.2.0 (#7)")


def test_created_updated_merged_released_and_every_step_a_no_op_again(
    catalog: RepoBuilder, origin: RepoBuilder, cli: Cli, tmp_path: Path
):
    change(catalog, "web", "feat(web): add probes")
    before = repo_state(catalog)
    before_head = catalog.run("rev-parse", "HEAD", "main")
    body = tmp_path / "body.md"
    data = cli.json("release-pr", "--push", "--body-file", str(body))
    assert data["status"] == "created"
    assert [r["tag"] for r in data["releases"]] == ["web@0.2.0"]
    assert repo_state(catalog)[1:] == before[1:]  # index and work tree unchanged
    assert catalog.run("rev-parse", "HEAD", "main") == before_head
    commit = data["commit"]
    assert origin.run("rev-parse", BRANCH).strip() == commit
    assert catalog.run("rev-parse", f"{commit}^").strip() == catalog.head()
    assert catalog.run("log", "-1", "--format=%B", commit).strip().endswith("Release: none")
    files = catalog.run("show", "--name-only", "--format=", commit).split()
    assert files == [PLAN, "TEMPLATES.md", "templates/web/CHANGELOG.md", "templates/web/README.md"]
    assert data["files"] == sorted(files)
    assert body.read_text() == data["body"]
    assert "| web | 0.1.0 | 0.2.0 | minor |" in data["body"]
    # again: nothing changes
    assert cli.json("release-pr", "--push")["status"] == "unchanged"
    assert origin.run("rev-parse", BRANCH).strip() == commit
    # one more commit: the branch is updated in place (force-with-lease)
    change(catalog, "web", "fix(web): a bug")
    catalog.run("push", "-q", "origin", "main")
    updated = cli.json("release-pr", "--push")
    assert updated["status"] == "updated"
    assert updated["commit"] != commit
    assert origin.run("rev-parse", BRANCH).strip() == updated["commit"]
    assert len(updated["releases"][0]["commits"]) == 2
    merge(catalog, "merge")
    catalog.run("push", "-q", "origin", "main")
    released = cli.json("release", "--from-pr", "--push")
    head = catalog.head()
    assert [(t["tag"], t["commit"]) for t in released["released"]] == [("web@0.2.0", head)]
    assert origin.tag_names() >= {"web@0.2.0"}
    assert cli.json("docs", "--check")["ok"] is True
    assert cli.json("plan")["releases"] == []  # the merge planned no release
    again = cli.json("release", "--from-pr", "--push")
    assert again["released"] == []
    assert [t["tag"] for t in again["already_released"]] == ["web@0.2.0"]
    nothing = cli.json("release-pr", "--push")
    assert nothing["status"] == "nothing-planned"
    assert origin.run("rev-parse", BRANCH).strip() == updated["commit"]  # nothing deleted
    message = catalog.run("tag", "-l", "--format=%(contents)", "web@0.2.0")
    assert "Release-Date: 2026-01-01" in message


@pytest.mark.parametrize("kind", ["ff", "squash"])
def test_fast_forward_and_squash_merges_release_the_plan(catalog: RepoBuilder, cli: Cli, kind: str):
    change(catalog, "db", "feat(db)!: drop the legacy port")
    catalog.run("push", "-q", "origin", "main")
    cli("release-pr", "--push")
    merge(catalog, kind)
    head = catalog.head()
    data = cli.json("release", "--from-pr")
    assert [(t["tag"], t["commit"]) for t in data["released"]] == [("db@0.2.0", head)]
    assert cli.json("docs", "--check")["ok"] is True
    text = (catalog.path / "templates/db/CHANGELOG.md").read_text()
    assert "## [0.2.0]" in text
    assert "drop the legacy port" in text
    assert cli.json("plan")["releases"] == []
    assert cli.json("release", "--from-pr")["released"] == []


def test_a_plan_whose_base_moved_is_refused(catalog: RepoBuilder, cli: Cli):
    change(catalog, "web", "feat(web): one")
    catalog.run("push", "-q", "origin", "main")
    cli("release-pr", "--push")
    change(catalog, "web", "fix(web): landed after the plan")  # main moved, PR stale
    merge(catalog, "merge")
    result = cli("release", "--from-pr", code=4)
    assert "release-pr" in result.stderr
    assert catalog.tag_names() == {"web@0.1.0", "db@0.1.0"}


def test_commits_for_other_templates_meanwhile_do_not_stop_it(catalog: RepoBuilder, cli: Cli):
    change(catalog, "web", "feat(web): one")
    catalog.run("push", "-q", "origin", "main")
    cli("release-pr", "--push")
    change(catalog, "db", "fix(db): unrelated")
    merge(catalog, "merge")
    assert [t["tag"] for t in cli.json("release", "--from-pr")["released"]] == ["web@0.2.0"]
    assert [r["tag"] for r in cli.json("plan")["releases"]] == ["db@0.1.1"]


def test_nothing_planned_says_so_and_no_plan_file_releases_nothing(catalog: RepoBuilder, cli: Cli):
    assert "nothing to release" in cli("release-pr").stdout
    assert catalog.run("branch", "--list", BRANCH) == ""
    assert cli.json("release", "--from-pr")["released"] == []


def test_local_branch_without_a_remote_and_the_body_is_escaped(catalog: RepoBuilder, cli: Cli):
    change(catalog, "web", "feat(web)!: <img src=x> [link](http://x) | cell")
    data = cli.json("release-pr")
    assert data["pushed_to"] is None
    assert catalog.run("rev-parse", BRANCH).strip() == data["commit"]
    body = data["body"]
    assert body.index("Breaking changes") < body.index("| template |")
    assert "\\<img" in body
    assert "](http" not in body
    assert "\\| cell" in body
    plan = json.loads(catalog.run("show", f"{data['commit']}:{PLAN}"))
    assert plan["release_pr"]["base"] == catalog.head()
    assert cli.json("release-pr")["status"] == "unchanged"


def test_the_release_branch_checked_out_is_refused(catalog: RepoBuilder, cli: Cli):
    change(catalog, "web", "feat(web): one")
    git(catalog.path, "switch", "-q", "-c", BRANCH)
    cli("release-pr", code=4)


def test_a_release_branch_someone_else_moved_on_the_remote_is_not_overwritten(
    catalog: RepoBuilder, origin: RepoBuilder, cli: Cli, tmp_path: Path
):
    change(catalog, "web", "feat(web): add probes")
    catalog.run("push", "-q", "origin", "main")
    cli("release-pr", "--push")
    other = RepoBuilder(tmp_path / "other")
    catalog.run("clone", "-q", "--branch", BRANCH, str(origin.path), str(other.path))
    other.run("config", "user.email", "o@example.com")
    other.run("config", "user.name", "Other")
    other.write({"notes.md": "theirs\n"})
    theirs = other.commit("docs: a reviewer's note")
    other.run("push", "-q", "origin", BRANCH)
    change(catalog, "web", "fix(web): a bug")
    mine = catalog.run("rev-parse", BRANCH).strip()
    result = cli("release-pr", "--push", code=4)
    assert "was refused" in result.stderr
    assert origin.run("rev-parse", BRANCH).strip() == theirs
    assert catalog.run("rev-parse", BRANCH).strip() == mine  # refused: the local branch stays
    catalog.run("fetch", "-q", "origin")  # seen now: replacing it is a choice
    assert cli.json("release-pr", "--push")["status"] == "updated"


def test_a_local_preview_then_the_first_push(
    catalog: RepoBuilder, origin: RepoBuilder, cli: Cli, monkeypatch: pytest.MonkeyPatch
):
    """A branch this clone never saw on the remote is expected absent there, whatever is local;
    the preview's commit is the one pushed, made again it would carry a later date."""
    change(catalog, "web", "feat(web): add probes")
    catalog.run("push", "-q", "origin", "main")
    preview = cli.json("release-pr")["commit"]
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2030-01-01T00:00:00Z")
    pushed = cli.json("release-pr", "--push")
    assert (pushed["status"], pushed["commit"]) == ("created", preview)
    assert origin.run("rev-parse", BRANCH).strip() == preview


def test_a_release_branch_checked_out_in_another_worktree_or_named_head_is_refused(
    catalog: RepoBuilder, cli: Cli, tmp_path: Path
):
    change(catalog, "web", "feat(web): add probes")
    cli("release-pr")
    catalog.run("worktree", "add", "-q", str(tmp_path / "wt"), BRANCH)
    change(catalog, "web", "fix(web): a bug")
    before = catalog.run("rev-parse", BRANCH)
    result = cli("release-pr", code=4)
    assert "checked out" in result.stderr
    assert catalog.run("rev-parse", BRANCH) == before
    for name in ("HEAD", "refs/heads/x"):
        assert "is not a branch name" in cli("release-pr", "--branch", name, code=2).stderr


def test_a_version_released_elsewhere_meanwhile_is_left_out_with_a_warning(
    catalog: RepoBuilder, cli: Cli
):
    change(catalog, "web", "fix(web): a bug")
    catalog.run("push", "-q", "origin", "main")
    cli("release-pr", "--push")
    cli("release")  # someone releases web@0.1.1 on main directly
    merge(catalog, "merge")
    data = cli.json("release", "--from-pr")
    assert data["released"] == []
    assert [w["code"] for w in data["warnings"]] == ["released-elsewhere"]
    assert "web@0.1.1 was released meanwhile at" in data["warnings"][0]["message"]
    cli("release", "--from-pr")  # and every later run is fine too


def test_the_body_can_go_to_stdout_for_a_pipe(catalog: RepoBuilder, cli: Cli, tmp_path: Path):
    change(catalog, "web", "feat(web): add probes")
    result = cli("release-pr", "--body-file", "-")
    assert result.stdout.startswith("## Release plan")
    assert "| web | 0.1.0 | 0.2.0 | minor |" in result.stdout
    assert "release-pr: created" in result.stderr
    assert not (catalog.path / "-").exists()


def test_after_a_refused_stale_merge_the_next_release_rewrites_the_entries_never_tagged(
    catalog: RepoBuilder, cli: Cli
):
    change(catalog, "web", "fix(web): a bug")
    catalog.run("push", "-q", "origin", "main")
    cli("release-pr", "--push")  # plans web@0.1.1
    change(catalog, "web", "feat(web): probes")  # after the pull request was written
    merge(catalog, "merge")
    cli("release", "--from-pr", code=4)  # stale: refused
    changelog = catalog.path / "templates/web/CHANGELOG.md"
    assert "## [0.1.1]" in changelog.read_text()  # the merged, never tagged entry
    catalog.run("push", "-q", "origin", "main")
    cli("release-pr", "--push")  # plans web@0.2.0
    merge(catalog, "merge")
    data = cli.json("release", "--from-pr")
    assert [t["tag"] for t in data["released"]] == ["web@0.2.0"]
    text = changelog.read_text()
    assert "## [0.1.1]" not in text
    assert text.count("## [0.2.0]") == 1
    assert "probes" in text.split("## [0.2.0]")[1]


def test_prereleases_go_through_the_pull_request_and_then_graduate(catalog: RepoBuilder, cli: Cli):
    change(catalog, "web", "feat(web): add probes")
    catalog.run("push", "-q", "origin", "main")
    data = cli.json("release-pr", "--push", "--pre", "rc")
    assert [r["tag"] for r in data["releases"]] == ["web@0.2.0-rc.1"]
    merge(catalog, "merge")
    released = cli.json("release", "--from-pr")
    assert [t["tag"] for t in released["released"]] == ["web@0.2.0-rc.1"]
    assert cli.json("docs", "--check")["ok"] is True
    assert "## [0.2.0-rc.1]" in (catalog.path / "templates/web/CHANGELOG.md").read_text()
    change(catalog, "web", "fix(web): a bug")
    catalog.run("push", "-q", "origin", "main")
    again = cli.json("release-pr", "--push", "--pre", "rc")
    assert [r["tag"] for r in again["releases"]] == ["web@0.2.0-rc.2"]
    final = cli.json("release-pr", "--push")  # without --pre: the final version
    assert [r["tag"] for r in final["releases"]] == ["web@0.2.0"]
    merge(catalog, "squash")
    assert [t["tag"] for t in cli.json("release", "--from-pr")["released"]] == ["web@0.2.0"]
    assert cli.json("docs", "--check")["ok"] is True
    text = (catalog.path / "templates/web/CHANGELOG.md").read_text()
    assert text.index("## [0.2.0]") < text.index("## [0.2.0-rc.1]")


def test_a_bad_prerelease_token_is_refused_and_writes_nothing(catalog: RepoBuilder, cli: Cli):
    change(catalog, "web", "feat(web): add probes")
    for token in ("rc.1", "01", "rc+x"):  # `01`: SemVer numbers have no leading zero
        result = cli("release-pr", "--pre", token, code=3)
        assert "prerelease token" in result.stderr
    assert catalog.run("branch", "--list", BRANCH).strip() == ""


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen is not installed")
def test_the_release_commit_is_signed_as_commit_gpgsign_says(
    catalog: RepoBuilder, cli: Cli, tmp_path: Path
):
    key = tmp_path / "key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    signers = tmp_path / "allowed_signers"
    signers.write_text(f'author@example.com namespaces="git" {key.with_suffix(".pub").read_text()}')
    for k, v in {"gpg.format": "ssh", "user.signingKey": str(key), "commit.gpgSign": "true",
                 "gpg.ssh.allowedSignersFile": str(signers)}.items():  # fmt: skip
        catalog.run("config", k, v)
    change(catalog, "web", "feat(web): add probes")
    commit = cli.json("release-pr")["commit"]
    checked = subprocess.run(["git", "verify-commit", commit], cwd=catalog.path,
                             capture_output=True, text=True, check=True)  # fmt: skip
    assert "Good" in checked.stderr
    change(catalog, "web", "fix(web): a bug")
    unsigned = cli.json("release-pr", "--no-sign")["commit"]
    assert "-----BEGIN SSH SIGNATURE-----" not in catalog.run("cat-file", "-p", unsigned)
    resigned = cli.json("release-pr", "--sign")  # the same change, now asked signed
    assert resigned["status"] == "updated"
    assert "-----BEGIN SSH SIGNATURE-----" in catalog.run("cat-file", "-p", resigned["commit"])
    catalog.run("update-ref", f"refs/heads/{BRANCH}", unsigned)
    change(catalog, "web", "fix(web): another bug")
    catalog.run("config", "user.signingKey", str(tmp_path / "missing"))
    failed = cli("release-pr", code=4)
    assert "commit-tree failed" in failed.stderr
    assert "signingKey" in failed.stderr  # the hint
    assert catalog.run("rev-parse", BRANCH).strip() == unsigned  # the branch did not move


def test_the_body_names_breaking_changes_only_the_compatibility_check_found(
    catalog: RepoBuilder, cli: Cli
):
    config = catalog.path / "gitops-templates.yaml"
    config.write_text(config.read_text() + "compatibility: escalate\n")
    meta = catalog.path / "templates/db/template.yaml"
    meta.write_text(meta.read_text().replace(
        "    replicas: {type: integer, minimum: 1, default: 1, description: Pod count.}\n", ""))  # fmt: skip
    catalog.commit("fix(db): tidy the parameters")
    change(catalog, "web", "feat(web)!: [drop](https://x.example) the port")
    body = cli.json("release-pr")["body"]
    breaking = body.split("### ⚠ Breaking changes")[1].split("| template |")[0]
    assert "**web**: \\[drop\\]\\(https://x.example\\) the port" in breaking
    assert "**db**: parameter 'replicas' removed at `/properties/replicas`" in breaking
    assert "found by the compatibility check" in breaking
    change(catalog, "db", "feat(db)!: rename the outputs")  # a declared one hides nothing
    breaking = cli.json("release-pr")["body"].split("| template |")[0]
    assert "**db**: rename the outputs" in breaking
    assert "**db**: parameter 'replicas' removed" in breaking
