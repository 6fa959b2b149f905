from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.helpers import RepoBuilder

# Set by git hooks or a CI runner; a test that wants one sets it itself.
OUTSIDE_ENVIRONMENT = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "CI",
    "GITHUB_ACTIONS",
    "GITHUB_OUTPUT",
    "GITHUB_STEP_SUMMARY",
    "RUNNER_TEMP",
    "NO_COLOR",
    "XDG_CACHE_HOME",  # clones of --catalog URLs go below the test's HOME
)


@pytest.fixture(autouse=True)
def _isolated_git(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No user or system git config leaks into tests."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    for key in OUTSIDE_ENVIRONMENT:
        monkeypatch.delenv(key, raising=False)


@pytest.fixture
def repo(tmp_path: Path) -> RepoBuilder:
    return RepoBuilder.init(tmp_path / "repo")


class Cli:
    """Runs the real click app in-process; asserts the exit code."""

    def __init__(self, default_repo: Path | None) -> None:
        self.default_repo = default_repo

    def __call__(self, *args: str, code: int = 0, repo: Path | None = None) -> Result:
        from gitops_templates.cli import main

        target = repo or self.default_repo
        argv = [*(["--repo", str(target)] if target else []), *args]
        result = CliRunner().invoke(main, argv, catch_exceptions=False)
        assert result.exit_code == code, (
            f"exit {result.exit_code} != {code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
        )
        return result

    def json(self, *args: str, code: int = 0, repo: Path | None = None) -> dict[str, Any]:
        result = self(*args, "--json", code=code, repo=repo)
        data: dict[str, Any] = json.loads(result.stdout)
        assert data["schema_version"] == 1
        return data


@pytest.fixture
def cli(repo: RepoBuilder) -> Cli:
    return Cli(repo.path)
