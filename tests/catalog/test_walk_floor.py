"""A cold walk stops below every component's latest release: the same states as a full one."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from gitops_templates import Catalog
from gitops_templates.catalog import collecting
from gitops_templates.core.jsonform import to_json
from gitops_templates.git.repo import GitRepo
from tests.helpers import RepoBuilder


def count_reads(patched: pytest.MonkeyPatch) -> list[int]:
    """How many commits each history read returns, from now on."""
    read: list[int] = []
    real = GitRepo.log_history

    def counted(self: GitRepo, head: str, **options: Any) -> Any:
        found = real(self, head, **options)
        read.append(len(found.commits))
        return found

    patched.setattr(GitRepo, "log_history", counted)
    return read


def walks(repo: RepoBuilder, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any, list[int]]:
    """(status read with the floor, status read walking everything, commits each read)."""

    def status() -> Any:
        data: dict[str, Any] = to_json(Catalog(repo.path, use_cache=False).status())
        data["warnings"] = sorted(json.dumps(w, sort_keys=True) for w in data["warnings"])
        return data

    with monkeypatch.context() as patched:
        read = count_reads(patched)
        bounded = status()
        patched.setattr(collecting, "_bounded_walk", lambda ws, head: None)
        full = status()
    return bounded, full, read


def unreleased(data: Any, cid: str) -> list[str]:
    return [
        c["subject"] for c in next(x for x in data["components"] if x["id"] == cid)["unreleased"]
    ]


def change(repo: RepoBuilder, tid: str, message: str) -> None:
    path = repo.path / f"templates/{tid}/body.yaml.j2"
    path.write_text(path.read_text() + f"# {message}\n")
    repo.commit(message)


@pytest.fixture
def catalog(repo: RepoBuilder) -> RepoBuilder:
    repo.template("web").template("db")
    repo.commit("feat: catalog")
    repo.tag("db@1.0.0", message="db 1.0.0")
    for n in range(3):
        change(repo, "web", f"fix(web): old {n}")
    repo.tag("web@1.0.0", message="web 1.0.0")
    return repo


def test_only_the_commits_above_the_oldest_latest_release_are_read(
    catalog: RepoBuilder, monkeypatch: pytest.MonkeyPatch
):
    change(catalog, "db", "fix(db): a")
    catalog.tag("db@1.0.1", message="db 1.0.1")  # now web@1.0.0 is the oldest latest release
    change(catalog, "web", "fix(web): b")
    change(catalog, "db", "feat(db): c")
    bounded, full, read = walks(catalog, monkeypatch)
    assert bounded == full
    assert read == [4, 7]  # web@1.0.0 and above, then everything
    assert unreleased(bounded, "web") == ["b"]
    assert unreleased(bounded, "db") == ["c"]


def test_a_newer_release_head_does_not_reach_does_not_raise_the_floor(
    catalog: RepoBuilder, monkeypatch: pytest.MonkeyPatch
):
    change(catalog, "web", "fix(web): on main")
    catalog.run("checkout", "-q", "-b", "maintenance")
    change(catalog, "web", "fix(web): on the branch")
    change(catalog, "db", "fix(db): on the branch")
    catalog.tag("web@1.1.0", message="web 1.1.0").tag("db@1.1.0", message="db 1.1.0")
    catalog.run("checkout", "-q", "main")
    change(catalog, "web", "fix(web): after")
    bounded, full, read = walks(catalog, monkeypatch)
    assert bounded == full
    assert read[0] < read[1]
    assert unreleased(bounded, "web") == ["after", "on main"]


def test_releases_made_on_a_merged_branch_bound_the_walk_too(
    catalog: RepoBuilder, monkeypatch: pytest.MonkeyPatch
):
    catalog.run("checkout", "-q", "-b", "feature")
    change(catalog, "web", "fix(web): on the feature")
    catalog.tag("web@1.0.1", message="web 1.0.1")
    catalog.run("checkout", "-q", "main")
    change(catalog, "db", "fix(db): on main")
    catalog.tag("db@1.0.1", message="db 1.0.1")
    catalog.run("merge", "-q", "--no-ff", "-m", "Merge feature", "feature")
    change(catalog, "web", "feat(web): after the merge")
    bounded, full, read = walks(catalog, monkeypatch)
    assert bounded == full
    assert read[0] < read[1]
    assert unreleased(bounded, "web") == ["after the merge"]
    assert unreleased(bounded, "db") == []


def never_released(catalog: RepoBuilder) -> None:
    catalog.template("new")
    catalog.commit("feat(new): a template")


def first_parent(catalog: RepoBuilder) -> None:
    change(catalog, "db", "fix(db): a")
    catalog.tag("db@1.0.1", message="db 1.0.1")
    catalog.write({"gitops-templates.yaml": "first_parent: true\n"})
    catalog.commit("chore: walk first parents")


@pytest.mark.parametrize(
    ("setup", "commits"),
    [(never_released, 5), (first_parent, 6)],
    ids=["a component never released", "the first-parent chain"],
)
def test_without_a_floor_the_whole_history_is_read(
    catalog: RepoBuilder,
    monkeypatch: pytest.MonkeyPatch,
    setup: Callable[[RepoBuilder], None],
    commits: int,
):
    setup(catalog)
    bounded, full, read = walks(catalog, monkeypatch)
    assert bounded == full
    assert read == [commits, commits]


def test_a_short_walk_of_a_long_history_still_writes_the_missing_commit_graph(
    catalog: RepoBuilder, monkeypatch: pytest.MonkeyPatch
):
    import time

    monkeypatch.setattr(collecting, "COMMIT_GRAPH_THRESHOLD", 4)  # 4 commits, 1 read
    catalog.tag("db@1.0.1", message="db 1.0.1")
    repo = Catalog(catalog.path).workspace.repo
    assert not repo.has_commit_graph()
    read = count_reads(monkeypatch)
    Catalog(catalog.path, use_cache=False).status()
    assert read == [1]
    deadline = time.monotonic() + 20
    while not repo.has_commit_graph() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert repo.has_commit_graph()


def test_the_changes_come_in_one_order_however_history_was_read(
    catalog: RepoBuilder, monkeypatch: pytest.MonkeyPatch
):
    """One pass, two halves or above the floor: newest first by date on every machine."""
    from gitops_templates.git import _log

    def touch(message: str) -> None:  # a file of its own: the branches merge cleanly
        catalog.write({f"templates/web/{message.split(': ')[1]}.txt": "x\n"}).commit(message)

    catalog.run("checkout", "-q", "-b", "side")
    touch("fix(web): side 1")
    touch("fix(web): side 2")
    catalog.run("checkout", "-q", "main")
    touch("fix(web): main 1")
    catalog.tag("db@1.0.1", message="db 1.0.1")
    touch("fix(web): main 2")
    catalog.tag("db@1.0.2", message="db 1.0.2")
    catalog.run("checkout", "-q", "side")
    catalog.run("merge", "-q", "--no-ff", "-m", "Merge main into side", "main")
    catalog.run("checkout", "-q", "main")
    catalog.run("merge", "-q", "--ff-only", "side")
    touch("fix(web): after")
    expected = ["after", "main 2", "main 1", "side 2", "side 1"]
    for split_from in (10_000, 2):  # one pass, then two halves
        monkeypatch.setattr(_log, "PARALLEL_LOG_MIN", split_from)
        bounded, full, read = walks(catalog, monkeypatch)
        assert bounded == full
        assert read[0] < read[1]
        assert unreleased(bounded, "web") == expected
