"""A plan remembered whole: read back only when nothing it is computed from changed."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gitops_templates import Catalog
from gitops_templates.errors import CompatibilityError, ShallowRepositoryError
from gitops_templates.git import result_memo
from gitops_templates.versioning import plan as plan_module
from gitops_templates.versioning.plan import ReleasePlan
from gitops_templates.versioning.plan_memo import _plan, stored_form
from tests.compat.test_compatibility import drop_replicas
from tests.helpers import RepoBuilder, git
from tests.rollback.test_recover import stale_lock

RESULTS = ".git/gitops-templates/results"


@pytest.fixture
def catalog(repo: RepoBuilder, cli) -> RepoBuilder:
    """web released, then an undeclared breaking change; db with a feature since 0.1.0."""
    repo.write({"gitops-templates.yaml": "compatibility: escalate\n"})
    repo.template("web").template("db")
    repo.commit("feat: first")
    cli("release")
    drop_replicas(repo)
    repo.commit("fix(web): tidy parameters")
    repo.write({"templates/db/body.yaml.j2": "db: {{ name }}\n"}).commit("feat(db): body")
    return repo


def plan(repo: RepoBuilder, *ids: str, pre: str | None = None) -> ReleasePlan:
    return Catalog(repo.path).plan(ids, pre=pre)


def computed(repo: RepoBuilder, *ids: str, pre: str | None = None) -> ReleasePlan:
    return Catalog(repo.path, use_cache=False).plan(ids, pre=pre)


@pytest.fixture
def computations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Counts the plans worked out (not read back) in this process."""
    seen: list[str] = []
    real = plan_module._computed_plan

    def counted(*args: object) -> ReleasePlan:
        seen.append("computed")
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(plan_module, "_computed_plan", counted)
    return seen


def test_a_remembered_plan_equals_the_computed_one_in_every_field(
    catalog: RepoBuilder, computations: list[str]
):
    first = plan(catalog)
    web = {r.id: r for r in first.releases}["web"]
    assert all([web.findings, web.sections, web.proposed_migration, web.day])
    assert [n.code for n in first.notices] == ["compatibility-escalated"]
    assert plan(catalog) == first
    assert computed(catalog) == first
    assert computations == ["computed", "computed"]  # the cache-less one computes again
    assert _plan(json.loads(json.dumps(stored_form(first)))) == first


def bump_db(repo: RepoBuilder) -> None:
    repo.write({"templates/db/body.yaml.j2": "db2\n"}).commit("feat(db)!: new body")


def tag_db(repo: RepoBuilder) -> None:
    repo.tag("db@0.2.0", message="m")


def delete_web_tag(repo: RepoBuilder) -> None:
    repo.run("tag", "-d", "web@0.1.0")


def move_web_tag(repo: RepoBuilder) -> None:
    repo.run("tag", "-d", "web@0.1.0")
    repo.tag("web@0.1.0", message="m", rev="HEAD~1")


def warn_only(repo: RepoBuilder) -> None:
    (repo.path / "gitops-templates.yaml").write_text("compatibility: warn\n")  # not committed


def waive_the_rule(repo: RepoBuilder) -> None:
    rules = repo.path / ".gitops-templates" / "compatibility-rules.yaml"
    rules.parent.mkdir(exist_ok=True)
    rules.write_text("param-removed: none\n")


@pytest.mark.parametrize(
    "change",
    [bump_db, tag_db, delete_web_tag, move_web_tag, warn_only, waive_the_rule],
)
def test_a_change_to_any_input_is_seen(catalog: RepoBuilder, change: Callable[..., None]):
    before = plan(catalog)
    change(catalog)
    after = plan(catalog)
    assert after == computed(catalog)
    assert after != before


def test_each_selection_and_prerelease_token_has_its_own_plan(catalog: RepoBuilder):
    assert [r.id for r in plan(catalog, "db").releases] == ["db"]
    assert [r.id for r in plan(catalog).releases] == ["db", "web"]
    assert plan(catalog, pre="rc").releases[0].next.endswith("-rc.1")
    assert plan(catalog) == computed(catalog)
    assert plan(catalog, "db") == computed(catalog, "db")


def test_another_build_of_the_tool_computes_again(
    catalog: RepoBuilder, computations: list[str], monkeypatch: pytest.MonkeyPatch
):
    plan(catalog)
    plan(catalog)
    assert computations == ["computed"]
    monkeypatch.setattr(result_memo, "tool_identity", lambda: "an upgraded tool")
    plan(catalog)
    assert computations == ["computed", "computed"]


def test_what_is_said_of_the_repository_now_is_never_remembered(catalog: RepoBuilder):
    plan(catalog)
    stale_lock(catalog)
    assert "interrupted" in [n.code for n in plan(catalog).notices]
    (catalog.path / ".git" / "gitops-templates.lock").unlink()
    assert "interrupted" not in [n.code for n in plan(catalog).notices]


def test_without_tags_a_clone_with_remotes_is_told_so_every_time(catalog: RepoBuilder):
    for tag in catalog.tag_names():
        catalog.run("tag", "-d", tag)
    assert "no-tags" not in [n.code for n in plan(catalog).notices]
    catalog.run("remote", "add", "origin", "https://example.invalid/catalog.git")
    assert "no-tags" in [n.code for n in plan(catalog).notices]


def stored_plans(repo: RepoBuilder) -> list[Path]:
    """Newest first."""
    found = (repo.path / RESULTS).glob("plan-*")
    return sorted(found, key=lambda p: p.stat().st_mtime_ns, reverse=True)


def test_a_failing_plan_is_never_stored(catalog: RepoBuilder):
    (catalog.path / "gitops-templates.yaml").write_text("compatibility: enforce\n")
    before = stored_plans(catalog)  # `release` planned before the breaking change
    for _ in range(2):
        with pytest.raises(CompatibilityError):
            plan(catalog)
    assert stored_plans(catalog) == before


def test_a_shallow_clone_is_refused_every_time(catalog: RepoBuilder, tmp_path: Path):
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{catalog.path}", str(clone))
    for _ in range(2):
        with pytest.raises(ShallowRepositoryError):
            Catalog(clone).plan()


@pytest.mark.parametrize(
    "damage",
    ["{not json", '{"key": "other", "value": []}', "[]", "KEY-[1, 2]", 'KEY-["h", "f", null, [], '
     '[["web", "web@1", null, "1", 9, 1, "", [], "", 0, [], "", "", [], ""]]]'],
)  # fmt: skip
def test_a_damaged_stored_plan_is_computed_again(catalog: RepoBuilder, damage: str):
    first = plan(catalog)
    stored = stored_plans(catalog)[0]
    key = json.loads(stored.read_text())["key"]
    if damage.startswith("KEY-"):
        damage = json.dumps({"key": key, "value": json.loads(damage[4:])})
    stored.write_text(damage)
    assert plan(catalog) == first


def test_a_tag_made_while_a_plan_is_computed_is_not_remembered_under_the_old_key(
    catalog: RepoBuilder, monkeypatch: pytest.MonkeyPatch
):
    shutil.rmtree(catalog.path / ".git" / "gitops-templates")  # no tag facts yet
    real = plan_module._computed_plan

    def tagging(*args: object) -> ReleasePlan:
        catalog.tag("db@0.2.0", message="m")  # after the listing the key was made of
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(plan_module, "_computed_plan", tagging)
    plan(catalog)
    monkeypatch.undo()
    catalog.run("tag", "-d", "db@0.2.0")  # the repository as it was keyed
    assert plan(catalog) == computed(catalog)
    assert "db" in [r.id for r in plan(catalog).releases]


def test_a_rules_file_written_while_a_plan_is_computed_is_not_remembered_under_the_old_key(
    catalog: RepoBuilder, monkeypatch: pytest.MonkeyPatch
):
    real = plan_module._computed_plan

    def writing(*args: object) -> ReleasePlan:
        waive_the_rule(catalog)  # after the key read the file (there was none)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(plan_module, "_computed_plan", writing)
    plan(catalog)
    monkeypatch.undo()
    (catalog.path / ".gitops-templates" / "compatibility-rules.yaml").unlink()
    assert plan(catalog) == computed(catalog)


def forged(repo: RepoBuilder, change: Callable[[list[Any]], None]) -> None:
    stored = stored_plans(repo)[0]
    data = json.loads(stored.read_text())
    change(data["value"])
    stored.write_text(json.dumps(data))


def other_head(value: list[Any]) -> None:
    value[0] = "0" * 40


def other_token(value: list[Any]) -> None:
    value[2] = "rc"


def other_tag(value: list[Any]) -> None:
    value[4][0][1] = "db@9.9.9"


@pytest.mark.parametrize("change", [other_head, other_token, other_tag])
def test_a_stored_plan_is_never_trusted_beyond_what_was_asked(
    catalog: RepoBuilder, change: Callable[[list[Any]], None]
):
    first = plan(catalog)
    forged(catalog, change)
    assert plan(catalog) == first


def test_a_stored_plan_with_releases_outside_the_selection_is_computed_again(
    catalog: RepoBuilder,
):
    first = plan(catalog, "db")
    forged(catalog, lambda value: value[4].extend(stored_form(plan(catalog))[4]))
    assert plan(catalog, "db") == first
