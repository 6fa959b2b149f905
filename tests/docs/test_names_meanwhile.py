"""Old releases' parameters learned by a forked child during a cold walk: same READMEs."""

from __future__ import annotations

import shutil

import pytest

from gitops_templates.catalog.parallel import can_fork
from gitops_templates.docs import data, generate
from tests.helpers import RepoBuilder

needs_fork = pytest.mark.skipif(not can_fork(), reason="forks only on Linux with 2+ cores")


@needs_fork
def test_the_child_reads_the_releases_and_the_readmes_are_the_same(
    repo: RepoBuilder, cli, monkeypatch: pytest.MonkeyPatch
):
    repo.template("web")
    repo.commit("feat(web): first")
    cli("release")
    path = repo.path / "templates/web/template.yaml"
    path.write_text(path.read_text().replace("description: Pod count.", "description: Pods."))
    repo.commit("feat(web): reword")
    cli("release")
    readme = repo.path / "templates/web/README.md"
    state = repo.path / ".git/gitops-templates"

    def cold_docs() -> str:
        shutil.rmtree(state, ignore_errors=True)
        readme.unlink(missing_ok=True)
        cli("docs")
        return readme.read_text()

    monkeypatch.setattr(generate, "NAMES_MIN_TAGS", 10_000)  # no child
    serial = cold_docs()
    monkeypatch.setattr(generate, "NAMES_MIN_TAGS", 0)
    parsed_here: list[str] = []
    real = data._names_of

    def counted(text: bytes, source: str) -> object:
        parsed_here.append(source)  # this process only, never the child
        return real(text, source)

    monkeypatch.setattr(data, "_names_of", counted)
    assert cold_docs() == serial
    assert parsed_here == [], "the child's parameter names were not used"
    cli("docs", "--check")
