"""Use-case `recover`: finish or undo a rollback or roll-forward that was killed.

A killed command leaves its lock (with a pid that is gone) and, once it began, a
backup ref to HEAD as it was. The tag is the point of no return: a restoring commit
that got its tag is finished (the lock goes, the backup ref stays as after any
rollback); one without its tag is undone (its paths back as before, the branch moved
back, the backup ref removed). Anything else on HEAD is the user's work, so recover
refuses and names the backup instead of guessing. Each step can be run again.
"""

from __future__ import annotations

import calendar
import contextlib
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from gitops_templates.core.jsonform import JsonDocument
from gitops_templates.errors import GitStateError
from gitops_templates.git.lock import held_error, read_lock
from gitops_templates.rollback.execute import BACKUP_PREFIX

if TYPE_CHECKING:
    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.git.lock import LockOwner
    from gitops_templates.git.repo import GitRepo

RESTORING_TRAILERS = ("Rollback-Of:", "Rollforward-Of:")


@dataclass(frozen=True, slots=True)
class RecoverResult(JsonDocument):
    """What `recover` found and did (or, dry-run, would do).

    `action`: `none` (no interrupted command), `unlocked` (it changed nothing),
    `finished` (its tag exists: only the lock was left), `undone` (taken back).
    """

    json_fields: ClassVar[tuple[str, ...]] = (
        "schema_version", "action", "detail", "interrupted", "backup_ref",
        "restoring_commit", "tag", "dry_run",
    )  # fmt: skip

    action: str
    detail: str
    dry_run: bool
    interrupted: str | None = None
    backup_ref: str | None = None
    restoring_commit: str | None = None
    tag: str | None = None


def recover(ws: Workspace, *, dry_run: bool = False) -> RecoverResult:
    """Finish or undo what a killed mutating command left; then free its lock."""
    owner = read_lock(ws.repo.state_dir)
    if owner is None:
        return RecoverResult("none", "no interrupted command: the lock is free", dry_run)
    if owner.running:
        raise held_error(owner)
    backup = _latest_backup(ws.repo, owner.since)
    if backup is None:
        result = RecoverResult(
            "unlocked", f"{owner.command} made no backup of HEAD: nothing of it to undo",
            dry_run, owner.command,
        )  # fmt: skip
    else:
        result = _settle(ws.repo, owner, backup, dry_run=dry_run)
    if not dry_run:
        with contextlib.suppress(FileNotFoundError):
            owner.path.unlink()
    return result


def _latest_backup(repo: GitRepo, since: int) -> str | None:
    """The newest backup ref made at or after `since` (the interrupted command's)."""
    found: list[tuple[int, int, str]] = []
    for ref in repo.refs_with_prefix(BACKUP_PREFIX):
        stamp, _, attempt = ref.removeprefix(BACKUP_PREFIX).partition("-")
        try:
            made = calendar.timegm(time.strptime(stamp, "%Y%m%dT%H%M%SZ"))
            found.append((made, int(attempt or 0), ref))
        except ValueError:
            continue  # not one of ours
    found = [entry for entry in found if entry[0] >= since]
    return max(found)[2] if found else None


def _settle(repo: GitRepo, owner: LockOwner, backup: str, *, dry_run: bool) -> RecoverResult:
    """Finish or undo the interrupted command whose backup ref is `backup`."""
    ref = owner.branch or repo.symbolic_head() or "HEAD"
    base, tip = repo.object_id(backup) or "", repo.object_id(ref) or ""
    if tip == base:
        if not dry_run:
            repo.update_refs([f"delete {backup} {base}"])
        detail = f"{owner.command} stopped before its commit: nothing to undo"
        return RecoverResult("unlocked", detail, dry_run, owner.command, backup)
    restoring = repo.first_after(base, tip)
    parents, message = repo.commit_message(restoring) if restoring else ([], "")
    if restoring is None or parents != [base] or not _restoring(message):
        raise _not_ours(owner, ref, backup, "is neither the state before it nor its commit")
    cid = _trailer(message, "Template")
    tags = [t for t in repo.tags_at(restoring) if t.startswith(f"{cid}@")]
    if tags:
        detail = f"{owner.command} had tagged {tags[0]}: it is complete (push it if you meant to)"
        return RecoverResult("finished", detail, dry_run, owner.command, backup, restoring, tags[0])
    if restoring != tip:
        raise _not_ours(owner, ref, backup, "has commits on top of its untagged commit")
    if not dry_run:
        _undo(repo, ref, base, tip, backup)
    done = "would be" if dry_run else "was"
    detail = f"{owner.command} stopped before its tag: its commit {tip[:12]} {done} taken back"
    return RecoverResult("undone", detail, dry_run, owner.command, backup, tip)


def _not_ours(owner: LockOwner, ref: str, backup: str, what: str) -> GitStateError:
    """Recover refuses: `ref` holds work it cannot tell from the interrupted command's."""
    return GitStateError(
        f"{ref} {what} (the interrupted {owner.command}; the state before it is {backup})",
        hint=f"compare `git log --oneline {backup}..{ref}` and settle it by hand; "
        f"then remove the lock: rm {owner.path}",
    )


def _undo(repo: GitRepo, ref: str, base: str, tip: str, backup: str) -> None:
    """Paths back to `base` when `ref` is checked out, then `ref`, then the backup ref."""
    if ref in ("HEAD", repo.symbolic_head()):
        paths = repo.changed_paths(base, tip)
        edited = sorted(
            (repo.differing_paths(base, paths, cached=False)
             & repo.differing_paths(tip, paths, cached=False))
            | (repo.differing_paths(base, paths, cached=True)
               & repo.differing_paths(tip, paths, cached=True))
        )  # fmt: skip
        if edited:
            raise GitStateError(
                f"{', '.join(edited[:5])} changed after the interruption; recover would lose that",
                hint="stash those changes (`git stash`), run `gitops-templates recover` again, "
                "then `git stash pop`",
            )
        repo.restore_paths(base, paths)
    repo.update_refs([f"update {ref} {base} {tip}", f"delete {backup} {base}"])


def _restoring(message: str) -> bool:
    """True for the commit message of a rollback or roll-forward."""
    return any(line.startswith(RESTORING_TRAILERS) for line in message.splitlines())


def _trailer(message: str, key: str) -> str:
    """The value of the last `key: value` line in `message` ("" when absent)."""
    values = [
        ln.split(":", 1)[1].strip() for ln in message.splitlines() if ln.startswith(f"{key}:")
    ]
    return values[-1] if values else ""
