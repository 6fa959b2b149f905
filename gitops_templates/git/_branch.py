"""A branch built beside the user's (what `release-pr` changes).

Commits from a private index, a scratch work tree, and a push guarded by
`--force-with-lease`.

Nothing here touches the user's HEAD, index or work tree: the commit is made with
`git commit-tree` from a tree written in a private index, the scratch work tree is a
detached `git worktree` removed afterwards, and only the named branch ref moves.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from gitops_templates.errors import GitStateError
from gitops_templates.git._core import RepoCore
from gitops_templates.git._parse import text
from gitops_templates.git._write import SIGNATURE_HINT, WriteError, git_bool, run_write

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping


class BranchOps(RepoCore):
    """The release-branch half of `GitRepo` (mixed in)."""

    def tree_with(self, parent: str, files: Mapping[str, bytes]) -> str:
        """The tree of `parent` with `files` set, written from a private index.

        Three git calls whatever the number of files: the blobs are hashed in one
        `hash-object --stdin-paths` and entered in one `update-index --index-info`.
        """
        import tempfile  # with shutil and the compressors: not on the read paths

        with tempfile.TemporaryDirectory(prefix="index-", dir=self.state_dir) as scratch:
            env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
            paths = sorted(files)
            staged = []
            for number, path in enumerate(paths):
                staged.append(Path(scratch) / f"blob-{number}")
                staged[-1].write_bytes(files[path])
            try:
                run_write(self.root, ["read-tree", parent], env=env)
                listing = "".join(f"{p}\n" for p in staged)
                blobs = run_write(self.root, ["hash-object", "-w", "--no-filters",
                                              "--stdin-paths"], stdin=listing).split()  # fmt: skip
                entries = "".join(f"100644 {b}\t{p}\0" for b, p in zip(blobs, paths, strict=True))
                run_write(self.root, ["update-index", "-z", "--index-info"], stdin=entries, env=env)
                return run_write(self.root, ["write-tree"], env=env).strip()
            except WriteError as err:
                raise GitStateError(f"could not build the commit's tree: {err.detail}") from err

    def commit_tree(self, tree: str, parent: str, message: str, *, sign: bool | None) -> str:
        """A new commit of `tree` on `parent` (`git commit-tree`: no ref moves).

        `sign=None` follows `commit.gpgSign` (which `commit-tree` itself ignores), True
        forces a signature, False forbids one; `gpg.format` and the key are git's own.
        """
        signs = sign if sign is not None else git_bool(self.config("commit.gpgsign"))
        args = ["commit-tree", tree, "-p", parent, *(["-S"] if signs else []), "-F", "-"]
        try:
            return run_write(self.root, args, stdin=message).strip()
        except WriteError as err:
            raise GitStateError(f"git commit-tree failed: {err.detail}",
                                hint=SIGNATURE_HINT if signs else None) from err  # fmt: skip

    def last_change(self, rev: str, path: str) -> str | None:
        """The newest commit on `rev`'s first-parent line that changed `path`."""
        out = self.try_run(["rev-list", "--first-parent", "-n", "1", rev, "--", path])
        return text(out).strip() or None if out else None

    @contextlib.contextmanager
    def scratch_worktree(self, commit: str) -> Iterator[Path]:
        """A detached work tree of `commit`, removed afterwards (the user's is untouched)."""
        import tempfile

        with tempfile.TemporaryDirectory(prefix="gitops-templates-") as scratch:
            path = Path(scratch) / "tree"
            try:
                run_write(self.root, ["worktree", "add", "--detach", "-q", str(path), commit])
            except WriteError as err:
                raise GitStateError(f"cannot check out {commit[:12]}: {err.detail}") from err
            try:
                yield path
            finally:
                with contextlib.suppress(WriteError):
                    run_write(self.root, ["worktree", "remove", "--force", str(path)])
                with contextlib.suppress(WriteError):
                    run_write(self.root, ["worktree", "prune"])

    def checked_out_branches(self) -> set[str]:
        """Branch refs checked out in any worktree of this repository."""
        out = text(self.try_run(["worktree", "list", "--porcelain", "-z"]) or b"")
        return {item.removeprefix("branch ") for item in out.split("\0")
                if item.startswith("branch ")}  # fmt: skip

    def remote_branch(self, remote: str, ref: str) -> str | None:
        """The commit `ref` names on `remote` (`git ls-remote`), None when it has none."""
        if remote not in self.remotes():
            from gitops_templates.errors import NotFoundError

            known = ", ".join(self.remotes()) or "none"
            raise NotFoundError(f"remote {remote!r} is not configured",
                                hint=f"configured remotes: {known}")  # fmt: skip
        try:
            out = run_write(self.root, ["ls-remote", "--", remote, ref])
        except WriteError as err:
            raise GitStateError(f"cannot read {ref} from {remote}: {err.detail}") from err
        for line in out.splitlines():
            oid, _, name = line.partition("\t")
            if name == ref:
                return oid
        return None

    def push_with_lease(self, remote: str, ref: str, expected: str | None) -> None:
        """Push `ref` to `remote` only if it still names `expected` there (None: absent)."""
        lease = f"--force-with-lease={ref}:{expected or ''}"
        try:
            run_write(self.root, ["push", "--porcelain", lease, "--", remote, f"{ref}:{ref}"])
        except WriteError as err:
            raise GitStateError(
                f"git push of {ref} to {remote} was refused: {err.detail}",
                hint="the branch on the remote has commits this clone has not seen: look at "
                "them (`git fetch`), then run the command again to replace them",
            ) from err
