"""Warm runs (from the stored state) must agree with full walks, step by step."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gitops_templates import Catalog
from tests.helpers import RepoBuilder, git


def snapshot(repo: RepoBuilder, *, cache: bool) -> dict[str, Any]:
    data = Catalog(repo.path, use_cache=cache).status().to_dict()
    data["warnings"] = sorted(json.dumps(w, sort_keys=True) for w in data["warnings"])
    return data


def agree(repo: RepoBuilder) -> dict[str, Any]:
    warm = snapshot(repo, cache=True)
    assert warm == snapshot(repo, cache=False)
    return warm


def state_head(repo: RepoBuilder) -> str:
    state = repo.path / ".git" / "gitops-templates" / "state-v2.json"
    return str(json.loads(state.read_text())["head"])


@pytest.fixture
def catalog(repo: RepoBuilder) -> RepoBuilder:
    repo.template("web", "{% include '_shared/labels.j2' %}\n").template("db")
    repo.write({"templates/_shared/labels.j2": "a\n"}).commit("feat: catalog")
    repo.tag("web@1.0.0", message="m")
    agree(repo)
    return repo


def test_new_commits_are_added_incrementally(catalog: RepoBuilder):
    catalog.write({"templates/web/body.yaml.j2": "{% include '_shared/labels.j2' %}\nx\n"})
    catalog.commit("fix(web): x")
    catalog.write({"templates/db/body.yaml.j2": "y\n"}).commit("feat(db)!: y")
    catalog.commit("chore: empty", trailers={"Template": "web"}, allow_empty=True)
    data = agree(catalog)
    assert state_head(catalog) == catalog.head()
    web = next(c for c in data["components"] if c["id"] == "web")
    assert [c["subject"] for c in web["unreleased"]] == ["empty", "x"]


def test_shared_partial_and_include_changes(catalog: RepoBuilder):
    catalog.write({"templates/_shared/labels.j2": "b\n"}).commit("fix: labels")
    agree(catalog)
    catalog.write({"templates/db/body.yaml.j2": "{% include '_shared/labels.j2' %}\n"})
    catalog.commit("feat(db): use labels")  # db now includes the partial: full walk
    data = agree(catalog)
    db = next(c for c in data["components"] if c["id"] == "db")
    assert "labels" in [c["subject"] for c in db["unreleased"]]


def test_tags_created_moved_or_reachable_again(catalog: RepoBuilder):
    catalog.write({"templates/web/body.yaml.j2": "z\n"}).commit("fix(web): z")
    agree(catalog)
    catalog.tag("web@1.0.1", message="m")
    agree(catalog)
    catalog.run("checkout", "-q", "-b", "side")
    catalog.write({"templates/db/body.yaml.j2": "side\n"}).commit("feat(db): side")
    catalog.tag("db@0.5.0", message="m")
    catalog.run("checkout", "-q", "main")
    catalog.write({"templates/web/body.yaml.j2": "main\n"}).commit("fix(web): main")
    agree(catalog)
    git(catalog.path, "merge", "-q", "--no-ff", "side", "-m", "Merge side",
        env={"GIT_AUTHOR_DATE": "1767900000 +0000", "GIT_COMMITTER_DATE": "1767900000 +0000"})  # fmt: skip
    data = agree(catalog)
    db = next(c for c in data["components"] if c["id"] == "db")
    assert db["current"] == "0.5.0"


def test_history_rewritten_under_the_stored_head(catalog: RepoBuilder):
    catalog.write({"templates/web/body.yaml.j2": "1\n"}).commit("feat(web): one")
    agree(catalog)
    catalog.run("reset", "-q", "--hard", "HEAD~1")
    catalog.write({"templates/web/body.yaml.j2": "2\n"}).commit("fix(web): two")
    data = agree(catalog)
    web = next(c for c in data["components"] if c["id"] == "web")
    assert [c["subject"] for c in web["unreleased"]] == ["two"]


def test_first_parent_mode(catalog: RepoBuilder):
    catalog.write({"gitops-templates.yaml": "first_parent: true\n"}).commit("chore: config")
    agree(catalog)
    catalog.run("checkout", "-q", "-b", "feature")
    catalog.write({"templates/db/body.yaml.j2": "f\n"}).commit("feat(db): on branch")
    agree(catalog)  # the state is now at the branch tip
    catalog.run("checkout", "-q", "main")
    git(catalog.path, "merge", "-q", "--no-ff", "feature", "-m", "feat(db): merged (#3)",
        env={"GIT_AUTHOR_DATE": "1767900000 +0000", "GIT_COMMITTER_DATE": "1767900000 +0000"})  # fmt: skip
    data = agree(catalog)
    db = next(c for c in data["components"] if c["id"] == "db")
    assert [c["subject"] for c in db["unreleased"]] == ["merged (#3)", "catalog"]


def test_corrupt_state_is_ignored(catalog: RepoBuilder):
    state = catalog.path / ".git" / "gitops-templates" / "state-v2.json"
    state.write_text("{not json")
    agree(catalog)
    data = json.loads(state.read_text())
    data["changes"]["web"] = [["x"]]
    state.write_text(json.dumps(data))
    agree(catalog)


def test_a_config_validated_once_is_not_validated_again_until_it_changes(repo: RepoBuilder):
    import subprocess
    import sys

    from gitops_templates import Catalog
    from gitops_templates.errors import ConfigError

    repo.template("web").write({"gitops-templates.yaml": "tag_format: '{id}-v{version}'\n"})
    repo.commit("feat: web")
    assert Catalog(repo.path).workspace.settings.tag_format == "{id}-v{version}"
    code = ("import sys\nfrom gitops_templates import Catalog\n"
            "print(Catalog('.').workspace.settings.tag_format, 'jsonschema' in sys.modules)")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], cwd=repo.path, capture_output=True,
                         text=True, check=True)  # fmt: skip
    assert out.stdout.split() == ["{id}-v{version}", "False"]
    (repo.path / "gitops-templates.yaml").write_text("tag_format: 3\n")  # changed: checked again
    with pytest.raises(ConfigError, match="invalid"):
        _ = Catalog(repo.path).workspace.settings
