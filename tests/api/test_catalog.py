"""The facade: one `Catalog` joining each capability's part, returning results, printing nothing."""

from __future__ import annotations

import inspect

import pytest

from gitops_templates import Catalog
from gitops_templates.api.health import HealthApi
from gitops_templates.api.hooks import HooksApi
from gitops_templates.api.migrations import MigrationsApi
from gitops_templates.api.rendering import RenderingApi
from gitops_templates.api.rollback import RollbackApi
from gitops_templates.api.versioning import VersioningApi
from tests.helpers import RepoBuilder

PARTS = (VersioningApi, RenderingApi, MigrationsApi, HealthApi, RollbackApi, HooksApi)


@pytest.fixture
def catalog(repo: RepoBuilder) -> Catalog:
    repo.template("web")
    repo.commit("feat(web): first")
    return Catalog(repo.path)


def public(cls: type) -> set[str]:
    return {name for name, _ in inspect.getmembers(cls, inspect.isfunction)
            if not name.startswith("_")}  # fmt: skip


def test_every_part_is_joined_and_no_method_is_defined_twice():
    names = [name for part in PARTS for name in public(part)]
    assert len(names) == len(set(names))
    assert set(names) <= public(Catalog)
    assert {"validate", "docs", "init", "new"} <= public(Catalog)


def test_every_method_says_what_it_does():
    undocumented = [name for name in public(Catalog)
                    if not inspect.getdoc(getattr(Catalog, name))]  # fmt: skip
    assert undocumented == []


def test_methods_from_different_parts_share_one_workspace(catalog: Catalog, capsys):
    plan = catalog.plan()
    rendered = catalog.render("web", values={"name": "shop"})
    report = catalog.validate()
    assert [r.id for r in plan.releases] == ["web"]
    assert rendered.files == {"body.yaml": "name: shop\n"}
    assert report.problems == ()
    assert "templates/web/template.yaml" in report.checked
    assert capsys.readouterr() == ("", "")
