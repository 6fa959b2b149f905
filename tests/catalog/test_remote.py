"""`open_catalog`: the repository around us, a local directory, or a cached bare clone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gitops_templates.catalog.remote import (
    RemoteWorkspace,
    cache_root,
    catalog_notices,
    clone_dir,
    clone_name,
    open_catalog,
)
from gitops_templates.cli._output import report_error
from gitops_templates.errors import (
    ExitCode,
    GitOpsTemplatesError,
    NotAGitRepositoryError,
    NotFoundError,
    UsageError,
)
from tests.helpers import RepoBuilder, git


@pytest.fixture
def catalog(repo: RepoBuilder) -> RepoBuilder:
    repo.template("web").commit("feat(web): first")
    repo.tag("web@1.0.0", message="web 1.0.0")
    repo.template("job").commit("feat(job): first")
    return repo.tag("job@0.1.0", message="job 0.1.0")


def versions(ws, cid: str) -> list[str]:
    return [str(v.version) for v in ws.versions.of(cid)]


def test_none_is_the_repository_around_start(catalog: RepoBuilder, tmp_path: Path):
    ws = open_catalog(None, start=catalog.path / "templates", cache_dir=tmp_path / "cache")
    assert not isinstance(ws, RemoteWorkspace)
    assert ws.repo.root == catalog.path
    assert [c.id for c in ws.components] == ["job", "web"]
    with pytest.raises(NotAGitRepositoryError):
        open_catalog(None, start=tmp_path)


def test_a_local_directory_opens_in_place(catalog: RepoBuilder, tmp_path: Path):
    cache = tmp_path / "cache"
    ws = open_catalog(str(catalog.path), start=tmp_path, cache_dir=cache)
    assert not isinstance(ws, RemoteWorkspace)
    assert ws.repo.root == catalog.path
    assert versions(ws, "web") == ["1.0.0"]
    assert catalog_notices(ws) == ()
    assert not cache.exists()  # nothing cloned


def test_a_missing_local_path_is_not_found(tmp_path: Path):
    with pytest.raises(NotFoundError) as caught:
        open_catalog(str(tmp_path / "nope"), start=tmp_path, cache_dir=tmp_path / "cache")
    assert caught.value.exit_code == ExitCode.NOT_FOUND
    assert "does not exist" in caught.value.message
    assert "URL" in (caught.value.hint or "")


def test_a_local_directory_outside_git_is_not_a_repository(tmp_path: Path):
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(NotAGitRepositoryError) as caught:
        open_catalog(str(plain), start=tmp_path, cache_dir=tmp_path / "cache")
    assert caught.value.exit_code == ExitCode.GIT_STATE
    assert caught.value.message == f"catalog {plain} is not inside a Git repository"
    (plain / "file").write_text("")
    with pytest.raises(UsageError):
        open_catalog(str(plain / "file"), start=tmp_path)
    with pytest.raises(UsageError):
        open_catalog("", start=tmp_path)


def test_a_url_is_a_bare_clone_that_reads_like_the_catalog(catalog: RepoBuilder, tmp_path: Path):
    cache = tmp_path / "cache"
    url = catalog.path.as_uri()
    ws = open_catalog(url, start=tmp_path, cache_dir=cache)
    assert isinstance(ws, RemoteWorkspace)
    assert ws.repo.bare
    assert ws.url == url
    assert ws.repo.root == clone_dir(url, cache)
    assert ws.repo.root.parent == cache
    assert [c.id for c in ws.components] == ["job", "web"]
    assert versions(ws, "web") == ["1.0.0"]
    assert versions(ws, "job") == ["0.1.0"]
    meta = ws.repo.read_file("web@1.0.0", "templates/web/template.yaml")
    assert meta is not None
    assert b"id: web" in meta
    assert ws.repo.read_file("web@1.0.0", "templates/job/template.yaml") is None
    assert ws.analyze().states  # history, planning and the parse cache work bare
    assert catalog_notices(ws) == ()


def test_each_open_fetches_new_tags_and_commits(catalog: RepoBuilder, tmp_path: Path):
    cache = tmp_path / "cache"
    url = catalog.path.as_uri()
    open_catalog(url, start=tmp_path, cache_dir=cache)
    catalog.template("web", "name: {{ name }}\nkind: v2\n").commit("feat(web)!: v2")
    catalog.tag("web@2.0.0", message="web 2.0.0")
    ws = open_catalog(url, start=tmp_path, cache_dir=cache)
    assert versions(ws, "web") == ["2.0.0", "1.0.0"]
    assert ws.head == catalog.head()
    assert b"kind: v2" in (ws.repo.read_file("web@2.0.0", "templates/web/body.yaml.j2") or b"")
    assert [p.name for p in cache.iterdir() if not p.name.endswith(".lock")] == [ws.repo.root.name]


def test_head_follows_the_catalogs_main_line(catalog: RepoBuilder, tmp_path: Path):
    cache = tmp_path / "cache"
    url = catalog.path.as_uri()
    open_catalog(url, start=tmp_path, cache_dir=cache)
    catalog.template("api").commit("feat(api): new template")
    ws = open_catalog(url, start=tmp_path, cache_dir=cache)
    assert [c.id for c in ws.components] == ["api", "job", "web"]
    catalog.run("branch", "-q", "-m", "main", "trunk")  # the default branch is renamed
    catalog.template("db").commit("feat(db): on trunk")
    ws = open_catalog(url, start=tmp_path, cache_dir=cache)
    assert git(ws.repo.root, "symbolic-ref", "HEAD").strip() == "refs/heads/trunk"
    assert "db" in [c.id for c in ws.components]


def test_an_unreachable_url_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    cache = tmp_path / "cache"
    with pytest.raises(GitOpsTemplatesError) as caught:
        open_catalog("file:///nonexistent/catalog.git", start=tmp_path, cache_dir=cache)
    err = caught.value
    assert err.exit_code == ExitCode.NOT_FOUND
    report_error(err)  # what the CLI shows: the message and the hint, no traceback
    shown = capsys.readouterr().err
    assert "Error: cannot clone the catalog file:///nonexistent/catalog.git: " in shown
    assert "does not appear to be a git repository" in shown
    assert "hint: check the URL and your access; a local path works too" in shown
    assert "Traceback" not in shown
    lock = clone_dir("file:///nonexistent/catalog.git", cache).name + ".lock"
    assert [p.name for p in cache.iterdir()] == [lock]  # no half clone


def test_credentials_never_show(tmp_path: Path):
    url = "https://user:s3cret-token@127.0.0.1:1/org/catalog.git"
    with pytest.raises(GitOpsTemplatesError) as caught:
        open_catalog(url, start=tmp_path, cache_dir=tmp_path / "cache")
    shown = f"{caught.value.message} {caught.value.hint}"
    assert "s3cret" not in shown
    assert "user" not in shown
    assert "https://127.0.0.1:1/org/catalog.git" in shown
    directory = clone_dir(url, tmp_path / "cache")
    assert directory == clone_dir("https://127.0.0.1:1/org/catalog.git", tmp_path / "cache")
    assert re.fullmatch(r"catalog-[0-9a-f]{16}", directory.name)


def test_ext_urls_are_refused_and_create_nothing(tmp_path: Path):
    target = tmp_path / "pwned"
    cache = tmp_path / "cache"
    with pytest.raises(UsageError) as caught:
        open_catalog(f"ext::sh -c touch% {target}", start=tmp_path, cache_dir=cache)
    assert caught.value.exit_code == ExitCode.USAGE
    assert "ext::" in caught.value.message
    assert not target.exists()
    assert not cache.exists()


def test_a_failed_fetch_falls_back_to_the_cached_copy(catalog: RepoBuilder, tmp_path: Path):
    cache = tmp_path / "cache"
    url = catalog.path.as_uri()
    open_catalog(url, start=tmp_path, cache_dir=cache)
    catalog.path.rename(tmp_path / "gone")
    ws = open_catalog(url, start=tmp_path, cache_dir=cache)
    assert versions(ws, "web") == ["1.0.0"]
    (notice,) = catalog_notices(ws)
    assert notice.code == "catalog-not-updated"
    assert notice.message.startswith(f"cannot update the catalog {url}: ")
    assert "using the copy fetched" in notice.message


def test_an_interrupted_clone_does_not_break_the_next_open(catalog: RepoBuilder, tmp_path: Path):
    cache = tmp_path / "cache"
    url = catalog.path.as_uri()
    half = cache / f".{clone_dir(url, cache).name}.tmp-killed"
    (half / "objects").mkdir(parents=True)
    (half / "refs").mkdir()
    (half / "HEAD").write_text("ref: refs/heads/main\n")
    ws = open_catalog(url, start=tmp_path, cache_dir=cache)
    assert versions(ws, "web") == ["1.0.0"]
    assert not half.exists()


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://github.com/org/platform-catalog.git", "platform-catalog"),
        ("git@github.com:org/catalog.git", "catalog"),
        ("host:catalog", "catalog"),
        ("https://host/", "host"),
        ("https://u:p@host/we ird/na$me%20x/", "na_me_20x"),
        ("file:///srv/" + "x" * 60, "x" * 40),
        ("https://host/..", "catalog"),
    ],
)
def test_clone_names_are_readable_and_safe(url: str, name: str, tmp_path: Path):
    assert clone_name(url) == name
    assert clone_dir(url, tmp_path).name.startswith(f"{name}-")


def test_the_cache_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "gitops-templates" / "catalogs"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative")
    assert cache_root() == Path.home() / ".cache" / "gitops-templates" / "catalogs"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache_root() == Path.home() / ".cache" / "gitops-templates" / "catalogs"
