"""All Git reads and writes for one repository. The only module that imports GitPython.

Reads are batched plumbing calls (one `git log -z` pass, one `for-each-ref`, one
`cat-file --batch`) run directly, so hooks and `plan` never pay GitPython's import.
Writes (tag objects, the ref transaction, push, signature checks) go through GitPython,
imported on first use. Everything returned is our own frozen values (`models`).
User-supplied names reach git only after `--`, or inside `--stdin` transactions.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gitops_templates.errors import (
    EmptyRepositoryError,
    GitStateError,
    NotAGitRepositoryError,
    NotFoundError,
)
from gitops_templates.git._branch import BranchOps
from gitops_templates.git._log import HistoryReads
from gitops_templates.git._parse import (
    HEX,
    LogResult,
    parse_batch,
    parse_tag_listing,
    parse_tag_object,
    parse_tags,
    parse_tree,
    text,
)
from gitops_templates.git._process import git
from gitops_templates.git._worktree import WorkTreeOps
from gitops_templates.git._write import NewTag, TagWriter

__all__ = ["GitRepo", "LogResult", "NewTag", "SignatureCheck"]
from gitops_templates.core.models import TagRecord, TreeEntry

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

_TAG_FORMAT = (
    "%(refname)%00%(objectname)%00%(objecttype)%00%(*objectname)%00%(*objecttype)"
    "%00%(taggerdate:unix)%00%(contents:signature)%00%(contents)%00%1e"
)
_TAG_LISTING = "%(refname)%00%(objectname)%00%(objecttype)"
_TAG_FORMAT_LIGHT = (
    "%(refname)%00%(objectname)%00%(objecttype)%00%(*objectname)%00%(*objecttype)"
    "%00%(taggerdate:unix)%00%1e"
)


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """Result of `git verify-tag`."""

    ok: bool
    output: str


class GitRepo(HistoryReads, TagWriter, WorkTreeOps, BranchOps):
    """One repository (work tree or bare), located with `git rev-parse`."""

    def __init__(
        self,
        root: Path,
        git_dir: Path,
        common_dir: Path,
        *,
        bare: bool,
        shallow: bool | None = None,
    ) -> None:
        self.root = root
        self.git_dir = git_dir
        self.common_dir = common_dir
        self.bare = bare
        self._shallow = shallow  # as found by `discover`, answered once without a git call

    @classmethod
    def discover(cls, path: Path) -> GitRepo:
        """Find the repository containing `path`."""
        if not path.exists():
            raise NotAGitRepositoryError(f"{path} does not exist")
        args = ["rev-parse", "--is-bare-repository", "--absolute-git-dir", "--git-common-dir",
                "--is-shallow-repository"]  # fmt: skip
        proc = git(path, [*args, "--show-toplevel"])  # one call in a work tree
        if proc.returncode != 0:
            proc = git(path, args)  # a bare repository has no top level
        if proc.returncode != 0:
            raise NotAGitRepositoryError(
                f"{path} is not inside a Git repository",
                hint="run the command inside a catalog repository or pass --repo PATH",
            )
        lines = text(proc.stdout).splitlines()
        bare_text, git_dir_text, common_text, shallow_text = lines[:4]
        git_dir = Path(git_dir_text)
        common = Path(common_text)
        common = common if common.is_absolute() else (path / common).resolve()
        shallow = shallow_text == "true"
        if bare_text == "true":
            return cls(git_dir, git_dir, common, bare=True, shallow=shallow)
        root = Path(lines[4]) if len(lines) > 4 and lines[4] else git_dir.parent
        return cls(root, git_dir, common, bare=False, shallow=shallow)

    # -- plumbing -----------------------------------------------------------------

    def run(self, args: Sequence[str], *, input: bytes | None = None) -> bytes:
        """Run a git command; raise `GitStateError` with git's message on failure."""
        proc = git(self.root, args, input=input)
        if proc.returncode != 0:
            raise GitStateError(
                f"git {args[0]} failed: {text(proc.stderr).strip() or proc.returncode}"
            )
        return proc.stdout

    def try_run(self, args: Sequence[str]) -> bytes | None:
        """Run a git command; None instead of an error when it fails."""
        proc = git(self.root, args)
        return proc.stdout if proc.returncode == 0 else None

    # -- reads --------------------------------------------------------------------

    def head(self) -> str:
        """The commit HEAD points at (works detached)."""
        out = self.try_run(["rev-parse", "--verify", "-q", "HEAD^{commit}"])
        if out is None:
            raise EmptyRepositoryError(
                f"{self.root} has no commits yet",
                hint="commit the catalog first (`git add -A && git commit`)",
            )
        return text(out).strip()

    def is_shallow(self) -> bool:
        """True for a shallow clone (history truncated).

        The first call answers from `discover` (the same command, moments earlier);
        later ones ask git, since a fetch may have deepened the clone since.
        """
        known, self._shallow = self._shallow, None
        if known is not None:
            return known
        out = self.run(["rev-parse", "--is-shallow-repository"])
        return text(out).strip() == "true"

    def resolve(self, rev: str) -> str:
        """The commit a revision names; `NotFoundError` when it does not exist."""
        if rev.startswith("-"):
            raise NotFoundError(f"revision {rev!r} not found")
        out = self.try_run(["rev-parse", "--verify", "-q", "--end-of-options", f"{rev}^{{commit}}"])
        if out is None:
            raise NotFoundError(f"revision {rev!r} not found")
        return text(out).strip()

    def refs_with_prefix(self, prefix: str) -> list[str]:
        """Every ref below `prefix`."""
        return text(self.run(["for-each-ref", "--format=%(refname)", prefix])).split()

    def refs_containing(self, commit: str, prefix: str) -> list[str]:
        """Refs below `prefix` whose commit is `commit` or has it in its history."""
        out = self.run(["for-each-ref", "--format=%(refname)", "--contains", commit, prefix])
        return text(out).split()

    def commit_times(self, shas: Sequence[str]) -> dict[str, int]:
        """Committer times of commits, in one call."""
        wanted = [s for s in dict.fromkeys(shas) if HEX.match(s.encode())]
        if not wanted:
            return {}
        out = self.run(["show", "-s", "--no-walk", "--format=%H %ct", *wanted, "--"])
        pairs = (line.split() for line in text(out).splitlines() if line.strip())
        return {sha: int(when) for sha, when in pairs}

    def has_commit_graph(self) -> bool:
        """True when a commit-graph file (or chain) speeds up history walks."""
        info = self.common_dir / "objects" / "info"
        return (info / "commit-graph").exists() or (info / "commit-graphs").is_dir()

    def tags(
        self, *, details: bool = True, patterns: Sequence[str] = (), merged: str | None = None
    ) -> list[TagRecord]:
        """Tags in one `for-each-ref` call; `details` reads messages and signatures.

        `patterns` (globs below refs/tags/) select tags; `merged` keeps only tags whose
        commit is reachable from that revision.
        """
        fmt = _TAG_FORMAT if details else _TAG_FORMAT_LIGHT
        where = [f"--merged={merged}"] if merged else []
        refs = [f"refs/tags/{p}" for p in patterns] or ["refs/tags/"]
        out = self.run(["for-each-ref", f"--format={fmt}", *where, "--", *refs])
        return parse_tags(out)

    def tag_listing(self) -> list[tuple[str, str, str]]:
        """`(name, object id, object type)` of every tag, reading no tag object.

        Peeling annotated tags is most of what `tags()` costs; callers that already know
        where a tag object points (by its id) list refs with this instead.
        """
        out = self.run(["for-each-ref", f"--format={_TAG_LISTING}", "--", "refs/tags/"])
        return parse_tag_listing(out)

    def tag_objects(self, refs: Mapping[str, str]) -> list[TagRecord]:
        """Tags not (yet) in refs/tags: tag name -> object id, read in one batch.

        For push hooks, where the pushed objects exist but the refs do not.
        """
        names = list(refs)
        found = self._batch([refs[n] for n in names])
        return [
            parse_tag_object(name, item[0], item[1], item[2])
            for name, item in zip(names, found, strict=True)
            if item is not None
        ]

    def _batch(self, specs: Sequence[str]) -> list[tuple[str, str, bytes] | None]:
        """Objects for many specs (ids or `<rev>:<path>`) in one `cat-file --batch`."""
        if not specs:
            return []
        out = self.run(["cat-file", "--batch"], input="\n".join(specs).encode() + b"\n")
        return parse_batch(out, len(specs))

    def blob_ids(self, specs: Sequence[str]) -> list[str | None]:
        """Ids of the blobs `<rev>:<path>` names, in order (None: missing), in one call."""
        if not specs:
            return []
        out = self.run(["cat-file", "--batch-check"], input="\n".join(specs).encode() + b"\n")
        rows = [line.split(" ") for line in text(out).splitlines()]
        return [r[0] if len(r) == 3 and r[1] == "blob" else None for r in rows]

    def object_sizes(self, shas: Iterable[str]) -> dict[str, int]:
        """Sizes in bytes of many objects, in one `cat-file --batch-check` (no content read)."""
        wanted = list(dict.fromkeys(shas))
        if not wanted:
            return {}
        out = self.run(["cat-file", "--batch-check"], input="\n".join(wanted).encode() + b"\n")
        rows = [line.split(" ") for line in text(out).splitlines()]
        return {r[0]: int(r[2]) for r in rows if len(r) == 3 and r[2].isdigit()}

    def read_paths(self, specs: Sequence[str]) -> list[bytes | None]:
        """Blobs named `<rev>:<path>`, in order (None for a missing one), in one call."""
        return [o[2] if o and o[1] == "blob" else None for o in self._batch(specs)]

    def trees(self, specs: Sequence[str]) -> dict[str, tuple[str, list[TreeEntry]] | None]:
        """Tree id and every file below it for many `<rev>:<path>` specs.

        One `cat-file --batch` per directory depth for all specs together (not a
        process per spec): subtrees met at one depth are read, deduplicated, at the next.
        """
        found = dict(zip(specs, self._batch(specs), strict=True))
        parsed: dict[str, list[tuple[str, str, str]]] = {}
        wanted = {o[0]: o[2] for o in found.values() if o and o[1] == "tree"}
        while wanted:
            nested: set[str] = set()
            for tree_id, raw in wanted.items():
                parsed[tree_id] = parse_tree(raw, len(tree_id) // 2)
                nested |= {sha for mode, _, sha in parsed[tree_id] if mode == "40000"}
            todo = sorted(nested - parsed.keys())
            wanted = {o[0]: o[2] for o in self._batch(todo) if o}
        return {
            spec: (obj[0], _flatten(obj[0], parsed, "")) if obj and obj[1] == "tree" else None
            for spec, obj in found.items()
        }

    def ls_tree(self, rev: str, path: str) -> list[TreeEntry]:
        """Blobs, links and submodules below `path` at `rev` (paths relative to it)."""
        prefix = f"{path}/" if path else ""
        out = self.run(["ls-tree", "-r", "-z", "--full-tree", rev, "--", prefix or "."])
        entries = []
        for item in out.split(b"\0"):
            if not item:
                continue
            meta, _, name = item.partition(b"\t")
            mode, kind, sha = text(meta).split(" ")
            rel = text(name)[len(prefix) :]
            entries.append(TreeEntry(mode, kind, sha, rel))
        return entries

    def read_blobs(self, shas: Iterable[str]) -> dict[str, bytes]:
        """Contents of many blobs in one `cat-file --batch` call."""
        wanted = list(dict.fromkeys(shas))
        return {sha: o[2] for sha, o in zip(wanted, self._batch(wanted), strict=True) if o}

    def hash_files(self, paths: Sequence[str]) -> list[str]:
        """Blob ids the work-tree files would get (filters applied), in one call."""
        if not paths:
            return []
        listing = "".join(f"{p}\n" for p in paths).encode()
        return text(self.run(["hash-object", "--stdin-paths"], input=listing)).split()

    def read_file(self, rev: str, path: str) -> bytes | None:
        """One file at a revision; None when it does not exist there."""
        return self.try_run(["cat-file", "blob", f"{rev}:{path}"])

    def hooks_dir(self) -> Path:
        """Where git looks for hooks (`core.hooksPath` when set), absolute."""
        found = Path(text(self.run(["rev-parse", "--git-path", "hooks"])).strip())
        return found if found.is_absolute() else (self.root / found).resolve()

    def config(self, key: str) -> str | None:
        """A git config value, or None."""
        out = self.try_run(["config", "--get", "--end-of-options", key])
        return text(out).strip() if out is not None else None

    def remotes(self) -> list[str]:
        """Configured remote names."""
        return text(self.run(["remote"])).split()

    def verify_tag(self, name: str) -> SignatureCheck:
        """Check a tag's signature with `git verify-tag`."""
        proc = git(self.root, ["verify-tag", "--", name])
        return SignatureCheck(proc.returncode == 0, text(proc.stderr).strip())

    @property
    def state_dir(self) -> Path:
        """`.git/gitops-templates/`: caches and locks that belong to this clone.

        Never a symlink (caches and locks are not written outside the repository); in
        a read-only `.git` it is not made, and the caches simply go without.
        """
        path = self.common_dir / "gitops-templates"
        if path.is_symlink():
            raise GitStateError(
                f"{path} is a symlink: caches and locks are never written outside the repository",
                hint=f"remove it (rm {path}); it is recreated as a directory",
            )
        with contextlib.suppress(OSError):
            path.mkdir(parents=True, exist_ok=True)
        return path


def _flatten(
    tree_id: str, parsed: dict[str, list[tuple[str, str, str]]], prefix: str
) -> list[TreeEntry]:
    entries: list[TreeEntry] = []
    for mode, name, sha in parsed.get(tree_id, []):
        path = f"{prefix}{name}"
        if mode == "40000":
            entries.extend(_flatten(sha, parsed, f"{path}/"))
        else:
            kind = "commit" if mode == "160000" else "blob"
            entries.append(TreeEntry(mode.rjust(6, "0"), kind, sha, path))
    return entries
