"""Guarded file access: nothing is read or written outside the repository through a
symlink, special files are refused, sizes are capped."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops_templates.catalog import files
from gitops_templates.errors import InvalidInputError
from tests.conftest import Cli
from tests.helpers import RepoBuilder

SECRET = "top secret\n"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    target = tmp_path / "outside" / "secret.txt"
    target.parent.mkdir()
    target.write_text(SECRET)
    return target


def test_reads_stop_at_the_boundary_special_files_and_the_size_cap(tmp_path: Path, outside: Path):
    root = tmp_path / "repo"
    root.mkdir()
    (root / "ok.txt").write_text("fine")
    (root / "link").symlink_to(outside)
    (root / "zero").symlink_to("/dev/zero")
    (root / "big").write_bytes(b"x" * 2000)
    assert files.read_bytes(root, root / "ok.txt") == b"fine"
    with pytest.raises(InvalidInputError, match="leads outside"):
        files.read_bytes(root, root / "link")
    with pytest.raises(InvalidInputError, match=r"not a regular file|leads outside"):
        files.read_bytes(root, root / "zero")
    with pytest.raises(InvalidInputError, match="larger than 1000 bytes"):
        files.read_bytes(root, root / "big", limit=1000)


def test_real_path_is_what_resolve_gives(tmp_path: Path, outside: Path):
    import os

    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "file").write_text("x")
    (tmp_path / "via").symlink_to(tmp_path / "dir", target_is_directory=True)
    (tmp_path / "relative").symlink_to("dir/file")
    (tmp_path / "away").symlink_to(outside)
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    os.mkfifo(tmp_path / "fifo")  # opened without blocking
    names = ["dir/file", "via/file", "via/../dir", "relative", "away", "dangling", "missing/x",
             "fifo", "via"]  # fmt: skip
    for name in names:
        assert files.real_path(tmp_path / name) == (tmp_path / name).resolve(), name
    with pytest.raises(RuntimeError):
        (tmp_path / "loop").resolve()
    with pytest.raises(RuntimeError):
        files.real_path(tmp_path / "loop")


def test_writes_never_go_through_a_symlink(tmp_path: Path, outside: Path):
    root = tmp_path / "repo"
    (root / "dir").mkdir(parents=True)
    (root / "README.md").symlink_to(outside)
    (root / "linked").symlink_to(outside.parent, target_is_directory=True)
    for path in (root / "README.md", root / "linked" / "x.txt"):
        with pytest.raises(InvalidInputError, match="through a symlink"):
            files.write_text(root, path, "overwritten")
    assert outside.read_text() == SECRET
    assert not (outside.parent / "x.txt").exists()
    files.write_text(root, root / "dir" / "new" / "file.txt", "ok")
    assert (root / "dir/new/file.txt").read_text() == "ok"


def test_walk_does_not_enter_symlinked_directories(tmp_path: Path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a").write_text("a")
    (tmp_path / "d" / "root").symlink_to("/", target_is_directory=True)
    assert [p.name for p in files.walk(tmp_path / "d")] == ["a", "root"]


def test_docs_does_not_overwrite_what_a_readme_symlink_points_to(
    repo: RepoBuilder, cli: Cli, outside: Path
):
    repo.template("web").commit("feat: web")
    (repo.path / "templates/web/README.md").symlink_to(outside)
    result = cli("docs", code=3)
    assert "through a symlink" in result.stderr or "leads outside" in result.stderr
    assert outside.read_text() == SECRET


def test_init_and_new_do_not_write_through_symlinks(repo: RepoBuilder, cli: Cli, outside: Path):
    repo.template("web").commit("feat: web")
    (repo.path / ".github").symlink_to(outside.parent, target_is_directory=True)
    assert "through a symlink" in cli("init", "--github", code=3).stderr
    assert sorted(p.name for p in outside.parent.iterdir()) == ["secret.txt"]
    (repo.path / "templates").rename(repo.path / "real-templates")
    (repo.path / "templates").symlink_to(outside.parent, target_is_directory=True)
    assert "through a symlink" in cli("new", "api", code=3).stderr
    assert sorted(p.name for p in outside.parent.iterdir()) == ["secret.txt"]


@pytest.mark.parametrize("target", ["outside", "/dev/zero"])
def test_validate_reads_no_example_outside_the_template(
    repo: RepoBuilder, cli: Cli, outside: Path, target: str
):
    repo.template("web").commit("feat: web")
    link = repo.path / "templates/web/examples/leak.yaml"
    link.parent.mkdir(parents=True)
    link.symlink_to(outside if target == "outside" else target)
    result = cli("validate", code=3)
    assert "examples/leak.yaml" in result.stderr
    assert "top secret" not in result.stdout + result.stderr


def test_a_plan_file_that_is_a_device_is_invalid_input(repo: RepoBuilder, cli: Cli):
    repo.template("web").commit("feat: web")
    assert "not a regular file" in cli("release", "--plan", "/dev/zero", code=3).stderr


def test_a_doc_template_override_cannot_render_a_file_outside(
    repo: RepoBuilder, cli: Cli, outside: Path
):
    repo.template("web").commit("feat: web")
    repo.write({"gitops-templates.yaml": "docs: {templates_dir: over}\n"})
    (repo.path / "over").mkdir()
    (repo.path / "over" / "template.md.j2").symlink_to(outside)
    result = cli("docs", code=3)
    assert "leads outside" in result.stderr
    assert not (repo.path / "templates/web/README.md").exists()


def test_read_each_reads_regular_files_of_real_subdirectories_only(tmp_path):
    import os

    from gitops_templates.catalog.files import read_each

    base = tmp_path / "templates"
    for name in ("a", "b", "c", "d"):
        (base / name).mkdir(parents=True)
    (base / "a" / "template.yaml").write_text("id: a\n")
    (tmp_path / "secret").write_text("outside\n")
    (base / "b" / "template.yaml").symlink_to(tmp_path / "secret")
    os.mkfifo(base / "c" / "template.yaml")
    (base / "e").symlink_to(base / "a")  # a symlinked template directory
    (base / "loose.yaml").write_text("x\n")
    assert read_each(tmp_path, base, "template.yaml") == {"a": b"id: a\n"}
