"""Bare clones of catalog URLs: real git over file:// and a local dumb-HTTP server."""

from __future__ import annotations

import contextlib
import http.server
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from gitops_templates.errors import ExitCode, LockedError, UsageError
from gitops_templates.git.clone import (
    ALLOWED_PROTOCOLS,
    RemoteError,
    cache_lock,
    check_url,
    clone_env,
    clone_or_fetch,
    is_url,
    redact,
    scrub,
)
from tests.helpers import RepoBuilder, git, serving


@pytest.fixture
def source(repo: RepoBuilder) -> RepoBuilder:
    repo.write({"README.md": "catalog\n"}).commit("feat: first")
    return repo.tag("v1", message="v1")


def refs(directory: Path) -> dict[str, str]:
    listing = git(directory, "for-each-ref", "--format=%(refname) %(objectname)")
    return dict(line.split(" ") for line in listing.splitlines())


def head_of(directory: Path) -> tuple[str, str]:
    return git(directory, "symbolic-ref", "HEAD").strip(), git(
        directory, "rev-parse", "HEAD"
    ).strip()


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("https://example.com/org/catalog.git", True),
        ("ssh://git@example.com/org/catalog", True),
        ("git@github.com:org/catalog.git", True),
        ("host:catalog", True),
        ("file:///srv/catalog", True),
        ("ext::sh -c touch% /tmp/x", True),
        ("../catalog", False),
        ("/srv/catalog", False),
        ("./a:b", False),
        ("catalog", False),
    ],
)
def test_is_url_follows_gits_rules(spec: str, expected: bool):
    assert is_url(spec) is expected


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://user:token@host/org/repo.git", "https://host/org/repo.git"),
        ("https://ghp_TOKEN@host/org/repo.git", "https://host/org/repo.git"),
        ("http://u:p%40ss@host:8080/r?x=1", "http://host:8080/r"),
        ("https://host/r.git?private_token=SECRETQ1#frag", "https://host/r.git"),
        ("ssh://git@host/org/repo", "ssh://git@host/org/repo"),
        ("ssh://git:pw@host/org/repo", "ssh://host/org/repo"),
        ("git@host:org/repo.git", "git@host:org/repo.git"),
        ("https://host/org/repo@v1", "https://host/org/repo@v1"),
    ],
)
def test_redact_removes_credentials_queries_and_fragments(url: str, shown: str):
    assert redact(url) == shown


def test_scrub_removes_credentials_from_gits_words():
    url = "https://user:s3cret@host/x.git"
    said = f"unable to access '{url}': and 'https://other:pw@elsewhere/y' s3cret"
    assert (
        scrub(said, url) == "unable to access 'https://host/x.git': and 'https://elsewhere/y' ***"
    )


@pytest.mark.parametrize(
    "url",
    [
        "ext::sh -c touch% /tmp/pwned",
        "fd::17",
        "ftp://host/repo.git",
        "ssh://-oProxyCommand=touch%20x/repo",
        "-oProxyCommand=x:repo",
        "https://host/repo\n.git",
        "https:///repo.git",
    ],
)
def test_check_url_refuses_dangerous_urls(url: str):
    with pytest.raises(UsageError) as caught:
        check_url(url)
    assert caught.value.exit_code == ExitCode.USAGE
    assert caught.value.hint


def test_git_itself_refuses_ext_urls_in_the_clone_environment(tmp_path: Path):
    target = tmp_path / "pwned"
    env = clone_env()
    assert env["GIT_ALLOW_PROTOCOL"] == ALLOWED_PROTOCOLS == "file:git:http:https:ssh"
    assert env["GIT_TERMINAL_PROMPT"] == "0"
    assert env["GIT_ASKPASS"] == ""
    assert "SSH_ASKPASS" not in env
    done = subprocess.run(
        ["git", "clone", "--bare", "--", f"ext::sh -c touch% {target}", str(tmp_path / "c")],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert done.returncode != 0
    assert "not allowed" in done.stderr
    assert not target.exists()


def test_clone_refuses_ext_urls_before_running_git(tmp_path: Path):
    target = tmp_path / "pwned"
    directory = tmp_path / "cache" / "x"
    with pytest.raises(UsageError):
        clone_or_fetch(f"ext::sh -c touch% {target}", directory)
    assert not target.exists()
    assert not (tmp_path / "cache").exists()


def test_clone_then_fetch_brings_new_tags_and_moved_branches(source: RepoBuilder, tmp_path: Path):
    url = source.path.as_uri()
    directory = tmp_path / "cache" / "catalog-0123"
    source.tag("rolling", message="first")
    assert clone_or_fetch(url, directory) == directory
    assert git(directory, "rev-parse", "--is-bare-repository").strip() == "true"
    assert "refs/tags/v1" in refs(directory)
    source.write({"README.md": "two\n"}).commit("feat: second")
    source.tag("v2", message="v2")
    source.run("tag", "-d", "v1")
    source.run("tag", "-f", "-a", "-m", "moved", "rolling")
    clone_or_fetch(url, directory)
    found = refs(directory)
    assert "refs/tags/v2" in found
    assert "refs/tags/v1" not in found  # pruned
    assert found["refs/tags/rolling"] == refs(source.path)["refs/tags/rolling"]  # forced
    assert head_of(directory) == ("refs/heads/main", source.head())
    assert not list(directory.parent.glob(".*.tmp-*"))


def test_head_follows_the_sources_default_branch(source: RepoBuilder, tmp_path: Path):
    url = source.path.as_uri()
    directory = tmp_path / "cache" / "catalog"
    clone_or_fetch(url, directory)
    source.run("checkout", "-q", "-b", "next")
    nxt = source.write({"README.md": "next\n"}).commit("feat: next")
    clone_or_fetch(url, directory)
    assert head_of(directory) == ("refs/heads/next", nxt)
    source.run("checkout", "-q", "main")
    main = source.write({"README.md": "main again\n"}).commit("fix: main moves on")
    source.run("branch", "-q", "-D", "next")
    clone_or_fetch(url, directory)
    assert head_of(directory) == ("refs/heads/main", main)
    assert "refs/heads/next" not in refs(directory)


def test_unreachable_url_is_a_clear_error_and_leaves_nothing(tmp_path: Path):
    directory = tmp_path / "cache" / "nothing"
    with pytest.raises(RemoteError) as caught:
        clone_or_fetch("file:///nonexistent/catalog", directory)
    err = caught.value
    assert err.exit_code == ExitCode.NOT_FOUND
    assert err.cached is None
    assert err.message.startswith("cannot clone the catalog file:///nonexistent/catalog: ")
    assert "does not appear to be a git repository" in err.message
    assert err.hint == "check the URL and your access; a local path works too"
    assert sorted(p.name for p in directory.parent.iterdir()) == ["nothing.lock"]


def test_a_failed_fetch_keeps_the_cached_clone(source: RepoBuilder, tmp_path: Path):
    moved = tmp_path / "moved"
    url = source.path.as_uri()
    directory = tmp_path / "cache" / "catalog"
    clone_or_fetch(url, directory)
    source.path.rename(moved)
    with pytest.raises(RemoteError) as caught:
        clone_or_fetch(url, directory)
    assert caught.value.cached == directory
    assert caught.value.message.startswith("cannot update the catalog ")
    assert "refs/tags/v1" in refs(directory)


def test_leftovers_of_a_killed_run_do_not_break_the_next(source: RepoBuilder, tmp_path: Path):
    directory = tmp_path / "cache" / "catalog"
    half = directory.parent / ".catalog.tmp-killed"
    (half / "objects").mkdir(parents=True)
    (half / "HEAD").write_text("ref: refs/heads/main\n")
    clone_or_fetch(source.path.as_uri(), directory)
    assert not half.exists()
    (directory / "packed-refs.lock").write_text("")  # a fetch killed at its time limit
    (directory / "refs" / "heads" / "main.lock").write_text("")
    source.tag("v2", message="v2")
    clone_or_fetch(source.path.as_uri(), directory)
    assert "refs/tags/v2" in refs(directory)


def test_a_broken_cache_directory_is_cloned_again(source: RepoBuilder, tmp_path: Path):
    directory = tmp_path / "cache" / "catalog"
    (directory / "junk").mkdir(parents=True)
    clone_or_fetch(source.path.as_uri(), directory)
    assert "refs/tags/v1" in refs(directory)
    assert not (directory / "junk").exists()


def test_the_cache_lock_waits_then_gives_up(tmp_path: Path):
    lock = tmp_path / "x.lock"
    with cache_lock(lock, 1.0):
        started = time.monotonic()
        with pytest.raises(LockedError), cache_lock(lock, 0.2):
            pass
        assert time.monotonic() - started >= 0.2
    with cache_lock(lock, 0.2):
        pass


def test_concurrent_runs_share_one_clone(source: RepoBuilder, tmp_path: Path):
    directory = tmp_path / "cache" / "catalog"
    errors: list[BaseException] = []

    def run() -> None:
        try:
            clone_or_fetch(source.path.as_uri(), directory)
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert "refs/tags/v1" in refs(directory)


# -- over HTTP: credentials, prompts, time limits ---------------------------------------


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _NeedsPassword(_Quiet):
    def do_GET(self) -> None:
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="catalog"')
        self.send_header("Content-Length", "0")
        self.end_headers()


class _Silent(_Quiet):
    def do_GET(self) -> None:
        time.sleep(30)


@contextlib.contextmanager
def serve(handler: type[_Quiet], root: Path) -> Iterator[str]:
    def make(*args: object) -> _Quiet:
        return handler(*args, directory=str(root))  # type: ignore[arg-type]

    with serving(make) as url:
        yield url.removeprefix("http://")


def test_credentials_are_used_but_never_stored(source: RepoBuilder, tmp_path: Path):
    served = tmp_path / "www" / "catalog.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(source.path), str(served)], check=True)
    git(served, "update-server-info")
    directory = tmp_path / "cache" / "catalog"
    with serve(_Quiet, served.parent) as host:
        url = f"http://user:s3cret-token@{host}/catalog.git"
        clone_or_fetch(url, directory)
        assert git(directory, "config", "remote.origin.url").strip() == f"http://{host}/catalog.git"
        clone_or_fetch(url, directory)
    assert "refs/tags/v1" in refs(directory)
    stored = [p for p in directory.rglob("*") if p.is_file() and b"s3cret" in p.read_bytes()]
    assert stored == []


def test_nothing_prompts_for_a_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    asked = tmp_path / "asked"
    askpass = tmp_path / "askpass.sh"
    askpass.write_text(f"#!/bin/sh\ntouch {asked}\necho secret\n")
    askpass.chmod(0o755)
    monkeypatch.setenv("SSH_ASKPASS", str(askpass))
    monkeypatch.setenv("GIT_ASKPASS", str(askpass))
    directory = tmp_path / "cache" / "private"
    with serve(_NeedsPassword, tmp_path) as host, pytest.raises(RemoteError) as caught:
        clone_or_fetch(f"http://{host}/private.git", directory, timeout=20)
    assert "terminal prompts disabled" in caught.value.message
    assert not asked.exists()
    assert not directory.exists()


def test_a_wrong_password_is_never_shown(tmp_path: Path):
    with serve(_NeedsPassword, tmp_path) as host, pytest.raises(RemoteError) as caught:
        clone_or_fetch(f"http://me:s3cret@{host}/x.git", tmp_path / "cache" / "x", timeout=20)
    shown = f"{caught.value.message} {caught.value.hint} {caught.value.url}"
    assert "s3cret" not in shown
    assert "me:" not in shown
    assert caught.value.message.startswith(f"cannot clone the catalog http://{host}/x.git: ")


def test_a_server_that_never_answers_hits_the_time_limit(tmp_path: Path):
    directory = tmp_path / "cache" / "slow"
    started = time.monotonic()
    with serve(_Silent, tmp_path) as host, pytest.raises(RemoteError) as caught:
        clone_or_fetch(f"http://{host}/slow.git", directory, timeout=1)
    assert time.monotonic() - started < 10
    assert caught.value.message.endswith("no answer within 1 s")
    assert not list(directory.parent.glob(".*.tmp-*"))
