"""The git adapter's batched readers agree with git's own per-object commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops_templates.errors import GitStateError
from gitops_templates.git.repo import GitRepo
from tests.helpers import RepoBuilder


def test_batched_trees_equal_ls_tree(repo: RepoBuilder):
    repo.write({"a/x.txt": "1", "a/b/c/deep.j2": "2", "a/b/y": "3", "top": "4"})
    (repo.path / "a" / "link").symlink_to("x.txt")
    (repo.path / "a" / "run.sh").write_text("#!/bin/sh\n")
    (repo.path / "a" / "run.sh").chmod(0o755)
    first = repo.commit("feat: files")
    repo.write({"a/b/y": "changed"}).commit("fix: y")
    gr = GitRepo.discover(repo.path)
    head = gr.head()
    specs = [f"{head}:a", f"{first}:a", f"{head}:a/b", f"{head}^{{tree}}", f"{head}:missing"]
    trees = gr.trees(specs)
    for rev, path in ((head, "a"), (first, "a"), (head, "a/b"), (head, "")):
        spec = f"{rev}:{path}" if path else f"{rev}^{{tree}}"
        found = trees[spec]
        assert found is not None
        assert found[1] == gr.ls_tree(rev, path)
        assert found[0] == repo.run("rev-parse", spec).strip()
    assert trees[f"{head}:missing"] is None
    modes = {e.path: e.mode for e in trees[f"{head}:a"][1]}  # type: ignore[index]
    assert (modes["link"], modes["run.sh"], modes["x.txt"]) == ("120000", "100755", "100644")


def test_a_symlinked_state_directory_is_refused_with_the_way_out(repo: RepoBuilder, tmp_path: Path):
    repo.template("web").commit("feat: web")
    (tmp_path / "elsewhere").mkdir()
    (repo.path / ".git" / "gitops-templates").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(GitStateError, match="symlink") as raised:
        GitRepo.discover(repo.path).state_dir  # noqa: B018
    assert "rm " in (raised.value.hint or "")
