"""Clean validation verdicts remembered by content: skipped when unchanged, never stale."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from gitops_templates import Catalog
from gitops_templates.catalog import parallel, validation
from gitops_templates.catalog.parallel import can_fork
from gitops_templates.catalog.validated import blob_id
from tests.helpers import RepoBuilder, count_forks


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


@pytest.mark.skipif(not can_fork(), reason="forks only on Linux with 2+ cores")
def test_many_templates_validated_on_two_cores_give_the_serial_report(
    repo: RepoBuilder, monkeypatch: pytest.MonkeyPatch
):
    for n in range(validation.PARALLEL_MIN + 4):
        repo.template(f"t{n:02d}")
    broken = {"t03": "replicas: 0\n", "t10": "replicas: -1\n", "t31": "replicas: x\n"}
    repo.write({f"templates/{tid}/examples/bad.yaml": text for tid, text in broken.items()})
    repo.write({"templates/t20/template.yaml": "id: t20\nversion: [\n"})
    (repo.path / "templates/t21/template.yaml").unlink()
    repo.commit("feat: many templates")
    state = repo.path / ".git/gitops-templates"
    monkeypatch.setattr(parallel, "can_fork", lambda: False)
    serial = Catalog(repo.path).validate()
    shutil.rmtree(state)
    monkeypatch.undo()
    children = count_forks(monkeypatch)
    forked = Catalog(repo.path).validate()
    assert children  # the second core was used
    assert forked == serial
    files = [str(p.file) for p in serial.problems]
    assert files == sorted(files)  # in directory order, as the serial loop finds them
    assert sorted({f.split("/")[1] for f in files}) == ["t03", "t10", "t20", "t21", "t31"]
    seen = count_validations(monkeypatch)  # the clean verdicts found there were remembered
    assert Catalog(repo.path).validate() == serial
    assert sorted(seen) == ["t03", "t10", "t20", "t31"]
