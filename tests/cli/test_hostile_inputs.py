"""One table of hostile inputs, driven through every command and the push hooks.

Each must end with a clear error (exit 3 or 4 and a message) or succeed; never a
traceback, never a hang. The inputs are what whoever can push to a catalog controls.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from gitops_templates.cli import main
from tests.helpers import RepoBuilder

DEEP = "a: " + "[" * 3000 + "]" * 3000 + "\n"
HOSTILE: dict[str, dict[str, str]] = {
    "nul in template.yaml": {"templates/web/template.yaml": "\x00id: web\n"},
    "control char in config": {"gitops-templates.yaml": "tag_format: \x1b[31m\n"},
    "deep config": {"gitops-templates.yaml": DEEP},
    "deep template.yaml": {"templates/web/template.yaml": DEEP},
    "list template.yaml": {"templates/web/template.yaml": "- a\n- b\n"},
    "scalar config": {"gitops-templates.yaml": "just text\n"},
    "yanked not a mapping": {".gitops-templates/yanked.yaml": "[1, 2]\n"},
    "yanked garbage": {".gitops-templates/yanked.yaml": "web: [{version: 1}]\n"},
    "rules garbage": {".gitops-templates/compatibility-rules.yaml": "- x\n"},
    "ref cycle": {
        "templates/web/template.yaml": (
            "apiVersion: gitops-templates/v1\nid: web\nname: W\ndescription: d\nowners: [x]\n"
            "category: c\nparameters: {$ref: '#/$defs/a', $defs: {a: {$ref: '#/$defs/a'}}}\n"
            "files: [{source: body.yaml.j2, target: body.yaml}]\n"
            "examples: [{name: e, values: {x: 1}}]\n"
        )
    },
    "remote ref": {
        "templates/web/template.yaml": (
            "apiVersion: gitops-templates/v1\nid: web\nname: W\ndescription: d\nowners: [x]\n"
            "category: c\nparameters: {$ref: 'http://127.0.0.1:9/x.json'}\n"
            "files: [{source: body.yaml.j2, target: body.yaml}]\n"
            "examples: [{name: e, values: {x: 1}}]\n"
        )
    },
    "slow pattern": {
        "templates/web/template.yaml": (
            "apiVersion: gitops-templates/v1\nid: web\nname: W\ndescription: d\nowners: [x]\n"
            "category: c\nparameters: {type: object, properties: {n: {type: string, "
            "pattern: '^(a|a)*$'}}}\nfiles: [{source: body.yaml.j2, target: body.yaml}]\n"
            "examples: [{name: e, values: {n: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!'}}]\n"
        )
    },
    "huge body": {"templates/web/body.yaml.j2": "{% include " * 20000},
}
COMMANDS = [["validate"], ["status"], ["plan"], ["docs", "--check"], ["verify"],
            ["history", "web"], ["show", "web"], ["stats"], ["diff", "web"]]  # fmt: skip


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = RepoBuilder.init(tmp_path_factory.mktemp("hostile") / "repo")
    repo.template("web")
    repo.commit("feat(web): first")
    CliRunner().invoke(main, ["--repo", str(repo.path), "release"], catch_exceptions=False)
    repo.write({"templates/web/body.yaml.j2": "name: {{ name }}\nv: 2\n"}).commit("fix(web): 2")
    CliRunner().invoke(main, ["--repo", str(repo.path), "release"], catch_exceptions=False)
    return repo.path


def hostile_clone(released: Path, tmp_path: Path, case: str) -> RepoBuilder:
    """A clone of `released` with one hostile commit on top."""
    repo = RepoBuilder.init(tmp_path / "repo")
    repo.run("fetch", "-q", "--tags", str(released), "main:refs/remotes/origin/main")
    repo.run("reset", "-q", "--hard", "refs/remotes/origin/main")
    repo.write(HOSTILE[case]).commit("fix(web): hostile")
    return repo


def assert_handled(result: Result, where: str) -> None:
    """A clear outcome: no traceback, one of our exit codes."""
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{where}: {type(result.exception).__name__}: {result.exception}"
    )
    assert result.exit_code in (0, 1, 3, 4, 5, 6), f"{where}: exit {result.exit_code}"
    assert "Traceback" not in result.stderr, where


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_no_command_crashes_on_hostile_catalog_files(released: Path, tmp_path: Path, case: str):
    repo = hostile_clone(released, tmp_path, case)
    for argv in COMMANDS:
        result = CliRunner().invoke(main, ["--repo", str(repo.path), *argv])
        assert_handled(result, f"{case}: {' '.join(argv)}")


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_mutating_commands_and_hooks_fail_cleanly_on_hostile_files(
    released: Path, tmp_path: Path, case: str
):
    repo = hostile_clone(released, tmp_path, case)
    head, old = repo.head(), repo.run("rev-parse", "HEAD~1").strip()
    runs: list[tuple[list[str], str | None]] = [
        (["init"], None),
        (["new", "api"], None),
        (["hooks", "install"], None),
        (["release"], None),
        (["docs"], None),
        (["rollback", "web", "--to", "0.1.0", "--reason", "hostile"], None),
        (["rollforward", "web"], None),
        (["recover"], None),
        (["lint-commits", "HEAD~1..HEAD"], None),
        (["hook", "pre-push", "origin", "x"], f"refs/heads/main {head} refs/heads/main {old}\n"),
        (["hook", "pre-receive"], f"{old} {head} refs/heads/main\n"),
    ]
    for argv, stdin in runs:
        before = (repo.refs(), repo.run("status", "--porcelain=v2"), repo.run("diff"))
        result = CliRunner().invoke(main, ["--repo", str(repo.path), *argv], input=stdin)
        where = f"{case}: {' '.join(argv)}"
        assert_handled(result, where)
        if result.exit_code != 0:  # a refusal changes nothing
            after = (repo.refs(), repo.run("status", "--porcelain=v2"), repo.run("diff"))
            assert after == before, where
        if argv[0] == "hook" and "templates/web/template.yaml" in HOSTILE[case]:
            assert result.exit_code == 3, f"{where}: the push of a broken template passed"


@pytest.mark.parametrize(
    "content", ["[]", "null", '"text"', "[" * 5000 + "]" * 5000, '{"schema_version": 1}',
                '{"schema_version": 1, "head": "x", "tags_fingerprint": [], "releases": {}}'],
)  # fmt: skip
def test_release_refuses_plan_files_that_are_no_plans(released: Path, tmp_path: Path, content: str):
    plan = tmp_path / "plan.json"
    plan.write_text(content)
    result = CliRunner().invoke(main, ["--repo", str(released), "release", "--plan", str(plan)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (3, 4), result.stderr  # not a plan, or not this HEAD's
