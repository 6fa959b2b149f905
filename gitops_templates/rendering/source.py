"""A template's files as one render sees them: from a Git commit, or from the work tree.

From Git, the template's directory and `templates/_shared/` are read straight from the
commit's trees (one `cat-file --batch` per directory depth, then one for the blobs): no
checkout, no temporary work tree. From the work tree, files are read through the guarded
reads of `catalog/files.py`: regular files inside the template's directory (or
`_shared/`) once symlinks are resolved, capped in size. Symbolic links and submodules are
never followed; a body that names one is told so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gitops_templates.catalog.files import MAX_FILE_BYTES
from gitops_templates.errors import InvalidInputError, NotFoundError, Problem

if TYPE_CHECKING:
    from pathlib import Path

    from gitops_templates.catalog.workspace import Workspace

SHARED = "_shared"
MAX_SOURCE_BYTES = 64 * 1024 * 1024  # a template and `_shared/` together
_REGULAR = ("100644", "100755")


@dataclass(frozen=True, slots=True)
class TemplateSource:
    """The files one render may read, by path relative to the template directory.

    `shared` holds `templates/_shared/`, reachable from bodies as `_shared/<path>`;
    `links` names the entries that are symbolic links or submodules (never read).
    """

    tid: str
    base: str  # the template directory as the user knows it: `templates/web`
    files: dict[str, bytes]
    shared: dict[str, bytes] = field(default_factory=dict)
    links: frozenset[str] = frozenset()
    revision: str | None = None  # the commit, None for the work tree
    version: str | None = None  # the version that commit is, when one was asked for

    def read(self, path: str) -> bytes | None:
        """A file by its path relative to the template directory (`_shared/x` too)."""
        if path.startswith(f"{SHARED}/"):
            return self.shared.get(path.removeprefix(f"{SHARED}/"))
        return self.files.get(path)

    def shown(self, path: str) -> str:
        """`path` as the user finds it in the repository."""
        if path.startswith(f"{SHARED}/"):
            return f"{self.base.rsplit('/', 1)[0]}/{path}" if "/" in self.base else path
        return f"{self.base}/{path}"


def source_at(
    ws: Workspace, tid: str, commit: str, templates_dir: str, version: str | None = None
) -> TemplateSource:
    """The template `tid` as committed in `commit`; `NotFoundError` when it is not there."""
    base = f"{templates_dir}/{tid}"
    shared_base = f"{templates_dir}/{SHARED}"
    trees = ws.repo.trees([f"{commit}:{base}", f"{commit}:{shared_base}"])
    own, shared = trees[f"{commit}:{base}"], trees[f"{commit}:{shared_base}"]
    if own is None:
        raise NotFoundError(
            f"{base} does not exist at {commit[:12]}",
            hint="name a version or revision where the template exists",
        )
    entries = [("", e) for e in own[1]] + [(f"{SHARED}/", e) for e in (shared or ("", []))[1]]
    regular = [(prefix, e) for prefix, e in entries if e.mode in _REGULAR]
    sizes = ws.repo.object_sizes(e.sha for _, e in regular)  # before reading any content
    for prefix, entry in regular:
        if sizes.get(entry.sha, 0) > MAX_FILE_BYTES:
            where = f"{shared_base}/{entry.path}" if prefix else f"{base}/{entry.path}"
            raise _too_large(where, MAX_FILE_BYTES)
    if sum(sizes.values()) > MAX_SOURCE_BYTES:
        raise _too_large(f"{base} with {shared_base}", MAX_SOURCE_BYTES)
    blobs = ws.repo.read_blobs(e.sha for _, e in regular)
    files: dict[str, dict[str, bytes]] = {"": {}, f"{SHARED}/": {}}
    for prefix, entry in regular:
        files[prefix][entry.path] = blobs[entry.sha]
    links = frozenset(prefix + e.path for prefix, e in entries if e.mode not in _REGULAR)
    return TemplateSource(tid, base, files[""], files[f"{SHARED}/"], links, commit, version)


def source_in(directory: Path, tid: str, base: str, root: Path) -> TemplateSource:
    """The template in `directory` (a work tree), `_shared/` beside it, both inside `root`.

    Neither may be a symbolic link, or lead out of `root` through one: their files are
    then checked to stay inside them.
    """
    shared_dir = directory.parent / SHARED
    for path, shown in ((directory, base), (shared_dir, f"{base.rsplit('/', 1)[0]}/{SHARED}")):
        _contained(root, path, shown)
    if not (directory / "template.yaml").is_file():
        raise NotFoundError(f"{base}/template.yaml does not exist",
                            hint=f"scaffold one with `gitops-templates new {tid}`")  # fmt: skip
    files, links = _read_tree(directory)
    shared, shared_links = _read_tree(shared_dir) if shared_dir.is_dir() else ({}, set())
    links |= {f"{SHARED}/{path}" for path in shared_links}
    return TemplateSource(tid, base, files, shared, frozenset(links))


def _contained(root: Path, path: Path, shown: str) -> None:
    from gitops_templates.catalog.files import inside

    if path.is_symlink():
        why = "is a symbolic link (a template's files must be in the repository itself)"
        raise InvalidInputError(f"{shown} {why}", problems=(Problem(why, file=shown),))
    if path.exists():
        inside(root, path)


def _read_tree(directory: Path) -> tuple[dict[str, bytes], set[str]]:
    from gitops_templates.catalog.files import read_found, walk_names

    files: dict[str, bytes] = {}
    total = 0
    regular, links = walk_names(directory)
    for rel in regular:
        if not rel.startswith(".git/"):
            files[rel] = read_found(directory, rel)
            total += len(files[rel])
            if total > MAX_SOURCE_BYTES:
                raise _too_large(directory.name, MAX_SOURCE_BYTES)
    return files, set(links)


def _too_large(path: str, limit: int) -> InvalidInputError:
    why = f"is larger than {limit} bytes"
    return InvalidInputError(f"{path} {why}", hint="template files are text of a sensible size",
                             problems=(Problem(why, file=path),))  # fmt: skip
