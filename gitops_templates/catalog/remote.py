"""`--catalog PATH_OR_URL`: the catalog repository that versions are read from.

None is the repository around the start directory; a local directory is opened where
it is; a URL is a bare clone cached under `$XDG_CACHE_HOME/gitops-templates/catalogs/`
(`~/.cache` by default), fetched with its tags on every call. When that fetch fails
and a clone is cached, the cached copy is used and `RemoteWorkspace.notices` says so
(with the time of its last update): consumers keep working offline, and are told.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from pathlib import Path

from gitops_templates.catalog.workspace import Workspace
from gitops_templates.core.models import Notice
from gitops_templates.errors import NotAGitRepositoryError, NotFoundError, UsageError
from gitops_templates.git.clone import (
    DEFAULT_TIMEOUT,
    RemoteError,
    clone_or_fetch,
    is_url,
    last_updated,
    redact,
)

CATALOG_HINT = (
    "give the catalog repository's directory, or a URL git can clone "
    "(https://, ssh://, git://, file://, user@host:path)"
)
NAME_LIMIT = 40


class RemoteWorkspace(Workspace):
    """A catalog read from a cached clone of `url` (shown without credentials).

    `notices` holds `catalog-not-updated` when the fetch failed and an older copy is used.
    """

    def __init__(
        self,
        path: Path,
        *,
        url: str,
        notices: tuple[Notice, ...] = (),
        config: Path | None = None,
        use_cache: bool = True,
    ) -> None:
        super().__init__(path, config=config, use_cache=use_cache)
        self.url = url
        self.notices = notices


def open_catalog(
    spec: str | None,
    *,
    start: Path,
    config: Path | None = None,
    use_cache: bool = True,
    cache_dir: Path | None = None,
) -> Workspace:
    """The catalog to read versions from, its repository already found.

    `spec` None -> the repository around `start`; a local directory (relative to the
    current directory) -> a Workspace of it; a URL git can clone (https://, http://,
    ssh://, git://, file://, scp-like user@host:path) -> a `RemoteWorkspace` of a cached
    bare clone, fetched with tags on each call. `use_cache` is the parse cache (the
    clone is always cached); `cache_dir` replaces the directory holding the clones.
    """
    if spec is None:
        workspace = Workspace(start, config=config, use_cache=use_cache)
        _ = workspace.repo  # not a repository: GitRepo.discover's own error and hint
        return workspace
    if not spec:
        raise UsageError("--catalog is empty", hint=CATALOG_HINT)
    if is_url(spec):
        return _open_url(spec, config, use_cache, cache_dir or cache_root())
    path = Path(spec)
    if not path.exists():
        raise NotFoundError(f"catalog {spec} does not exist", hint=CATALOG_HINT)
    if not path.is_dir():
        raise UsageError(f"catalog {spec} is not a directory", hint=CATALOG_HINT)
    return _found(Workspace(path, config=config, use_cache=use_cache), spec)


def catalog_notices(workspace: Workspace) -> tuple[Notice, ...]:
    """What `open_catalog` has to say about the catalog (a stale cached copy)."""
    return workspace.notices if isinstance(workspace, RemoteWorkspace) else ()


def cache_root() -> Path:
    """`$XDG_CACHE_HOME/gitops-templates/catalogs` (`~/.cache` when unset or relative)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".cache"
    return root / "gitops-templates" / "catalogs"


def clone_dir(url: str, cache_dir: Path) -> Path:
    """`<cache_dir>/<name>-<16 hex>`: a readable name and sha256 of the redacted URL.

    The hash ignores credentials, so a rotated token keeps its clone and no secret can
    be guessed back from the directory name.
    """
    shown = redact(url)
    digest = hashlib.sha256(shown.encode()).hexdigest()[:16]
    return cache_dir / f"{clone_name(shown)}-{digest}"


def clone_name(url: str) -> str:
    """The URL's last path component, only `[A-Za-z0-9._-]`, at most 40 characters."""
    last = re.split(r"[/:]", redact(url).rstrip("/"))[-1]
    last = last.removesuffix(".git") or last
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", last).strip("._-")[:NAME_LIMIT]
    return name.rstrip(".") or "catalog"


def _open_url(url: str, config: Path | None, use_cache: bool, cache_dir: Path) -> RemoteWorkspace:
    directory = clone_dir(url, cache_dir)
    notices: tuple[Notice, ...] = ()
    try:
        clone_or_fetch(url, directory, timeout=DEFAULT_TIMEOUT)
    except RemoteError as err:
        if err.cached is None:
            raise
        notices = (_stale(err),)
    workspace = RemoteWorkspace(directory, url=redact(url), notices=notices, config=config,
                                use_cache=use_cache)  # fmt: skip
    _found(workspace, redact(url))
    return workspace


def _stale(err: RemoteError) -> Notice:
    assert err.cached is not None
    when = last_updated(err.cached)
    since = time.strftime("%Y-%m-%d %H:%M", time.localtime(when)) if when else "earlier"
    return Notice(
        "catalog-not-updated",
        f"{err.message}; using the copy fetched {since} ({err.cached})",
        err.url,
    )


def _found(workspace: Workspace, spec: str) -> Workspace:
    """The workspace once its repository is found (errors now, not at first use)."""
    try:
        _ = workspace.repo
    except NotAGitRepositoryError:
        raise NotAGitRepositoryError(f"catalog {spec} is not inside a Git repository",
                                     hint=CATALOG_HINT) from None  # fmt: skip
    return workspace
