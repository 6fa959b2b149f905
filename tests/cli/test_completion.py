"""Shell completion: template ids, their versions, ID@VERSION; never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import RepoBuilder


def complete(repo: Path, words: str) -> list[str]:
    """What bash completion offers for `words` (the last one being typed)."""
    env = {**os.environ, "_GITOPS_TEMPLATES_COMPLETE": "bash_complete",
           "COMP_WORDS": words, "COMP_CWORD": str(len(words.split(" ")) - 1)}  # fmt: skip
    proc = subprocess.run(
        [sys.executable, "-m", "gitops_templates"],  # as the console script: one variable
        cwd=repo, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.stderr == ""
    return [line.split(",", 1)[1] for line in proc.stdout.splitlines() if line]


def test_ids_versions_and_refs_complete(repo: RepoBuilder, cli):
    repo.template("web")
    repo.template("worker")
    repo.template("api")
    repo.commit("feat: three")
    cli("release")
    repo.write({"templates/web/body.yaml.j2": "name: {{ name }}\nx: 1\n"})
    repo.commit("fix(web): x")
    cli("release")
    assert complete(repo.path, "gitops-templates rollback w") == ["web", "worker"]
    assert complete(repo.path, "gitops-templates rollback web --to ") == ["0.1.1", "0.1.0"]
    assert complete(repo.path, "gitops-templates show web@0.1") == ["web@0.1.1", "web@0.1.0"]
    assert complete(repo.path, "gitops-templates migrate plan api --from ") == ["0.1.0"]


def test_outside_a_catalog_nothing_is_offered_and_nothing_printed(tmp_path: Path):
    assert complete(tmp_path, "gitops-templates rollback ") == []
    assert complete(tmp_path, "gitops-templates rollback web --to ") == []
