"""The `--json` output of every command is a contract: one scenario, one snapshot.

The scenario drives every reporting command over a real repository with a fixed clock
(our own commits and tags too, through GIT_*_DATE), so object ids are stable; only the
temporary path and the backup ref's wall-clock name are replaced. `UPDATE_SNAPSHOTS=1` rewrites the snapshot after a change
of shape that is meant.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from gitops_templates.cli import main
from tests.helpers import EPOCH, RepoBuilder

SNAPSHOT = Path(__file__).resolve().parent.parent / "snapshots" / "cli-json.json"


class Recorder:
    """Runs commands with `--json` and keeps (argv, exit code, document) in order."""

    def __init__(self, repo: RepoBuilder) -> None:
        self.repo = repo
        self.runs: list[dict[str, Any]] = []

    def __call__(self, *args: str, stdin: str | None = None, code: int = 0) -> dict[str, Any]:
        argv = ["--repo", str(self.repo.path), *args, "--json"]
        result = CliRunner().invoke(main, argv, input=stdin, catch_exceptions=False)
        assert result.exit_code == code, f"{args}: exit {result.exit_code}\n{result.stderr}"
        data: dict[str, Any] = json.loads(result.stdout)
        self.runs.append({"argv": list(args), "exit": result.exit_code, "json": data})
        return data


def _scenario(repo: RepoBuilder, run: Recorder) -> None:
    run("init", "--github", "--pre-commit")
    run("new", "web")
    repo.template("api")
    first = repo.commit("feat: web and api templates")
    run("validate")
    run("status")
    run("plan")
    run("release")
    repo.write({"templates/web/config.yaml.j2": "name: {{ name }}\nlevel: 2\n"})
    repo.commit("fix(web): render the level")
    repo.write({"templates/api/body.yaml.j2": "service: {{ name }}\n"})
    repo.commit("feat(api)!: rename the key", trailers={"BREAKING CHANGE": "name -> service"})
    run("status", "web", "api")
    run("plan")
    run("release", "--dry-run")
    run("release")
    run("history", "web")
    run("show", "web")
    run("show", "api@0.1.0")
    run("stats")
    run("verify")
    run("diff", "api", "0.1.0", "0.2.0")
    run("diff", "--rules")
    instance = repo.path.parent / "shop-api.yaml"
    instance.write_text("template: api\nversion: ^0.1.0  # ours\nvalues: {name: shop}\n")
    run("migrate", "plan", "api", "--from", "0.1.0", "--to", "latest")
    run("check-update", str(instance))
    run("upgrade", str(instance), "--to", "latest", "--dry-run")
    run("upgrade", str(instance), "--to", "latest")
    run("rollback", "web", "--to", "0.1.0", "--dry-run")
    run("rollback", "web", "--to", "0.1.0", "--reason", "bad level")
    run("rollforward", "web", "--dry-run")
    run("rollforward", "web")
    run("docs")
    run("docs", "--check")
    run("lint-commits", f"{first}..HEAD")
    message = repo.path.parent / "MSG"
    message.write_text("feat(web) add a thing\n")
    run("hook", "commit-msg", str(message), code=3)
    head = repo.head()
    run(
        "hook",
        "pre-push",
        "origin",
        "url",
        stdin=f"refs/heads/main {head} refs/heads/main {'0' * 40}\n",
    )
    run("hooks", "install")
    repo.write({"templates/api/body.yaml.j2": "service: {{ name }}\nport: 80\n"})
    repo.commit("feat(api): a port")
    run("release-pr")
    repo.run("merge", "-q", "--ff-only", "gitops-templates/release")
    run("release", "--from-pr")


def _normalised(runs: list[dict[str, Any]], root: Path) -> str:
    text = json.dumps(runs, indent=1, sort_keys=True).replace(str(root.parent), "<tmp>")
    text = re.sub(r"backup/\d{8}T\d{6}Z(-\d+)?", "backup/<now>", text)  # a second apart or not
    return (
        re.sub(r"docs digest: [0-9a-f]{64}", "docs digest: <sha256>", text) + "\n"
    )  # tool version


def test_every_command_json_matches_the_contract(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stamp = f"{EPOCH + 86_400 * 30} +0000"
    monkeypatch.setenv("GIT_AUTHOR_DATE", stamp)
    monkeypatch.setenv("GIT_COMMITTER_DATE", stamp)
    repo = RepoBuilder.init(tmp_path / "repo")
    run = Recorder(repo)
    _scenario(repo, run)
    actual = _normalised(run.runs, repo.path)
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.write_text(actual)
    assert SNAPSHOT.is_file(), "no snapshot: run with UPDATE_SNAPSHOTS=1"
    assert actual == SNAPSHOT.read_text(), "--json output changed: review, then UPDATE_SNAPSHOTS=1"


def test_json_is_indented_on_a_terminal_and_one_line_when_piped(repo: RepoBuilder):
    """Both are the same document; piped output skips the pure-Python indenting encoder."""
    import pty
    import sys

    repo.template("web").commit("feat: web")
    args = [sys.executable, "-m", "gitops_templates", "--repo", str(repo.path), "status", "--json"]
    piped = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    leader, follower = pty.openpty()
    with subprocess.Popen(args, stdout=follower, stderr=subprocess.DEVNULL) as proc:
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            chunks.append(chunk)
        proc.wait()
    os.close(leader)
    shown = b"".join(chunks).decode().replace("\r\n", "\n")
    assert piped.count("\n") == 1
    assert shown.count("\n") > 10
    assert '\n  "schema_version"' in shown
    assert json.loads(piped) == json.loads(shown)
