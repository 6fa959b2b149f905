"""Taking back a commit-and-tag command: what rollback and `release --commit` share.

The command records each step as it goes (before the call, for steps an interrupt
could cut in two); `undo()` then takes back every recorded step, newest first: the
tags it created deleted (only while they are the objects it made), the branch moved
back to where it was, the committed paths restored in the index and work tree, and
the backup ref (if any) removed once everything else was undone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gitops_templates.errors import GitOpsTemplatesError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from gitops_templates.errors import Problem
    from gitops_templates.git.repo import GitRepo


class CommitUndo:
    """What has been done so far on top of `head`, and how to take it back."""

    def __init__(self, repo: GitRepo, head: str, branch: str | None, paths: Sequence[str]) -> None:
        self.repo = repo
        self.head = head
        self.branch = branch  # the branch ref HEAD was on (None: detached)
        self.paths = tuple(paths)  # what the commit changes in index and work tree
        self.backup_ref: str | None = None
        self.committed = False
        self.touched = False
        self.tags: dict[str, str | None] = {}  # tag name -> the object created (None: not yet)

    def undo(self) -> list[str]:
        """Take every step back; the problems of steps that could not be undone."""
        problems: list[str] = []
        repo = self.repo

        def step(what: str, action: Any) -> None:
            try:
                action()
            except (GitOpsTemplatesError, KeyboardInterrupt) as err:
                problems.append(f"{what}: {getattr(err, 'message', 'interrupted')}")

        for name, made in self.tags.items():
            step(f"delete the new tag {name}", lambda n=name, m=made: self._delete_tag(n, m))
        if self.committed:
            step("move HEAD back", self._reset_head)
        if self.touched:
            step("restore the work tree", lambda: repo.restore_paths(self.head, self.paths))
        if self.backup_ref is not None and not problems:
            backup = self.backup_ref
            step(
                "remove the backup ref", lambda: repo.update_refs([f"delete {backup} {self.head}"])
            )
        return problems

    def _delete_tag(self, name: str, made: str | None) -> None:
        found = self.repo.object_id(f"refs/tags/{name}")
        if found is not None and found == made:
            self.repo.update_refs([f"delete refs/tags/{name} {found}"])

    def _reset_head(self) -> None:
        now = self.repo.object_id("HEAD")
        if now is not None and now != self.head:
            ref = self.branch or "HEAD"
            self.repo.update_refs([f"update {ref} {self.head} {now}"])


def undone_error(
    err: GitOpsTemplatesError | KeyboardInterrupt,
    problems: list[str],
    what: str,
    *,
    partial_hint: str,
) -> GitOpsTemplatesError:
    """The error to report once the undo ran: what failed, and the repository's state.

    `what` names the command (`rollback of web`); `partial_hint` says how to finish
    by hand when some step could not be undone (`problems`).
    """
    kind: type[GitOpsTemplatesError] = GitOpsTemplatesError
    message, hint = "interrupted", None
    found: tuple[Problem, ...] = ()
    if isinstance(err, GitOpsTemplatesError):
        kind, message, hint, found = type(err), err.message, err.hint, err.problems
    if problems:
        return kind(
            f"{what} failed ({message}) and could not be fully undone: " + "; ".join(problems),
            hint=partial_hint,
            problems=found,
        )
    return kind(
        f"{what} failed: {message}; the repository was restored "
        "(HEAD, index, work tree and tags as before)",
        hint=hint,
        problems=found,
    )
