"""pre-push and pre-receive through real `git push` to a local bare remote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gitops_templates import Catalog
from tests.conftest import Cli
from tests.helpers import TEMPLATE_YAML, RepoBuilder, git

BREAKING_SCHEMA = "".join(  # the helper's template without its `replicas` parameter
    line
    for line in TEMPLATE_YAML.format(id="web", name="Web").splitlines(keepends=True)
    if not line.lstrip().startswith("replicas:")
)


def push(repo: RepoBuilder, *refs: str, verify: bool = True) -> subprocess.CompletedProcess[str]:
    args = ["git", "push", "--porcelain", *([] if verify else ["--no-verify"]), "origin", *refs]
    return subprocess.run(args, cwd=repo.path, capture_output=True, text=True, check=False,
                          env=os.environ.copy())  # fmt: skip


@pytest.fixture
def server(tmp_path: Path) -> Path:
    bare = tmp_path / "server.git"
    RepoBuilder.init(bare, bare=True)
    result = Catalog(bare).install_hooks(server=True)
    assert [h.name for h in result.hooks] == ["pre-receive"]
    return bare


@pytest.fixture
def client(repo: RepoBuilder, cli: Cli, server: Path) -> RepoBuilder:
    repo.template("web").template("api")
    repo.commit("feat: first templates")
    cli("release")
    repo.run("remote", "add", "origin", str(server))
    cli("hooks", "install")
    proc = push(repo, "main", "--tags")
    assert proc.returncode == 0, proc.stderr
    return repo


def server_refs(server: Path) -> str:
    return git(server, "for-each-ref", "--format=%(refname) %(objectname)")


def test_a_good_push_passes_both_hooks(client: RepoBuilder, server: Path):
    client.write({"templates/web/body.yaml.j2": "name: {{ name }}\nkind: web\n"})
    head = client.commit("fix(web): add the kind")
    proc = push(client, "main")
    assert proc.returncode == 0, proc.stderr
    assert git(server, "rev-parse", "main").strip() == head


def test_an_undeclared_breaking_change_is_refused_by_the_client_and_the_server(
    client: RepoBuilder, server: Path
):
    before = server_refs(server)
    client.write({"templates/web/template.yaml": BREAKING_SCHEMA})
    client.commit("fix(web): simplify parameters")
    local = push(client, "main")
    assert local.returncode != 0
    assert "refs/heads/main" in local.stderr
    assert "BREAKING-CHANGE" in local.stderr
    remote = push(client, "main", verify=False)
    assert remote.returncode != 0
    assert "remote: refused: refs/heads/main" in remote.stderr
    assert "property-removed" in remote.stderr or "breaking" in remote.stderr
    assert server_refs(server) == before
    client.run("commit", "--amend", "-q", "--no-verify", "-m",
               "fix(web): simplify parameters\n\nBREAKING-CHANGE: replicas is gone")  # fmt: skip
    declared = push(client, "main")
    assert declared.returncode == 0, declared.stderr


def test_deleting_a_version_tag_is_refused(client: RepoBuilder, server: Path):
    before = server_refs(server)
    local = push(client, ":refs/tags/web@0.1.0")
    assert local.returncode != 0
    assert "version-tag-deleted" in local.stderr
    remote = push(client, ":refs/tags/web@0.1.0", verify=False)
    assert remote.returncode != 0
    assert "remote: refused: refs/tags/web@0.1.0" in remote.stderr
    assert "deletes version tag web@0.1.0" in remote.stderr
    assert server_refs(server) == before


def test_moving_a_version_tag_is_refused(client: RepoBuilder, server: Path):
    client.write({"templates/web/body.yaml.j2": "moved: true\n"})
    client.commit("fix(web): something else")
    assert push(client, "main").returncode == 0
    client.run("tag", "-f", "-a", "-m", "web 0.1.0", "web@0.1.0", "HEAD")
    before = server_refs(server)
    remote = push(client, "--force", "refs/tags/web@0.1.0", verify=False)
    assert remote.returncode != 0
    assert "moves version tag web@0.1.0" in remote.stderr
    assert "versions never move" in remote.stderr
    assert server_refs(server) == before


def test_a_new_version_tag_must_carry_the_right_digest(client: RepoBuilder, server: Path):
    client.write({"templates/api/body.yaml.j2": "api: 2\n"})
    client.commit("fix(api): two")
    assert push(client, "main").returncode == 0
    forged = "api 0.1.1\n\nTemplate-Digest: sha256:" + "0" * 64 + "\n"
    client.run("tag", "-a", "-m", forged, "api@0.1.1")
    remote = push(client, "refs/tags/api@0.1.1", verify=False)
    assert remote.returncode != 0
    assert "version-tag-mismatch" in remote.stderr
    client.run("tag", "api@0.1.2")  # lightweight: no digest at all
    light = push(client, "refs/tags/api@0.1.2", verify=False)
    assert light.returncode != 0
    assert "version-tag-unverifiable" in light.stderr
    assert "api@0.1.1" not in server_refs(server)


def test_tags_made_by_release_are_accepted(client: RepoBuilder, cli: Cli, server: Path):
    client.write({"templates/api/body.yaml.j2": "api: 3\n"})
    client.commit("feat(api): three")
    cli("release")
    proc = push(client, "main", "--tags")
    assert proc.returncode == 0, proc.stderr
    assert "refs/tags/api@0.2.0" in server_refs(server)


def test_the_client_refuses_templates_that_do_not_validate(client: RepoBuilder, server: Path):
    client.write({"templates/web/template.yaml": BREAKING_SCHEMA.replace("id: web", "id: wbe")})
    client.commit("fix(web): typo")
    local = push(client, "main")
    assert local.returncode != 0
    assert "templates/web/template.yaml" in local.stderr
    assert "id-matches-directory" in local.stderr


def test_remembered_body_references_still_catch_a_deleted_body(client: RepoBuilder):
    client.write({"templates/web/body.yaml.j2": "name: {{ name }}\nkind: web\n"})
    client.commit("fix(web): add the kind")
    assert push(client, "main").returncode == 0  # remembers what web's template.yaml names
    facts = client.path / ".git" / "gitops-templates" / "objects-v1.json"
    assert "body-sources" in json.loads(facts.read_text())["tables"]
    client.remove("templates/web/body.yaml.j2").commit("fix(web): drop the body")
    local = push(client, "main")
    assert local.returncode != 0
    assert "body file 'body.yaml.j2' does not exist" in local.stderr
    assert "templates/web/template.yaml" in local.stderr


def test_a_new_branch_is_checked_against_what_the_remote_has(client: RepoBuilder, cli: Cli):
    client.run("checkout", "-q", "-b", "feature")
    client.write({"templates/api/body.yaml.j2": "api: branch\n"})
    client.commit("fix(api): on a branch")
    stdin = f"refs/heads/feature {client.head()} refs/heads/feature {'0' * 40}\n"
    report = Catalog(client.path).check_pre_push("origin", stdin)
    assert report.exit_code == 0
    assert report.checked == ("api",)  # only the commit the remote lacks


def test_hook_input_that_is_not_from_git_is_an_input_error(client: RepoBuilder):
    proc = subprocess.run(
        [sys.executable, "-m", "gitops_templates.cli.githook", "pre-push", "origin", "url"],
        cwd=client.path, input="not a ref line\n", capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 3
    assert "hook input line 1" in proc.stderr
