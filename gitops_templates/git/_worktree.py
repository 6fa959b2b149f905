"""Commits, refs and the work tree: what rollback, roll-forward and `release --commit` change.

A restoring (or release) commit is built in a private index (`GIT_INDEX_FILE`), so the user's index
is never read into the commit: unrelated staged changes stay staged and out of it.
`git commit` itself makes the commit, so the repository's hooks (pre-commit,
commit-msg, post-commit) and commit signing apply as to any other commit. The user's
index and work tree are then brought to the new HEAD for the restored paths only.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gitops_templates.errors import GitStateError
from gitops_templates.git._core import RepoCore
from gitops_templates.git._parse import text
from gitops_templates.git._write import WriteError, run_write

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


class WorkTreeOps(RepoCore):
    """The commit-and-refs half of `GitRepo` (mixed in)."""

    # -- reads --------------------------------------------------------------------

    def symbolic_head(self) -> str | None:
        """The branch ref HEAD points at (`refs/heads/main`), None when detached."""
        out = self.try_run(["symbolic-ref", "-q", "HEAD"])
        return text(out).strip() if out else None

    def object_id(self, spec: str) -> str | None:
        """The object a `<rev>:<path>` spec names, or None."""
        out = self.try_run(["rev-parse", "--verify", "-q", "--end-of-options", spec])
        return text(out).strip() if out else None

    def is_ancestor(self, ancestor: str, commit: str) -> bool:
        """True when `ancestor` is reachable from `commit` (or is it)."""
        return self.try_run(["merge-base", "--is-ancestor", ancestor, commit]) is not None

    def path_status(self, paths: Sequence[str]) -> list[str]:
        """`git status --porcelain=v2` lines for `paths`: staged, unstaged, untracked."""
        out = self.run(["status", "--porcelain=v2", "-z", "--untracked-files=all", "--", *paths])
        return [entry for entry in text(out).split("\0") if entry]

    def commit_message(self, commit: str) -> tuple[list[str], str]:
        """A commit's parents and its full message."""
        out = text(self.run(["show", "-s", "--format=%P%x00%B", "--end-of-options", commit]))
        parents, _, message = out.partition("\0")
        return parents.split(), message

    def first_after(self, base: str, tip: str) -> str | None:
        """The commit right after `base` on `tip`'s first-parent line (None: not there)."""
        if not self.is_ancestor(base, tip):
            return None
        out = text(self.run(["rev-list", "--first-parent", "--reverse", f"{base}..{tip}", "--"]))
        return out.split("\n", 1)[0].strip() or None

    def tags_at(self, commit: str) -> list[str]:
        """Names of the tags that point at `commit`."""
        return text(self.run(["tag", "--points-at", commit])).split()

    def changed_paths(self, old: str, new: str) -> list[str]:
        """Files that differ between two commits."""
        out = self.run(["diff", "--no-renames", "--name-only", "-z", old, new, "--"])
        return [path for path in text(out).split("\0") if path]

    def differing_paths(self, rev: str, paths: Sequence[str], *, cached: bool) -> set[str]:
        """Which of `paths` differ between `rev` and the work tree (or the index)."""
        args = ["diff", "--no-renames", "--name-only", "-z", *(["--cached"] if cached else [])]
        out = self.run([*args, rev, "--", *paths])
        return {path for path in text(out).split("\0") if path}

    # -- writes -------------------------------------------------------------------

    def update_refs(self, commands: Sequence[str]) -> None:
        """Apply `update-ref --stdin` commands in ONE transaction (all or none)."""
        lines = ["start", *commands, "prepare", "commit"]
        try:
            run_write(self.root, ["update-ref", "--stdin"], stdin="\n".join(lines) + "\n")
        except WriteError as err:
            raise GitStateError(f"the ref transaction was refused: {err.detail}") from err

    def commit_directory(
        self,
        parent: str,
        directory: str,
        tree: str,
        files: Mapping[str, bytes | None],
        message: str,
    ) -> str:
        """Commit `parent` with `directory` replaced by `tree`, returning the commit.

        `files` are set too (None: removed). Runs `git commit` on HEAD with a private
        index, so hooks run and the user's index is not part of the commit.
        """
        return self._private_commit(parent, files, message, (directory, tree))

    def commit_files(self, parent: str, files: Mapping[str, bytes | None], message: str) -> str:
        """Commit `parent` with `files` set (None: removed), as `commit_directory` does."""
        return self._private_commit(parent, files, message, None)

    def _private_commit(
        self,
        parent: str,
        files: Mapping[str, bytes | None],
        message: str,
        replace: tuple[str, str] | None,
    ) -> str:
        import shutil
        import tempfile

        for left in self.state_dir.glob("index-*"):  # from a run that was killed:
            shutil.rmtree(left, ignore_errors=True)  # commits are made under the lock only
        with tempfile.TemporaryDirectory(prefix="index-", dir=self.state_dir) as scratch:
            env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
            try:
                self._build_index(parent, files, replace, env)
            except WriteError as err:
                raise GitStateError(f"could not build the commit's tree: {err.detail}") from err
            try:
                run_write(
                    self.root,
                    ["commit", "-q", "--cleanup=whitespace", "--no-edit", "-F", "-"],
                    stdin=message,
                    env=env,
                )
            except WriteError as err:
                raise GitStateError(
                    f"git commit failed: {err.detail or 'a hook refused the commit'}",
                    hint="a pre-commit or commit-msg hook may have refused it; see above",
                ) from err
        out = self.try_run(["rev-parse", "--verify", "-q", "HEAD^{commit}"])
        return text(out).strip() if out else ""

    def _build_index(
        self,
        parent: str,
        files: Mapping[str, bytes | None],
        replace: tuple[str, str] | None,
        env: dict[str, str],
    ) -> None:
        """The private index: `parent`'s tree, a directory replaced, files set."""
        run_write(self.root, ["read-tree", parent], env=env)
        if replace is not None:
            directory, tree = replace
            run_write(
                self.root,
                ["rm", "--cached", "-r", "-q", "--ignore-unmatch", "--", directory],
                env=env,
            )
            run_write(self.root, ["read-tree", f"--prefix={directory}/", tree], env=env)
        for path, content in files.items():
            if content is None:
                run_write(self.root, ["update-index", "--force-remove", "--", path], env=env)
                continue
            blob = run_write(
                self.root, ["hash-object", "-w", "--stdin"], stdin=content.decode(), env=env
            ).strip()
            run_write(
                self.root,
                ["update-index", "--add", "--cacheinfo", f"100644,{blob},{path}"],
                env=env,
            )

    def restore_paths(self, source: str, paths: Sequence[str]) -> None:
        """Index and work tree of `paths` as at `source` (files it lacks removed).

        Paths neither `source` nor the index knows are skipped (`git restore` would
        refuse them, and git 2.39 has no `--ignore-unmatch` for it).
        """
        listed = self.run(["ls-files", "-z", "--", *paths])
        indexed = {p for p in text(listed).split("\0") if p}
        known = [
            path
            for path in paths
            if self.object_id(f"{source}:{path}")
            or any(p == path or p.startswith(f"{path}/") for p in indexed)
        ]
        if not known:
            return
        args = ["restore", f"--source={source}", "--staged", "--worktree", "--"]
        try:
            run_write(self.root, [*args, *known])
        except WriteError as err:
            raise GitStateError(f"could not update the work tree: {err.detail}") from err
