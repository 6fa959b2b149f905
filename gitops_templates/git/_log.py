"""Reading history: `git log -z` passes parsed as git writes them.

A full walk runs in two halves on multi-core hosts; the reachability questions that
bound a walk (tags HEAD reaches, a common ancestor) are one call each.
"""

from __future__ import annotations

import os
import subprocess
from typing import TYPE_CHECKING

from gitops_templates.errors import GitStateError
from gitops_templates.git._core import RepoCore
from gitops_templates.git._parse import HEX, LogParser, LogResult, text
from gitops_templates.git._process import env, log_args

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

PARALLEL_LOG_MIN = 2000  # first-parent commits before a full walk is split in two


class HistoryReads(RepoCore):
    """The history half of `GitRepo` (mixed in)."""

    def existing(self, shas: Iterable[str]) -> set[str]:
        """The subset of object ids present in the object database."""
        wanted = [s for s in shas if HEX.match(s.encode())]
        if not wanted:
            return set()
        out = self.run(["cat-file", "--batch-check"], input="\n".join(wanted).encode() + b"\n")
        return {
            line.split(" ", 1)[0]
            for line in text(out).splitlines()
            if not line.endswith(" missing")
        }

    def log(
        self,
        include: Sequence[str],
        exclude: Sequence[str] = (),
        *,
        first_parent: bool = False,
        limit: int | None = None,
        paths: Sequence[str] = (),
    ) -> LogResult:
        """One `git log` pass: commits reachable from `include` but not `exclude`.

        With `paths`, only commits touching them, each listing all its files.

        Every commit is walked and merges list no files (their branches' commits carry
        the changes); with `first_parent` only the first-parent chain is walked and a
        merge lists the files it changed against its first parent (`-m --first-parent`:
        what the merge brought to the branch).
        """
        tail = [*include, *(["--not", *exclude] if exclude else []), "--", *paths]
        return self._stream_log(log_args(first_parent, limit, tail, full_diff=bool(paths)))

    def log_history(
        self,
        head: str,
        *,
        first_parent: bool,
        split_hint: str | None = None,
        exclude: Sequence[str] = (),
    ) -> LogResult:
        """`head`'s history but what `exclude` reaches, in two halves read in parallel.

        Tree diffs dominate a full `git log --name-only`; git runs them on one core.
        The first-parent chain is split at its middle commit M: `git log head --not M`
        and `git log M` cover the history exactly once between them, and the first
        half's commits are never ancestors of the second's, so their concatenation is
        still children-first. One half is parsed as it streams while git writes the
        other to a temporary file.

        Walking every parent, any existing commit splits correctly (`split_hint`, e.g.
        the median tag, found for free): commits it brings that HEAD does not reach are
        read too and then ignored by reachability, and the order argument still holds.
        Walking the first-parent chain, M must lie on it, so the chain is listed.
        """
        middle = None
        if (os.cpu_count() or 1) >= 2:
            hinted = split_hint if split_hint and not first_parent and not exclude else None
            middle = (hinted if hinted and self.existing([hinted])
                      else self._split_point(head, exclude))  # fmt: skip
        if middle is None:
            return self.log([head], exclude, first_parent=first_parent)
        import tempfile  # not on the hook path

        with tempfile.TemporaryFile() as older, tempfile.TemporaryFile() as errors:
            below = ["--not", *exclude] if exclude else []
            args = log_args(first_parent, None, [middle, *below, "--"])
            proc = subprocess.Popen(
                ["git", *args], cwd=self.root, stdout=older, stderr=errors, env=env()
            )
            newer = self.log([head], [middle, *exclude], first_parent=first_parent)
            if proc.wait() != 0:
                errors.seek(0)
                raise GitStateError(f"git log failed: {text(errors.read()).strip()}")
            older.seek(0)
            parser = LogParser()
            while chunk := older.read(1 << 20):
                parser.feed(chunk)
            rest = parser.finish()
        return LogResult(newer.commits + rest.commits, newer.invalid_utf8 + rest.invalid_utf8)

    def _split_point(self, head: str, exclude: Sequence[str] = ()) -> str | None:
        """The middle of `head`'s first-parent chain, or None when it is short."""
        below = ["--not", *exclude] if exclude else []
        chain = text(self.run(["rev-list", "--first-parent", head, *below, "--"])).split()
        return chain[len(chain) // 2] if len(chain) >= PARALLEL_LOG_MIN else None

    def commit_count(self, rev: str) -> int:
        """How many commits `rev` reaches (`rev-list --count`)."""
        return int(text(self.run(["rev-list", "--count", rev, "--"])).strip() or 0)

    def tag_names_reachable(self, rev: str) -> set[str]:
        """Names (`refs/tags/...`) of the tags whose commit `rev` reaches, in one call."""
        out = self.run(["for-each-ref", f"--merged={rev}", "--format=%(refname)", "--",
                        "refs/tags/"])  # fmt: skip
        return set(text(out).splitlines())

    def common_ancestor(self, commits: Sequence[str]) -> str | None:
        """A commit every one of `commits` reaches (`merge-base --octopus`), or None."""
        if not commits:
            return None
        out = self.try_run(["merge-base", "--octopus", "--", *commits])
        found = text(out).split() if out else []
        return found[0] if found else None

    def _stream_log(self, args: list[str]) -> LogResult:
        """Run `git log` and parse its output while it is being written.

        stdout and stderr are both drained as they arrive, so neither pipe can fill up
        and stall git, and no temporary file is needed.
        """
        import selectors  # already loaded by subprocess

        parser = LogParser()
        errors = bytearray()
        proc = subprocess.Popen(["git", *args], cwd=self.root, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env())  # fmt: skip
        stdout, stderr = proc.stdout, proc.stderr
        assert stdout is not None
        assert stderr is not None
        with selectors.DefaultSelector() as selector, stdout, stderr:
            selector.register(stdout, selectors.EVENT_READ, parser.feed)
            selector.register(stderr, selectors.EVENT_READ, errors.extend)
            while selector.get_map():
                for key, _ in selector.select():
                    chunk = os.read(key.fd, 1 << 20)
                    if chunk:
                        key.data(chunk)
                    else:
                        selector.unregister(key.fileobj)
        if proc.wait() != 0:
            detail = text(bytes(errors)).strip()
            raise GitStateError(f"git log failed: {detail or proc.returncode}")
        return parser.finish()
