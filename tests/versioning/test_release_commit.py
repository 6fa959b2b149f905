"""`release --commit`: changelog files written in one release commit, then tagged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.helpers import TAG_REFUSER, RepoBuilder, install_hook, repo_state

CONFIG = "changelog:\n  file: CHANGELOG.md\n"
WEB = "templates/web/CHANGELOG.md"


@pytest.fixture
def catalog(repo: RepoBuilder) -> RepoBuilder:
    repo.write({"gitops-templates.yaml": CONFIG})
    repo.template("web").template("db").commit("feat: initial <b>catalog</b>")
    return repo


def fix_web(repo: RepoBuilder, text: str = "fix a bug") -> str:
    body = repo.path / "templates/web/body.yaml.j2"
    repo.write({"templates/web/body.yaml.j2": body.read_text() + "# x\n"})
    return repo.commit(f"fix(web): {text}")


def test_the_first_release_writes_the_files_in_one_commit_and_tags_it(
    catalog: RepoBuilder, cli: Cli
):
    parent = catalog.head()
    data = cli.json("release", "--commit")
    head = catalog.head()
    assert data["commit"] == head != parent
    assert data["changelog_files"] == ["templates/db/CHANGELOG.md", WEB]
    assert catalog.run("rev-parse", "HEAD^").strip() == parent
    message = catalog.run("log", "-1", "--format=%B")
    assert message == "chore(release): db@0.1.0, web@0.1.0\n\nRelease: none\n\n"
    assert {t["tag"]: t["commit"] for t in data["released"]} == {
        "db@0.1.0": head,
        "web@0.1.0": head,
    }
    changed = catalog.run("show", "--name-only", "--format=", "HEAD").split()
    assert changed == ["templates/db/CHANGELOG.md", WEB]
    assert catalog.run("status", "--porcelain", "--untracked-files=all") == ""
    text = (catalog.path / WEB).read_text()
    assert text.startswith("# Changelog\n\nGenerated from Conventional Commits by gitops-t")
    assert "## [0.1.0] - 2026-01-01\n\n### Features\n\n- initial \\<b\\>catalog\\</b\\> (" in text
    assert "github.com" not in text  # no remote: no links
    assert cli.json("plan")["releases"] == []
    assert cli.json("verify")["ok"] is True


def test_a_second_release_goes_above_and_hand_edits_survive(catalog: RepoBuilder, cli: Cli):
    cli("release", "--commit")
    path = catalog.path / WEB
    edited = path.read_text().replace("- initial", "- Initial, as edited by hand (see #3)")
    catalog.write({WEB: edited}).commit("docs(web): word the changelog")
    assert cli.json("plan")["releases"] == []  # a changelog edit releases nothing
    fix_web(catalog)
    data = cli.json("release", "--commit")
    assert [t["tag"] for t in data["released"]] == ["web@0.1.1"]
    assert data["changelog_files"] == [WEB]
    text = path.read_text()
    assert text.index("## [0.1.1]") < text.index("## [0.1.0]")
    assert edited.split("## [0.1.0]")[1] in text
    assert "### Bug Fixes\n\n- fix a bug (" in text


def test_a_rerun_on_the_released_head_does_nothing(catalog: RepoBuilder, cli: Cli, tmp_path):
    plan = tmp_path / "plan.json"
    cli("plan", "-o", str(plan))
    cli("release", "--commit", "--plan", str(plan))
    before = repo_state(catalog)
    again = cli.json("release", "--commit")
    assert (again["released"], again["commit"]) == ([], None)
    assert len(again["already_released"]) == 2
    rerun = cli.json("release", "--commit", "--plan", str(plan))
    assert (rerun["released"], len(rerun["already_released"])) == ([], 2)
    assert repo_state(catalog) == before


@pytest.mark.parametrize("url", ["git@github.com:o/r.git", "https://github.com/o/r.git"])
def test_github_links_from_the_origin_remote(catalog: RepoBuilder, cli: Cli, url: str):
    catalog.run("remote", "add", "origin", url)
    cli("release", "--commit")
    first = catalog.run("rev-parse", "HEAD^").strip()
    fix_web(catalog)
    fixed = catalog.head()
    cli("release", "--commit")
    text = (catalog.path / WEB).read_text()
    assert f"([{first[:7]}](https://github.com/o/r/commit/{first}))" in text
    assert f"([{fixed[:7]}](https://github.com/o/r/commit/{fixed}))" in text
    assert text.endswith(
        "\n\n[0.1.1]: https://github.com/o/r/compare/web@0.1.0...web@0.1.1\n"
        "[0.1.0]: https://github.com/o/r/releases/tag/web@0.1.0\n"
    )


def test_no_links_for_other_remotes(catalog: RepoBuilder, cli: Cli):
    catalog.run("remote", "add", "origin", "https://gitlab.com/o/r.git")
    cli("release", "--commit")
    text = (catalog.path / WEB).read_text()
    assert "http" not in text.replace("https://keepachangelog.com/en/1.1.0/", "")


def test_the_catalog_wide_file(repo: RepoBuilder, cli: Cli):
    repo.write({"gitops-templates.yaml": "changelog: {catalog: true}\n"})
    repo.template("web").template("db").commit("feat: initial catalog")
    cli("release", "--commit")
    fix_web(repo)
    data = cli.json("release", "--commit")
    assert data["changelog_files"] == ["CHANGELOG.md"]
    assert not (repo.path / WEB).exists()
    text = (repo.path / "CHANGELOG.md").read_text()
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [
        "## [web@0.1.1] - 2026-01-01", "## [db@0.1.0] - 2026-01-01", "## [web@0.1.0] - 2026-01-01",
    ]  # fmt: skip


def test_commit_and_push_to_a_bare_remote(catalog: RepoBuilder, cli: Cli, tmp_path: Path):
    remote = RepoBuilder.init(tmp_path / "remote.git", bare=True)
    catalog.run("remote", "add", "origin", str(remote.path))
    catalog.run("push", "-q", "origin", "main")
    data = cli.json("release", "--commit", "--push")
    assert data["pushed_to"] == "origin"
    assert remote.tag_names() == {"web@0.1.0", "db@0.1.0"}
    assert remote.run("rev-parse", "main").strip() == catalog.head() == data["commit"]


def test_a_rejected_push_undoes_the_commit_and_the_tags(
    catalog: RepoBuilder, cli: Cli, tmp_path: Path
):
    remote = RepoBuilder.init(tmp_path / "remote.git", bare=True)
    install_hook(remote, "pre-receive", "echo 'remote: protected' >&2\nexit 1\n")
    catalog.run("remote", "add", "origin", str(remote.path))
    before = repo_state(catalog)
    result = cli("release", "--commit", "--push", code=4)
    assert "the repository was restored" in result.stderr
    assert "nothing was pushed" in result.stderr
    assert repo_state(catalog) == before
    assert remote.tag_names() == set()


@pytest.mark.parametrize(
    ("name", "script", "words"),
    [
        ("reference-transaction", TAG_REFUSER, "no tag was created"),
        ("pre-commit", "echo 'pre-commit: lint failed' >&2\nexit 1\n", "lint failed"),
        ("commit-msg", "echo 'commit-msg: no DCO' >&2\nexit 1\n", "no DCO"),
    ],
)
def test_a_failure_leaves_everything_as_it_was(catalog: RepoBuilder, cli: Cli, name, script, words):
    cli("release", "--commit")
    fix_web(catalog)
    catalog.write({"notes.txt": "mine\n", "staged.txt": "staged\n"})
    catalog.run("add", "staged.txt")
    install_hook(catalog, name, script)
    before = repo_state(catalog)
    result = cli("release", "--commit", code=4)
    assert words in result.stderr
    assert "the repository was restored" in result.stderr
    assert repo_state(catalog) == before


def test_an_interrupt_after_the_commit_is_undone(catalog: RepoBuilder, monkeypatch):
    from gitops_templates import Catalog, GitOpsTemplatesError
    from gitops_templates.git.repo import GitRepo

    def interrupted(*_args: object, **_kw: object) -> dict[str, str]:
        raise KeyboardInterrupt

    monkeypatch.setattr(GitRepo, "create_tags", interrupted)
    before = repo_state(catalog)
    with pytest.raises(GitOpsTemplatesError, match="interrupted; the repository was restored"):
        Catalog(catalog.path).release(commit=True)
    assert repo_state(catalog) == before


def test_changes_in_a_changelog_path_are_refused_before_anything(catalog: RepoBuilder, cli: Cli):
    catalog.write({WEB: "# my notes\n"})  # untracked
    before = repo_state(catalog)
    result = cli("release", "--commit", code=4)
    assert f"changes not committed: {WEB}" in result.stderr
    assert repo_state(catalog) == before
    catalog.run("add", WEB)  # staged
    assert "not committed" in cli("release", "--commit", code=4).stderr
    catalog.commit("docs(web): start a changelog")
    cli("release", "--commit")
    assert (catalog.path / WEB).read_text().startswith("# my notes\n\n## [0.1.0] - ")


def test_a_killed_run_finishes_when_run_again(catalog: RepoBuilder, cli: Cli, monkeypatch):
    """Killed between its commit and its tags: the files hold the versions, so it tags."""
    from gitops_templates.versioning import release_commit

    monkeypatch.setattr(release_commit, "create_planned_tags", lambda *a, **k: ())
    cli("release", "--commit")  # as if killed before tagging: a commit, no tags
    commit = catalog.head()
    assert catalog.tag_names() == set()
    monkeypatch.undo()
    data = cli.json("release", "--commit")
    assert data["commit"] is None
    assert {t["commit"] for t in data["released"]} == {commit}
    assert catalog.head() == commit


def test_refused_without_a_changelog_or_on_a_detached_head(repo: RepoBuilder, cli: Cli):
    repo.template("web").commit("feat: web")
    result = cli("release", "--commit", code=2)
    assert "changelog: {file: CHANGELOG.md}" in result.stderr
    repo.write({"gitops-templates.yaml": CONFIG}).commit("chore: changelog files")
    repo.run("checkout", "-q", "--detach")
    assert "detached" in cli("release", "--commit", code=4).stderr
    assert repo.tag_names() == set()


def test_a_changelog_only_commit_plans_no_release(catalog: RepoBuilder, cli: Cli):
    cli("release", "--commit")
    text = (catalog.path / WEB).read_text() + "\nA note.\n"
    catalog.write({WEB: text}).commit("fix(web): changelog typo", trailers={"Release": "none"})
    catalog.write({WEB: text + "More.\n"}).commit("fix(web): changelog typo again")
    assert cli.json("plan")["releases"] == []
    assert cli.json("release", "--commit")["released"] == []


def test_docs_check_passes_after_release_commit_and_docs(catalog: RepoBuilder, cli: Cli):
    cli("docs")
    catalog.commit("docs: generate")
    cli("release", "--commit")
    cli("docs")
    catalog.commit("docs: regenerate for the release")
    cli("docs", "--check")
    assert cli.json("plan")["releases"] == []
    assert "0.1.0" in (catalog.path / "templates/web/README.md").read_text()


def test_dry_run_names_the_files_and_changes_nothing(catalog: RepoBuilder, cli: Cli):
    before = repo_state(catalog)
    data = cli.json("release", "--commit", "--dry-run")
    assert data["changelog_files"] == ["templates/db/CHANGELOG.md", WEB]
    assert data["commit"] is None
    assert repo_state(catalog) == before


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ("changelog: {file: README.md}\n", "cannot be a changelog"),
        ("changelog: {file: body.yaml.j2}\n", "cannot be a changelog"),
        ("changelog: {file: examples/prod.md}\n", "cannot be a changelog"),
        ("changelog: {file: .git/x.md}\n", "cannot be a changelog"),
        ("changelog: {file: ../x.md}\n", "changelog"),
        ("changelog: {files: CHANGELOG.md}\n", "files"),
        ("changelog: {catalog: yes please}\n", "catalog"),
    ],
)
def test_bad_changelog_settings_are_invalid(repo: RepoBuilder, cli: Cli, config: str, words: str):
    repo.write({"gitops-templates.yaml": config}).template("web").commit("feat: web")
    result = cli("validate", code=3)
    assert words in result.stderr


def test_init_offers_the_changelog_commented_out(repo: RepoBuilder, cli: Cli):
    cli("init")
    text = (repo.path / "gitops-templates.yaml").read_text()
    assert "# changelog:\n#   file: CHANGELOG.md\n#   catalog: false\n" in text
    repo.write({"gitops-templates.yaml": text.replace("# changelog:", "changelog:")
                .replace("#   file:", "  file:").replace("#   catalog:", "  catalog:")})  # fmt: skip
    repo.template("web").commit("feat: web")
    data = cli.json("release", "--commit", "--dry-run")
    assert data["changelog_files"] == [WEB]
    assert json.loads(json.dumps(data))["released"][0]["tag"] == "web@0.1.0"


def test_a_changelog_that_is_a_symbolic_link_is_refused_and_nothing_changes(
    catalog: RepoBuilder, cli: Cli, tmp_path: Path
):
    outside = tmp_path / "outside.md"
    outside.write_text("# mine\n")
    (catalog.path / WEB).parent.mkdir(parents=True, exist_ok=True)
    (catalog.path / WEB).symlink_to(outside)
    catalog.commit("chore: link the changelog", trailers={"Release": "none"})
    before = repo_state(catalog)
    result = cli("release", "--commit", code=3)
    assert "is not a regular file (mode 120000)" in result.stderr
    assert repo_state(catalog) == before
    assert outside.read_text() == "# mine\n"


def test_a_run_killed_between_its_commit_and_its_tags_is_settled_by_the_next(
    catalog: RepoBuilder, cli: Cli
):
    data = cli.json("release", "--commit")
    head = catalog.head()
    paths = data["changelog_files"]
    for tag in (t["tag"] for t in data["released"]):  # as if killed: no tags, and the
        catalog.run("tag", "-d", tag)  # paths as before the commit in index and work tree
    for path in paths:  # the first release created them
        catalog.run("rm", "-q", "--cached", "--", path)
        (catalog.path / path).unlink()
    assert catalog.run("status", "--porcelain", "--", *paths)
    again = cli.json("release", "--commit")
    assert catalog.head() == head
    assert sorted(t["tag"] for t in again["released"]) == ["db@0.1.0", "web@0.1.0"]
    assert catalog.run("status", "--porcelain", "--", *paths) == ""


def test_changelog_paths_edited_since_a_killed_run_are_left_alone(catalog: RepoBuilder, cli: Cli):
    data = cli.json("release", "--commit")
    for tag in (t["tag"] for t in data["released"]):
        catalog.run("tag", "-d", tag)
    (catalog.path / WEB).write_text("# my own notes\n")
    cli("release", "--commit")
    assert (catalog.path / WEB).read_text() == "# my own notes\n"


def test_rollback_and_rollforward_keep_the_changelog_history_and_add_their_entry(
    catalog: RepoBuilder, cli: Cli
):
    catalog.write({"gitops-templates.yaml": CONFIG + "  catalog: true\n"})
    catalog.commit("chore: a catalog-wide changelog too", trailers={"Release": "none"})
    cli("release", "--commit")
    fix_web(catalog, "the second fix")
    cli("release", "--commit")
    (catalog.path / WEB).write_text((catalog.path / WEB).read_text() + "\n<!-- mine -->\n")
    catalog.commit("docs(web): a note in the changelog", trailers={"Release": "none"})
    history = (catalog.path / WEB).read_text()
    cli("rollback", "web", "--to", "0.1.0", "--reason", "bad fix")
    after = (catalog.path / WEB).read_text()
    assert after.index("## [0.1.2]") < after.index("## [0.1.1]") < after.index("## [0.1.0]")
    assert "### Rollback" in after
    assert "content of web@0.1.0 restored: bad fix" in after
    assert "<!-- mine -->" in after
    assert "## [web@0.1.2]" in (catalog.path / "CHANGELOG.md").read_text()
    assert json.loads(cli("verify", "--json").output)["ok"] is True
    cli("rollforward", "web")
    again = (catalog.path / WEB).read_text()
    assert again.index("## [0.1.3]") < again.index("## [0.1.2]")
    assert "### Roll-forward" in again
    assert all(line in again for line in history.splitlines())
    assert json.loads(cli("verify", "--json").output)["ok"] is True
    assert json.loads(cli("plan", "--json").output)["releases"] == []
