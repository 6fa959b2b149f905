"""Warm runs (from the stored state) must agree with full walks, step by step."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from gitops_templates import Catalog
from gitops_templates.core.jsonform import to_json
from gitops_templates.git.repo import GitRepo
from tests.helpers import RepoBuilder, git


def snapshot(repo: RepoBuilder, *, cache: bool) -> dict[str, Any]:
    data: dict[str, Any] = to_json(Catalog(repo.path, use_cache=cache).status())
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


def facts_file(repo: RepoBuilder) -> Path:
    return repo.path / ".git" / "gitops-templates" / "objects-v1.json"


def yanked_versions(repo: RepoBuilder, *, cache: bool = True) -> set[str]:
    from gitops_templates.catalog.yanked import read_yanked, versions_of

    return versions_of(read_yanked(Catalog(repo.path, use_cache=cache).workspace), "web")


YANKED = "web:\n  - {version: 1.0.0, reason: slow, by: web@1.0.1, date: 2026-11-24}\n"


def test_yanked_versions_are_remembered_by_blob_and_reread_when_the_file_changes(
    catalog: RepoBuilder,
):
    catalog.write({".gitops-templates/yanked.yaml": YANKED}).commit("chore: yank")
    assert yanked_versions(catalog) == {"1.0.0"}
    blob = git(catalog.path, "rev-parse", "HEAD:.gitops-templates/yanked.yaml").strip()
    tables = json.loads(facts_file(catalog).read_text())["tables"]
    assert tables["yanked"][blob]["web"][0]["date"] == "2026-11-24"  # a YAML date, kept as text
    catalog.write({".gitops-templates/yanked.yaml": YANKED.replace("1.0.0", "1.1.0")})
    catalog.commit("chore: yank another")
    assert yanked_versions(catalog) == {"1.1.0"} == yanked_versions(catalog, cache=False)


def test_corrupt_or_misshapen_object_facts_are_not_trusted(catalog: RepoBuilder):
    catalog.write({".gitops-templates/yanked.yaml": YANKED}).commit("chore: yank")
    assert yanked_versions(catalog) == {"1.0.0"}
    facts_file(catalog).write_text("{not json")
    assert yanked_versions(catalog) == {"1.0.0"}
    for misshapen in (["not", "a", "mapping"], {"web": "not a list"}, {"web": [{"v": 1}]}):
        data = json.loads(facts_file(catalog).read_text())
        for key in data["tables"]["yanked"]:
            data["tables"]["yanked"][key] = misshapen
        facts_file(catalog).write_text(json.dumps(data))
        assert yanked_versions(catalog) == {"1.0.0"}  # read from Git again, no false error


def test_blob_ids_of_released_metadata_are_remembered_only_for_commit_ids(catalog: RepoBuilder):
    from gitops_templates.compat.check import snapshots

    ws = Catalog(catalog.path).workspace
    web = ws.component("web")
    tagged = git(catalog.path, "rev-parse", "web@1.0.0^{commit}").strip()
    found = snapshots(ws, [(web, "1.0.0", tagged), (web, "HEAD", "HEAD")], files=False)
    expected = git(catalog.path, "rev-parse", "HEAD:templates/web/template.yaml").strip()
    assert found[("web", "1.0.0")].meta_id == expected == found[("web", "HEAD")].meta_id
    remembered = json.loads(facts_file(catalog).read_text())["tables"]["blob"]
    assert remembered == {f"{tagged}:templates/web/template.yaml": expected}  # never `HEAD:`


@pytest.mark.parametrize("peel_directly", [0, 200])  # through for-each-ref / cat-file
def test_remembered_tag_peels_give_the_same_tags_as_git(
    catalog: RepoBuilder, monkeypatch: pytest.MonkeyPatch, peel_directly: int
):
    from gitops_templates.git import tag_reading

    monkeypatch.setattr(tag_reading, "PEEL_DIRECTLY", peel_directly)
    catalog.tag("db@0.1.0")  # lightweight
    catalog.run("tag", "-a", "-m", "nested", "nested", "web@1.0.0")  # a tag of a tag
    catalog.run("tag", "-a", "-m", "tree", "tree-tag", "HEAD^{tree}")
    expected = Catalog(catalog.path).workspace.repo.tags(details=False)
    first = Catalog(catalog.path).workspace.tags  # learns the peels
    assert first == expected
    facts = json.loads(facts_file(catalog).read_text())
    assert len(facts["tables"]["tag"]) == 3
    for key in facts["tables"]["tag"]:
        facts["tables"]["tag"][key] = ["not-an-id", "noon"]
    facts_file(catalog).write_text(json.dumps(facts))
    catalog.run("tag", "-f", "-a", "-m", "moved", "web@1.0.0", "HEAD")  # a new tag object
    assert Catalog(catalog.path).workspace.tags == Catalog(catalog.path).workspace.repo.tags(
        details=False
    )


def test_a_first_run_reads_refs_and_tags_from_one_peeling_listing(
    catalog: RepoBuilder, monkeypatch: pytest.MonkeyPatch
):
    catalog.tag("db@0.1.0")  # lightweight, to a commit
    catalog.run("tag", "tree-light", "HEAD^{tree}")  # lightweight, to a tree
    catalog.run("tag", "-a", "-m", "nested", "nested", "web@1.0.0")  # a tag of a tag
    repo = GitRepo.discover(catalog.path)
    expected = (repo.tag_listing(), repo.tags(details=False))
    shutil.rmtree(catalog.path / ".git" / "gitops-templates")  # no facts kept yet
    listings: list[str] = []
    real = GitRepo.run

    def counted(self: GitRepo, args: list[str], **kwargs: object) -> bytes:
        listings.extend(a for a in args if a == "for-each-ref")
        return real(self, args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(GitRepo, "run", counted)
    ws = Catalog(catalog.path).workspace
    refs, tags = ws.tag_refs, ws.tags
    assert listings == ["for-each-ref"]  # one listing gave both
    assert [r[:2] for r in refs] == [r[:2] for r in expected[0]]
    assert tags == expected[1]
    kinds = {name: kind for name, _, kind in refs}
    assert (kinds["db@0.1.0"], kinds["web@1.0.0"]) == ("commit", "tag")
    later = Catalog(catalog.path).workspace  # the facts are kept now: refs, then peels
    assert (later.tag_refs, later.tags) == expected
