"""`release`: atomic, idempotent, refuses stale plans; `verify` catches moved tags."""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.helpers import TEMPLATE_YAML, RepoBuilder, git


@pytest.fixture
def catalog(repo: RepoBuilder) -> RepoBuilder:
    repo.template("web").template("db").commit("feat: initial catalog")
    return repo


def hook(repo: Path, name: str, body: str) -> None:
    path = repo / ".git" / "hooks" / name if (repo / ".git").exists() else repo / "hooks" / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def state(repo: RepoBuilder) -> tuple[str, str, str]:
    return (repo.refs(), repo.run("status", "--porcelain=v2"), repo.run("diff"))


def test_release_creates_annotated_tags_with_trailers(catalog: RepoBuilder, cli: Cli, monkeypatch):
    catalog.write({"templates/web/body.yaml.j2": "x\n"}).commit("feat(web)!: café menu")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "1767999999 +0000")
    data = cli.json("release")
    assert sorted(t["tag"] for t in data["released"]) == ["db@0.1.0", "web@0.1.0"]
    body = catalog.run("cat-file", "-p", "web@0.1.0")
    assert body.startswith(f"object {catalog.head()}\ntype commit\ntag web@0.1.0\n")
    assert "### Features" in body
    assert "tagger Test Author <author@example.com> 1767999999 +0000\n" in body
    assert "- café menu (" in body  # non-ASCII survives the fast-import byte counts
    assert "### ⚠ BREAKING CHANGES" in body
    trailers = body.rstrip().splitlines()[-3:]
    assert trailers[0].startswith("Template-Digest: sha256:")
    tree = catalog.run("rev-parse", "HEAD:templates/web").strip()
    assert trailers[1] == f"Template-Tree: {tree}"
    assert trailers[2] == "Compatibility: breaking"


def test_release_is_idempotent(catalog: RepoBuilder, cli: Cli):
    cli("release")
    before = catalog.refs()
    again = cli.json("release")
    assert again["released"] == []
    assert catalog.refs() == before


def test_release_with_plan_file_and_rerun(catalog: RepoBuilder, cli: Cli, tmp_path: Path):
    plan = tmp_path / "plan.json"
    cli("plan", "-o", str(plan))
    doc = json.loads(plan.read_text())
    assert doc["schema_version"] == 1
    assert doc["head"] == catalog.head()
    release = doc["releases"][0]
    assert set(release) >= {"id", "current", "next", "level", "commits", "changelog"}
    assert set(release["commits"][0]) == {"sha", "subject", "type", "scope", "level", "breaking"}
    assert len(cli.json("release", "--plan", str(plan))["released"]) == 2
    rerun = cli.json("release", "--plan", str(plan))
    assert (rerun["released"], len(rerun["already_released"])) == ([], 2)


def test_stale_plan_is_refused(catalog: RepoBuilder, cli: Cli, tmp_path: Path):
    plan = tmp_path / "plan.json"
    cli("plan", "-o", str(plan))
    catalog.write({"templates/web/body.yaml.j2": "x\n"}).commit("fix(web): x")
    before = catalog.refs()
    assert "HEAD moved" in cli("release", "--plan", str(plan), code=4).stderr
    assert catalog.refs() == before
    cli("plan", "-o", str(plan))
    catalog.tag("db@0.0.9", message="someone else", rev="HEAD~1")
    assert "tags changed" in cli("release", "--plan", str(plan), code=4).stderr


@pytest.mark.parametrize(
    ("field", "value"), [("level", None), ("level", 3), ("compatibility", []), ("detected", "huge")]
)
def test_a_plan_with_a_bad_level_is_invalid_input(
    catalog: RepoBuilder, cli: Cli, tmp_path: Path, field: str, value: object
):
    plan = tmp_path / "plan.json"
    cli("plan", "-o", str(plan))
    doc = json.loads(plan.read_text())
    doc["releases"][0][field] = value
    plan.write_text(json.dumps(doc))
    assert "not a release plan" in cli("release", "--plan", str(plan), code=3).stderr


@pytest.mark.parametrize(
    "edit",
    [
        lambda r: r.update(next="99.0.0", tag="db@99.0.0"),
        lambda r: r.update(changelog=r["changelog"] + "\nRollback-Of: db@0.0.1\n"),
        lambda r: r.update(level="major"),
        lambda r: r.update(id="web", tag="web@0.1.0"),
    ],
    ids=["version", "footer-in-changelog", "level", "other-template"],
)
def test_an_edited_plan_file_is_refused_and_tags_nothing(
    catalog: RepoBuilder, cli: Cli, tmp_path: Path, edit
):
    plan = tmp_path / "plan.json"
    cli("plan", "-o", str(plan))
    doc = json.loads(plan.read_text())
    db = next(r for r in doc["releases"] if r["id"] == "db")
    edit(db)
    plan.write_text(json.dumps(doc))
    before = catalog.refs()
    stderr = cli("release", "--plan", str(plan), code=4).stderr
    assert "does not match the plan at HEAD" in stderr
    assert catalog.refs() == before


def test_conflicting_existing_tag_creates_nothing(catalog: RepoBuilder, cli: Cli):
    catalog.write({"README.md": "x\n"}).commit("docs: readme")
    catalog.run("checkout", "-q", "-b", "side", "HEAD~1")  # the planned tag exists elsewhere
    catalog.write({"x": "1"}).commit("chore: side")
    catalog.tag("db@0.1.0", message="on a side branch")
    catalog.run("checkout", "-q", "main")
    before = state(catalog)
    result = cli("release", code=4)
    assert "already exists" in result.stderr
    assert state(catalog) == before


def test_failing_ref_transaction_leaves_everything_as_it_was(catalog: RepoBuilder, cli: Cli):
    hook(catalog.path, "reference-transaction",
         'while read old new ref; do case "$ref" in refs/tags/db@*) '
         '[ "$1" = prepared ] && exit 1;; esac; done\nexit 0\n')  # fmt: skip
    before = state(catalog)
    result = cli("release", code=4)
    assert "no tag was created" in result.stderr
    assert state(catalog) == before
    assert catalog.tag_names() == set()


def test_dry_run_changes_nothing(catalog: RepoBuilder, cli: Cli):
    before = state(catalog)
    result = cli("release", "--dry-run")
    assert "would create web@0.1.0" in result.stdout
    assert "Template-Digest: sha256:" in result.stdout
    assert state(catalog) == before


def test_push_atomic_to_a_bare_remote(catalog: RepoBuilder, cli: Cli, tmp_path: Path):
    remote = RepoBuilder.init(tmp_path / "remote.git", bare=True)
    catalog.run("remote", "add", "origin", str(remote.path))
    catalog.run("push", "-q", "origin", "main")
    data = cli.json("release", "--push")
    assert data["pushed_to"] == "origin"
    assert remote.tag_names() == {"web@0.1.0", "db@0.1.0"}


def test_rejected_push_pushes_nothing(catalog: RepoBuilder, cli: Cli, tmp_path: Path):
    remote = RepoBuilder.init(tmp_path / "remote.git", bare=True)
    hook(remote.path, "pre-receive",
         'while read old new ref; do case "$ref" in refs/tags/db@*) exit 1;; esac; done\n')  # fmt: skip
    catalog.run("remote", "add", "origin", str(remote.path))
    catalog.run("push", "-q", "origin", "main")
    result = cli("release", "--push", code=4)
    assert "nothing was pushed" in result.stderr
    assert remote.tag_names() == set()
    assert catalog.tag_names() == {"web@0.1.0", "db@0.1.0"}  # created locally; re-run pushes
    hook(remote.path, "pre-receive", "exit 0\n")
    assert cli.json("release", "--push")["pushed_to"] == "origin"
    assert remote.tag_names() == {"web@0.1.0", "db@0.1.0"}


def test_unknown_remote_is_not_found(catalog: RepoBuilder, cli: Cli):
    assert (
        "not configured" in cli("release", "--push", "--remote", "--upload-pack=x", code=5).stderr
    )


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen is not installed")
def test_ssh_signed_tags_verify(catalog: RepoBuilder, cli: Cli, tmp_path: Path):
    key = tmp_path / "key"
    import subprocess

    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "rel", "-f", str(key)],
                   check=True)  # fmt: skip
    signers = tmp_path / "allowed_signers"
    signers.write_text(f'author@example.com namespaces="git" {key.with_suffix(".pub").read_text()}')
    for k, v in {"gpg.format": "ssh", "user.signingKey": str(key),
                 "gpg.ssh.allowedSignersFile": str(signers)}.items():  # fmt: skip
        catalog.run("config", k, v)
    cli("release", "--sign")
    assert "-----BEGIN SSH SIGNATURE-----" in catalog.run("cat-file", "-p", "web@0.1.0")
    checks = cli.json("verify")["checks"]
    assert {c["status"] for c in checks} == {"ok"}
    assert all("Good" in c["detail"] for c in checks)
    history = cli.json("history", "web")["versions"][0]
    assert history["signed"] is True
    assert "SIGNATURE" not in history["changelog"]


def test_verify_detects_a_tag_recreated_on_other_content(catalog: RepoBuilder, cli: Cli):
    cli("release")
    assert cli.json("verify")["ok"] is True
    message = catalog.run("tag", "-l", "--format=%(contents)", "web@0.1.0")
    catalog.write({"templates/web/body.yaml.j2": "tampered\n"}).commit("chore: tamper")
    catalog.run("tag", "-d", "web@0.1.0")
    git(
        catalog.path,
        "tag",
        "-a",
        "-F",
        "-",
        "--cleanup=verbatim",
        "web@0.1.0",
        "HEAD",
        input=message,
    )
    result = cli("verify", code=3)
    assert "mismatch" in result.stdout
    assert "moved or re-created" in result.stdout
    data = cli.json("verify", "db", code=0)
    assert data["ok"] is True


def test_verify_reports_lightweight_tags_as_unverifiable(catalog: RepoBuilder, cli: Cli):
    catalog.tag("web@0.1.0")
    checks = cli.json("verify", "web")["checks"]
    assert [c["status"] for c in checks] == ["unverifiable"]


def test_lock_blocks_a_second_mutating_command(catalog: RepoBuilder, cli: Cli):
    lock = catalog.path / ".git" / "gitops-templates.lock"
    lock.write_text(json.dumps({"pid": 999999, "host": __import__("socket").gethostname(),
                                "time": 0, "command": "release"}))  # fmt: skip
    result = cli("release", code=4)
    assert "stale lock" in result.stderr
    assert str(lock) in result.stderr
    lock.unlink()
    cli("release")
    assert not lock.exists()


@pytest.mark.skipif(shutil.which("gpg") is None, reason="gpg is not installed")
def test_gpg_signed_tags_follow_git_config(
    catalog: RepoBuilder, cli: Cli, tmp_path: Path, monkeypatch, request
):
    import subprocess

    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    monkeypatch.setenv("GNUPGHOME", str(home))
    request.addfinalizer(lambda: subprocess.run(["gpgconf", "--kill", "all"], check=False))
    subprocess.run(["gpg", "--batch", "--quiet", "--passphrase", "", "--quick-gen-key",
                    "Release Bot <release@example.com>", "ed25519", "sign", "never"],
                   check=True, capture_output=True)  # fmt: skip
    catalog.run("config", "user.signingKey", "release@example.com")
    catalog.run("config", "tag.gpgSign", "true")  # git config decides: no --sign needed
    cli("release")
    assert "-----BEGIN PGP SIGNATURE-----" in catalog.run("cat-file", "-p", "web@0.1.0")
    checks = cli.json("verify")["checks"]
    assert {c["status"] for c in checks} == {"ok"}
    assert cli.json("show", "web")["signed"] is True


def test_missing_tags_in_a_clone_are_flagged(catalog: RepoBuilder, cli: Cli, tmp_path: Path):
    cli("release")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--no-tags", str(catalog.path), str(clone))
    data = cli.json("status", repo=clone)
    assert "no-tags" in {w["code"] for w in data["warnings"]}


def test_explicit_config_file(catalog: RepoBuilder, tmp_path: Path):
    from click.testing import CliRunner

    from gitops_templates.cli import main

    config = tmp_path / "other.yaml"
    config.write_text("tag_format: '{id}-v{version}'\n")
    args = ["--repo", str(catalog.path), "--config", str(config), "plan", "--json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.stderr
    assert {r["tag"] for r in json.loads(result.stdout)["releases"]} == {"web-v0.1.0", "db-v0.1.0"}
    missing = str(tmp_path / "nope.yaml")
    result = CliRunner().invoke(main, ["--repo", str(catalog.path), "--config", missing, "status"])
    assert result.exit_code == 3
    assert "does not exist" in result.stderr


def test_verify_looks_at_each_release_a_bounded_number_of_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """3,000 versions of one template took 7 s: the earlier releases of each line were
    collected anew for every release. Count the work instead of timing it."""
    from gitops_templates import Catalog
    from gitops_templates.core.version_rules import BumpRules

    repo, n = tmp_path / "many", 300
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    meta = TEMPLATE_YAML.format(id="web", name="Web").replace("body.yaml.j2", "b.j2")

    def data(text: str) -> bytes:
        raw = text.encode()
        return b"data %d\n" % len(raw) + raw + b"\n"

    stream, tags = bytearray(), bytearray()
    for i in range(1, n + 1):
        stream += b"commit refs/heads/main\nmark :%d\ncommitter B <b@e.com> %d +0000\n" % (i, i)
        stream += data(f"fix(web): change {i}") + (b"from :%d\n" % (i - 1) if i > 1 else b"")
        if i == 1:
            stream += b"M 100644 inline templates/web/template.yaml\n" + data(meta)
        stream += b"M 100644 inline templates/web/b.j2\n" + data(f"v{i}\n")
        tags += f"tag web@1.0.{i}\nfrom :{i}\ntagger B <b@e.com> {i} +0000\n".encode()
        tags += data(f"web@1.0.{i}")
    subprocess.run(["git", "fast-import", "--quiet", "--done"], cwd=repo,
                   input=bytes(stream + tags) + b"done\n", check=True)  # fmt: skip
    subprocess.run(["git", "checkout", "-q", "main"], cwd=repo, check=True)
    calls = []
    real = BumpRules.line_of

    def counted(self: BumpRules, version: object) -> tuple[int, ...]:
        calls.append(version)
        return real(self, version)  # type: ignore[arg-type]

    monkeypatch.setattr(BumpRules, "line_of", counted)
    report = Catalog(repo).verify()
    assert len(report.checks) == n
    assert len(calls) <= 3 * n  # was about n * n / 2


def test_staging_left_by_a_killed_release_is_cleared(catalog: RepoBuilder, cli: Cli):
    left = catalog.path / ".git" / "gitops-templates" / "tag-stage-killed"
    (left / "refs").mkdir(parents=True)
    cli("release")
    assert not left.exists()
    assert catalog.tag_names()


@pytest.fixture
def two_clones(catalog: RepoBuilder, tmp_path: Path) -> tuple[Path, Path, RepoBuilder]:
    remote = RepoBuilder.init(tmp_path / "remote.git", bare=True)
    catalog.run("remote", "add", "origin", str(remote.path))
    catalog.run("push", "-q", "origin", "main")
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(remote.path), str(other))
    for key, value in (("user.name", "Other"), ("user.email", "o@example.com")):
        git(other, "config", key, value)
    return catalog.path, other, remote


def test_a_second_clone_adopts_the_identical_release_already_pushed(
    two_clones: tuple[Path, Path, RepoBuilder], cli: Cli, monkeypatch: pytest.MonkeyPatch
):
    first, second, remote = two_clones
    cli("release", "--push", repo=first)
    pushed = git(remote.path, "for-each-ref", "--format=%(refname) %(objectname)", "refs/tags")
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2030-01-01T00:00:00Z")  # other tag objects
    data = cli.json("release", "--push", repo=second)
    assert sorted(t["tag"] for t in data["already_released"]) == ["db@0.1.0", "web@0.1.0"]
    assert git(second, "for-each-ref", "--format=%(refname) %(objectname)", "refs/tags") == pushed
    assert (
        git(remote.path, "for-each-ref", "--format=%(refname) %(objectname)", "refs/tags") == pushed
    )
    assert cli.json("release", "--push", repo=second)["released"] == []  # converged


def test_the_same_version_from_another_history_is_a_conflict(
    two_clones: tuple[Path, Path, RepoBuilder], cli: Cli
):
    first, second, remote = two_clones
    cli("release", "--push", repo=first)
    (second / "templates/web/body.yaml.j2").write_text("diverged: {{ name }}\n")
    git(second, "commit", "-q", "-am", "fix(web): on another history")
    git(second, "push", "-q", "origin", "HEAD:refs/heads/side")
    before = git(remote.path, "for-each-ref", "refs/tags")
    result = cli("release", "--push", "web", repo=second, code=4)
    assert "released from another history" in result.stderr
    assert git(remote.path, "for-each-ref", "refs/tags") == before


def test_tags_are_never_pushed_for_a_commit_no_remote_branch_has(
    two_clones: tuple[Path, Path, RepoBuilder], cli: Cli
):
    first, _, remote = two_clones
    (first / "templates/web/body.yaml.j2").write_text("local only: {{ name }}\n")
    git(first, "commit", "-q", "-am", "fix(web): not pushed yet")
    result = cli("release", "--push", repo=first, code=4)
    assert "which no branch of origin contains" in result.stderr
    assert remote.tag_names() == set()
    assert git(first, "for-each-ref", "refs/gitops-templates/probe/") == ""


def test_a_sha256_repository_releases_and_verifies(tmp_path: Path, cli: Cli):
    path = tmp_path / "s256"
    git(tmp_path, "init", "-q", "--object-format=sha256", str(path))
    repo = RepoBuilder.init(path)  # re-initialising keeps the object format
    repo.template("web").commit("feat: initial catalog")
    released = cli.json("release", repo=path)["released"]
    assert [r["tag"] for r in released] == ["web@0.1.0"]
    assert len(repo.run("rev-parse", "web@0.1.0").strip()) == 64
    assert cli.json("verify", repo=path)["ok"] is True


def test_release_notes_of_a_version_by_id_version_or_tag(repo: RepoBuilder, cli):
    repo.template("web")
    repo.commit("feat(web): first")
    cli("release")
    repo.write({"templates/web/body.yaml.j2": "name: {{ name }}\nx: 1\n"})
    repo.commit("fix(web): the x <b>value</b> [see](javascript:alert(1)) `code`")
    cli("release", "--pre", "rc")
    markdown = cli("release-notes", "web@0.1.1-rc.1").output
    assert markdown.startswith("## web 0.1.1-rc.1 (")
    entry = next(line for line in markdown.splitlines() if line.startswith("- "))
    assert entry.startswith("- the x \\<b\\>value\\</b\\> \\[see\\]\\(javascript:alert\\(1\\)\\)")
    assert entry.endswith(")")
    assert "\\`code\\`" in entry
    data = cli.json("release-notes", "web@0.1.1-rc.1", "--format", "json")
    assert (data["tag"], data["prerelease"], data["notes"]) == ("web@0.1.1-rc.1", True, markdown)
    assert "- the x <b>value</b> [see](javascript:alert(1)) `code`" in data["text"]
    assert cli.json("release-notes", "web@0.1.0")["prerelease"] is False
    by_tag = cli("release-notes", "web@0.1.0").output
    assert by_tag.startswith("## web 0.1.0 (")
    assert cli("release-notes", "web").output.startswith("## web 0.1.1-rc.1 (")  # the latest
    result = cli("release-notes", "web@9.9.9", code=5)
    assert "no such version" in result.output
    repo.tag("web@0.2.0")  # lightweight
    result = cli("release-notes", "web@0.2.0", code=5)
    assert "lightweight tag: it carries no notes" in result.output
