"""Bare clones of catalog repositories named by URL: cloned once, fetched on each use.

A first use clones into a temporary sibling directory renamed into place, so a killed
clone never leaves a directory that looks valid; later uses fetch every branch and tag
(forced, pruned) and point HEAD at the remote's default branch. `<dir>.lock` (flock)
serializes runs. Git runs without a shell, the URL after `--`, only the transports of
`ALLOWED_PROTOCOLS`, never prompting, in its own process group killed at the time
limit. Credentials in a URL are never shown and never stored in the clone's config:
each fetch passes the URL itself (`origin` keeps the redacted one, for people).
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING

from gitops_templates.errors import LockedError, NotFoundError, UsageError
from gitops_templates.git._parse import text
from gitops_templates.git._process import env as git_env

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

ALLOWED_PROTOCOLS = "file:git:http:https:ssh"  # GIT_ALLOW_PROTOCOL: no ext::, fd::, ...
DEFAULT_TIMEOUT = 300.0
STAMP = "gitops-templates-fetched"  # touched after each successful clone or fetch
HINT = "check the URL and your access; a local path works too"
_SCHEMES = {"file", "git", "http", "https", "ssh", "git+ssh", "ssh+git"}
_SSH = {"ssh", "git+ssh", "ssh+git"}
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_HELPER = re.compile(r"^([A-Za-z0-9][A-Za-z0-9+.-]*)::")
_ANY_USERINFO = re.compile(r"(?<=://)[^/\s'\"@]+@")
# The repository git would use instead of the one in `cwd` (set inside git hooks).
_LOCATORS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
             "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_NAMESPACE")  # fmt: skip
_GENERIC = {
    "fatal: Could not read from remote repository.",
    "Please make sure you have the correct access rights",
    "and the repository exists.",
}
_GIT_LOCKS = ("HEAD.lock", "config.lock", "packed-refs.lock", "shallow.lock", "FETCH_HEAD.lock")


class RemoteError(NotFoundError):
    """A catalog URL could not be cloned or fetched (exit 5, as a missing local path).

    `cached` is the older clone still usable after a failed fetch (None: no copy).
    """

    def __init__(self, url: str, action: str, reason: str, *, cached: Path | None) -> None:
        super().__init__(f"cannot {action} the catalog {redact(url)}: {reason}", hint=HINT)
        self.url = redact(url)
        self.reason = reason
        self.cached = cached


def is_url(spec: str) -> bool:
    """True when git would read `spec` as a URL rather than a local path.

    `scheme://...`, `transport::address`, and scp-like `[user@]host:path` (a colon with
    no slash before it, git's rule: write `./a:b` for such a local directory).
    """
    if _SCHEME.match(spec) or _HELPER.match(spec):
        return True
    colon = spec.find(":")
    return colon > 0 and "/" not in spec[:colon]


def check_url(url: str) -> None:
    """Refuse URLs git must not be given: other transports, options, control characters."""
    shown = redact(url)
    hint = "use https://, ssh://, git://, file://, user@host:path or a local directory"
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        raise UsageError(f"catalog URL {shown!r} contains control characters", hint=hint)
    if helper := _HELPER.match(url):
        raise UsageError(f"catalog URL {shown!r}: the {helper.group(1)}:: transport (a "
                         "program git would run) is not allowed", hint=hint)  # fmt: skip
    if scheme := _SCHEME.match(url):
        if scheme.group(1).lower() not in _SCHEMES:
            raise UsageError(f"catalog URL {shown!r}: {scheme.group(1)}:// is not allowed",
                             hint=hint)  # fmt: skip
        host = _authority(url, scheme.end()).rpartition("@")[2]
    else:
        host = url.partition(":")[0].rpartition("@")[2]
    if not host.strip("[]") and not url.lower().startswith("file:"):
        raise UsageError(f"catalog URL {shown!r} names no host", hint=hint)
    if host.startswith("-"):
        raise UsageError(f"catalog URL {shown!r}: a host cannot start with '-'", hint=hint)


def redact(url: str) -> str:
    """The URL without credentials: `https://user:token@host/x?t=1` -> `https://host/x`.

    A bare user name is kept for ssh (a login, as in `ssh://git@host/x`) and dropped
    elsewhere (`https://TOKEN@host/x` is how tokens are often passed).
    """
    if _SCHEME.match(url):  # a query or fragment may carry a token (?private_token=...)
        url = url.split("?", 1)[0].split("#", 1)[0]
    userinfo = _userinfo(url)
    if userinfo is None:
        return url
    return url.replace(f"{userinfo}@", "", 1)


def scrub(message: str, url: str) -> str:
    """`message` (git's words) with no credential of `url` or of any URL in it."""
    message = message.replace(url, redact(url))
    if userinfo := _userinfo(url):
        message = message.replace(f"{userinfo}@", "")
        password = userinfo.partition(":")[2]
        if len(password) >= 3:
            message = message.replace(password, "***")
    return _ANY_USERINFO.sub("", message)


def _userinfo(url: str) -> str | None:
    """The credentials part of `url` that `redact` removes (None: nothing to remove)."""
    if scheme := _SCHEME.match(url):
        userinfo, at, _ = _authority(url, scheme.end()).rpartition("@")
        ssh_login = scheme.group(1).lower() in _SSH and ":" not in userinfo
        return userinfo if at and not ssh_login else None
    userinfo, at, _ = url.partition("@")  # scp-like: `user@host:path` is a login
    return userinfo if at and ":" in userinfo and "/" not in userinfo else None


def _authority(url: str, start: int) -> str:
    """`user:pw@host:port` of a `scheme://` URL: up to the first `/`, `?` or `#`."""
    end = re.search(r"[/?#]", url[start:])
    return url[start : start + end.start()] if end else url[start:]


def clone_or_fetch(url: str, directory: Path, *, timeout: float = DEFAULT_TIMEOUT) -> Path:
    """`directory` as a bare clone of `url`, brought up to date; returns it.

    Raises `RemoteError` when git fails or exceeds `timeout` seconds; after a failed
    fetch its `cached` is `directory`, still a complete (older) clone.
    """
    check_url(url)
    directory.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with cache_lock(directory.with_name(f"{directory.name}.lock"), timeout):
        _clear_leftovers(directory)
        cached = directory if is_bare_clone(directory) else None
        deadline = time.monotonic() + timeout
        try:
            if cached is None:
                _clone(url, directory, deadline)
            else:
                _fetch(url, directory, deadline)
        except subprocess.TimeoutExpired:
            action = "clone" if cached is None else "update"
            raise RemoteError(url, action, f"no answer within {timeout:g} s",
                              cached=cached) from None  # fmt: skip
        (directory / STAMP).touch()
    return directory


def is_bare_clone(directory: Path) -> bool:
    """True when `directory` looks like a bare repository (git's own quick test)."""
    return (directory / "HEAD").is_file() and all(
        (directory / name).is_dir() for name in ("objects", "refs")
    )


def last_updated(directory: Path) -> float | None:
    """When the clone was last cloned or fetched successfully (epoch seconds)."""
    try:
        return (directory / STAMP).stat().st_mtime
    except OSError:
        return None


def _clone(url: str, directory: Path, deadline: float) -> None:
    import shutil
    import tempfile

    if directory.is_symlink() or directory.is_file():  # not a clone: a damaged one of ours
        directory.unlink()
    elif directory.is_dir():
        shutil.rmtree(directory)
    tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.tmp-", dir=directory.parent))
    try:
        done = _run(["clone", "--bare", "--quiet", "--", url, str(tmp)], directory.parent, deadline)
        if done.returncode != 0:
            raise RemoteError(url, "clone", _reason(done.stderr, url), cached=None)
        stored = _run(["config", "remote.origin.url", redact(url)], tmp, deadline)
        if stored.returncode != 0:  # the clone's config must keep no credentials
            raise RemoteError(url, "clone", _reason(stored.stderr, url), cached=None)
        tmp.rename(directory)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _fetch(url: str, directory: Path, deadline: float) -> None:
    """Every branch and tag as the remote has them; HEAD as the remote's HEAD."""
    # `--tags` alone never prunes tags: the explicit tag refspec makes deleted ones go
    args = ["fetch", "--quiet", "--prune", "--tags", "--force", "--", url,
            "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"]  # fmt: skip
    done = _run(args, directory, deadline)
    if done.returncode != 0:
        raise RemoteError(url, "update", _reason(done.stderr, url), cached=directory)
    listed = _run(["ls-remote", "--symref", "--", url, "HEAD"], directory, deadline)
    target = next((line[5:-5] for line in text(listed.stdout).splitlines()
                   if line.startswith("ref: ") and line.endswith("\tHEAD")), None)  # fmt: skip
    if listed.returncode != 0 or not target or not target.startswith("refs/heads/"):
        return  # the remote does not say: HEAD stays where the clone put it
    known = _run(["show-ref", "--verify", "--quiet", target], directory, deadline)
    if known.returncode == 0:
        _run(["symbolic-ref", "HEAD", target], directory, deadline)


def _run(args: Sequence[str], cwd: Path, deadline: float) -> subprocess.CompletedProcess[bytes]:
    """Run git in its own session (no terminal to prompt on), killed whole at `deadline`."""
    import signal

    with subprocess.Popen(["git", *args], cwd=cwd, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=clone_env(),
                          start_new_session=True) as child:  # fmt: skip
        try:
            out, err = child.communicate(timeout=max(deadline - time.monotonic(), 0.01))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
            child.communicate()
            raise
    return subprocess.CompletedProcess(args, child.returncode, out, err)


def clone_env() -> dict[str, str]:
    """The environment for clone and fetch: restricted transports, nothing ever prompts.

    An empty GIT_ASKPASS stops git from trying `core.askPass` or SSH_ASKPASS, so with
    GIT_TERMINAL_PROMPT=0 a missing credential fails at once; credential helpers still
    work. ssh has no terminal (own session) and no askpass program to ask.
    """
    env = {k: v for k, v in git_env().items() if k not in (*_LOCATORS, "SSH_ASKPASS")}
    env.update(GIT_ALLOW_PROTOCOL=ALLOWED_PROTOCOLS, GIT_TERMINAL_PROMPT="0", GIT_ASKPASS="",
               SSH_ASKPASS_REQUIRE="never", GCM_INTERACTIVE="never")  # fmt: skip
    return env


def _reason(stderr: bytes, url: str) -> str:
    """Why git failed: its first `fatal:`/`error:` line, else its last line.

    git's generic advice after an ssh failure ("Could not read from remote repository.
    Please make sure ...") is skipped: the line before it (ssh's own) says more.
    """
    lines = [line.strip() for line in text(stderr).splitlines() if line.strip()]
    lines = [line for line in lines if line not in _GENERIC] or lines
    fatal = [line for line in lines if line.startswith(("fatal: ", "error: "))]
    found = fatal[0].partition(": ")[2] if fatal else (lines[-1] if lines else "")
    return scrub(found, url) or "git failed without a message"


@contextlib.contextmanager
def cache_lock(path: Path, timeout: float) -> Iterator[None]:
    """Hold an exclusive `flock` on `path`, waiting up to `timeout` for another run.

    Unlike the repository lock (`lock.py`: refuse, then `recover`), a cache is safe to
    wait for: the kernel frees the lock when its holder dies, so none is ever stale.
    """
    import fcntl

    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise LockedError(f"another run holds {path} for more than {timeout:g} s",
                                      hint="wait for it, or run again") from None  # fmt: skip
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)


def _clear_leftovers(directory: Path) -> None:
    """Remove, under the lock, temporary clones of killed runs and git's locks in the clone.

    A fetch killed at the time limit leaves git's locks; nothing else uses this clone.
    """
    import shutil

    for left in directory.parent.glob(f".{directory.name}.tmp-*"):
        shutil.rmtree(left, ignore_errors=True)
    if not is_bare_clone(directory):
        return
    stale = [directory / name for name in _GIT_LOCKS]
    for path in [*stale, *(directory / "refs").rglob("*.lock")]:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
