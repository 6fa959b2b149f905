"""A catalog in a subdirectory of a larger repository is found from the given directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops_templates.catalog.config import Settings, catalog_root
from tests.conftest import Cli
from tests.helpers import TEMPLATE_YAML, RepoBuilder


@pytest.fixture
def monorepo(repo: RepoBuilder) -> RepoBuilder:
    repo.write({
        "README.md": "a larger repository\n",
        "services/api/main.py": "print('hi')\n",
        "catalog/gitops-templates.yaml": "initial_version: '1.0.0'\n",
        "catalog/templates/web/template.yaml": TEMPLATE_YAML.format(id="web", name="Web"),
        "catalog/templates/web/body.yaml.j2": "name: {{ name }}\n",
    })  # fmt: skip
    repo.commit("feat(web): a catalog in a subdirectory")
    return repo


@pytest.mark.parametrize("where", ["catalog", "catalog/templates", "catalog/templates/web"])
def test_commands_find_the_catalog_from_inside_it(monorepo: RepoBuilder, cli: Cli, where: str):
    target = monorepo.path / where
    report = cli.json("validate", repo=target)
    assert report["checked"] == [
        "catalog/gitops-templates.yaml",
        "catalog/templates/web/template.yaml",
    ]
    [web] = cli.json("status", repo=target)["components"]
    assert (web["id"], web["path"], web["next"]) == ("web", "catalog/templates/web", "1.0.0")
    cli("release", repo=target)
    assert monorepo.tag_names() == {"web@1.0.0"}
    cli("docs", repo=target)
    assert (monorepo.path / "catalog/templates/web/README.md").is_file()
    assert (monorepo.path / "catalog/TEMPLATES.md").is_file()


def test_from_the_root_a_catalog_below_is_not_guessed_and_the_user_is_told(
    monorepo: RepoBuilder, cli: Cli
):
    report = cli.json("validate")
    assert [w["code"] for w in report["warnings"]] == ["no-templates"]
    assert "pass --repo the catalog's directory" in cli("status").stderr


def test_rollback_writes_yanked_yaml_inside_the_catalog(monorepo: RepoBuilder, cli: Cli):
    target = monorepo.path / "catalog"
    cli("release", repo=target)
    monorepo.write({"catalog/templates/web/body.yaml.j2": "name: {{ name }}!\n"})
    monorepo.commit("fix(web): exclaim")
    cli("release", repo=target)
    cli("rollback", "web", "--to", "1.0.0", "--reason", "loud", repo=target)
    assert "web:" in (monorepo.path / "catalog/.gitops-templates/yanked.yaml").read_text()
    assert not (monorepo.path / ".gitops-templates").exists()


def test_catalog_root_stops_at_the_repository(tmp_path: Path):
    top = tmp_path / "repo"
    (top / "a/b").mkdir(parents=True)
    assert catalog_root(top / "a/b", top) == top
    (top / "a/templates").mkdir()
    assert catalog_root(top / "a/b", top) == top / "a"
    assert catalog_root(top, top) == top


def test_rebased_settings_prefix_every_catalog_path():
    settings = Settings().rebased("catalog")
    assert settings.templates_dir == "catalog/templates"
    assert settings.docs.index == "catalog/TEMPLATES.md"
    assert settings.path(".gitops-templates/yanked.yaml") == "catalog/.gitops-templates/yanked.yaml"
    assert Settings().rebased("") == Settings()
