"""Comparisons computed in a forked child during a cold walk change no plan."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest

from gitops_templates import Catalog, to_json
from gitops_templates.catalog import parallel
from gitops_templates.catalog.parallel import can_fork
from gitops_templates.compat import check, memo, prefetch
from tests.compat.test_compatibility import drop_replicas
from tests.helpers import RepoBuilder, forget_plans

FACTS = ".git/gitops-templates/objects-v1.json"
needs_fork = pytest.mark.skipif(not can_fork(), reason="forks only on Linux with 2+ cores")


@pytest.fixture
def line(repo: RepoBuilder, cli) -> RepoBuilder:
    """web 1.0.0 and 1.0.1, then an undeclared breaking change; api released, unchanged."""
    repo.write({"gitops-templates.yaml": "compatibility: escalate\ninitial_version: '1.0.0'\n"})
    repo.template("web")
    repo.template("api")
    repo.commit("feat(web): first")
    cli("release")
    (repo.path / "templates/web/body.yaml.j2").write_text("changed: {{ name }}\n")
    repo.commit("fix(web): body")
    cli("release")
    drop_replicas(repo)
    repo.commit("fix(web): tidy parameters")
    return repo


def cold_plan(repo: RepoBuilder, **kwargs: object) -> dict[str, object]:
    (repo.path / FACTS).unlink(missing_ok=True)
    (repo.path / ".git/gitops-templates/state-v2.json").unlink(missing_ok=True)
    forget_plans(repo)
    check._parsed_blob.cache_clear()
    data: dict[str, object] = to_json(Catalog(repo.path, **kwargs).plan())  # type: ignore[arg-type]
    return data


def serial_plan(line: RepoBuilder, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """The cold plan without a child; children are allowed from here on."""
    monkeypatch.setattr(prefetch, "MIN_TAGS", 10_000)
    serial = cold_plan(line)
    monkeypatch.setattr(prefetch, "MIN_TAGS", 0)
    return serial


@needs_fork
def test_the_child_computes_the_comparisons_and_the_plan_is_the_same(
    line: RepoBuilder, monkeypatch: pytest.MonkeyPatch
):
    serial = serial_plan(line, monkeypatch)
    computed_here = []
    real = check.raw_findings

    def counted(*args: object, **kwargs: object) -> object:
        computed_here.append(1)  # counts in this process only, never in the child
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(check, "raw_findings", counted)
    monkeypatch.setattr(parallel.Streamed, "ready", child_first(parallel.Streamed.ready))
    assert cold_plan(line) == serial
    assert computed_here == [], "the child's findings were not used"
    stored = json.loads((line.path / FACTS).read_text())["tables"]
    assert stored[f"compat-{memo.RULES_VERSION}"], "what the child learned was not saved"
    assert cold_plan(line, use_cache=False) == serial  # caches off: the child still helps


def child_first(
    ready: Callable[[parallel.Streamed], list[object]],
) -> Callable[[parallel.Streamed], list[object]]:
    """`Streamed.ready` that lets the child finish first: what it sent is all there."""

    def waiting(stream: parallel.Streamed) -> list[object]:
        stream.join()
        return ready(stream)

    return waiting


@needs_fork
def test_what_the_child_has_not_sent_yet_is_computed_here_without_waiting(
    line: RepoBuilder, monkeypatch: pytest.MonkeyPatch
):
    serial = serial_plan(line, monkeypatch)
    real = prefetch._learned

    def slow(*args: object) -> None:
        time.sleep(60)  # the child sends nothing before this process has done it all
        real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(prefetch, "_learned", slow)
    started = time.monotonic()
    assert cold_plan(line) == serial
    assert time.monotonic() - started < 30, "waited for the child"


@needs_fork
def test_a_child_that_fails_changes_nothing(line: RepoBuilder, monkeypatch: pytest.MonkeyPatch):
    serial = serial_plan(line, monkeypatch)

    def broken(*_: object) -> dict[str, object]:
        raise RuntimeError("the child fails")

    monkeypatch.setattr(prefetch, "_learned", broken)
    assert cold_plan(line) == serial


def test_no_child_when_the_stored_state_spares_the_walk(
    line: RepoBuilder, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(prefetch, "MIN_TAGS", 0)
    Catalog(line.path).plan()
    forget_plans(line)  # the stored state, not the remembered plan, spares the walk
    started: list[object] = []
    monkeypatch.setattr(parallel, "fork_stream", started.append)
    Catalog(line.path).plan()
    assert started == []
