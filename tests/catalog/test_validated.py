"""Clean validation verdicts remembered by content: skipped when unchanged, never stale."""

from __future__ import annotations

import subprocess

import pytest

from gitops_templates import Catalog
from gitops_templates.catalog import validation
from gitops_templates.catalog.validated import blob_id
from tests.helpers import RepoBuilder


@pytest.fixture
def catalog(repo: RepoBuilder) -> RepoBuilder:
    repo.template("web").template("api")
    repo.commit("feat: templates")
    return repo


def count_validations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real = validation.validate_template

    def spy(directory, source, tid, render=None):
        seen.append(tid)
        return real(directory, source, tid, render)

    monkeypatch.setattr(validation, "validate_template", spy)
    return seen


def test_blob_ids_are_gits(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"hello\n")
    expected = subprocess.run(["git", "hash-object", str(path)], capture_output=True,
                              text=True, check=True).stdout.strip()  # fmt: skip
    assert blob_id(b"hello\n") == expected


def test_an_unchanged_template_is_not_validated_again(
    catalog: RepoBuilder, monkeypatch: pytest.MonkeyPatch
):
    seen = count_validations(monkeypatch)
    assert Catalog(catalog.path).validate().valid
    assert sorted(seen) == ["api", "web"]
    seen.clear()
    report = Catalog(catalog.path).validate()
    assert report.valid
    assert seen == []
    assert len(report.checked) == 2
    assert Catalog(catalog.path, use_cache=False).validate().valid
    assert sorted(seen) == ["api", "web"]  # caches off: everything again


@pytest.mark.parametrize(
    "change",
    [
        {"templates/web/examples/bad.yaml": "replicas: 0\n"},  # a new file
        {"templates/web/body.yaml.j2": "other: {{ name }}\n"},  # content of another file
    ],
)
def test_any_changed_file_revalidates_its_template_only(
    catalog: RepoBuilder, monkeypatch: pytest.MonkeyPatch, change: dict[str, str]
):
    Catalog(catalog.path).validate()
    seen = count_validations(monkeypatch)
    catalog.write(change)
    Catalog(catalog.path).validate()
    assert seen == ["web"]


def test_problems_are_never_remembered(catalog: RepoBuilder, monkeypatch: pytest.MonkeyPatch):
    catalog.write({"templates/web/examples/bad.yaml": "replicas: 0\n"})
    first = Catalog(catalog.path).validate()
    seen = count_validations(monkeypatch)
    second = Catalog(catalog.path).validate()
    assert not first.valid
    assert second.problems == first.problems
    assert seen == ["web"]


def test_a_mode_change_revalidates(catalog: RepoBuilder, monkeypatch: pytest.MonkeyPatch):
    Catalog(catalog.path).validate()
    seen = count_validations(monkeypatch)
    (catalog.path / "templates/web/body.yaml.j2").chmod(0o755)
    Catalog(catalog.path).validate()
    assert seen == ["web"]
