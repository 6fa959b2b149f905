"""Old releases' parameters learned by a forked child during a cold walk: same READMEs."""

from __future__ import annotations

import shutil

import pytest

from gitops_templates.catalog import parallel
from gitops_templates.catalog.parallel import can_fork
from gitops_templates.docs import data, generate
from tests.helpers import RepoBuilder, count_forks

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


@needs_fork
def test_a_catalog_of_many_templates_gets_the_same_docs_on_two_cores(
    repo: RepoBuilder, cli, monkeypatch: pytest.MonkeyPatch
):
    count = max(data.CONTEXTS_PARALLEL_MIN, generate.PARALLEL_MIN) + 2
    for n in range(count):
        repo.template(f"t{n:02d}")
    repo.commit("feat: many templates")
    cli("release")
    path = repo.path / "templates/t07/template.yaml"
    path.write_text(path.read_text().replace("description: Pod count.", "description: Pods."))
    repo.commit("fix(t07): reword")
    state = repo.path / ".git/gitops-templates"

    def cold_docs() -> dict[str, str]:
        shutil.rmtree(state, ignore_errors=True)
        for readme in repo.path.glob("templates/*/README.md"):
            readme.unlink()
        cli("docs")
        return {p.parent.name: p.read_text() for p in repo.path.glob("templates/*/README.md")}

    monkeypatch.setattr(parallel, "can_fork", lambda: False)
    serial = cold_docs()
    monkeypatch.undo()
    forks = count_forks(monkeypatch)
    assert cold_docs() == serial
    assert len(forks) >= 3  # the metadata, the contexts and the pages each on two cores
    assert len(serial) == count
    assert "Unreleased" in serial["t07"]
