"""Use-cases `rollback` and `rollforward`, second half: carry out a `RestorePlan`.

Steps, under the repository lock: a backup ref to HEAD; ONE commit through `git
commit` (hooks and signing apply) restoring the template's directory plus
yanked.yaml; the user's index and work tree updated for those paths only;
post-validation; the annotated tag in one ref transaction; optionally one atomic
push of branch and tag. Any failure or Ctrl-C at any step undoes what was done: the
tag deleted, the branch moved back, the paths restored, the backup ref removed, so
refs, index and work tree are as before. If undoing itself fails, the backup ref
stays and the error says how to finish by hand.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from gitops_templates.core.changelog import read_tag_message
from gitops_templates.core.jsonform import JsonDocument
from gitops_templates.errors import (
    GitOpsTemplatesError,
    GitStateError,
    StalePlanError,
)
from gitops_templates.git.lock import repository_lock
from gitops_templates.git.repo import NewTag
from gitops_templates.git.undo import CommitUndo, undone_error
from gitops_templates.rollback.checks import Check, failure, post_checks
from gitops_templates.rollback.restore_plan import kept_inside

if TYPE_CHECKING:
    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.git.repo import GitRepo
    from gitops_templates.rollback.restore_plan import RestorePlan

BACKUP_PREFIX = "refs/gitops-templates/backup/"
POST_CHECKS = ("tree-equal", "metadata-valid", "examples-valid")


@dataclass(frozen=True, slots=True)
class RestoreResult(JsonDocument):
    """What a rollback or roll-forward did (or, dry-run, would do)."""

    json_fields: ClassVar[tuple[str, ...]] = (
        "schema_version",
        "kind=plan.kind",
        "id=plan.id",
        "dry_run",
        "version=plan.new_version",
        "tag=plan.new_tag",
        "commit",
        "tag_object",
        "backup_ref",
        "pushed_to",
        "checks",
        "plan",
    )

    plan: RestorePlan
    dry_run: bool
    checks: tuple[Check, ...]
    commit: str | None = None
    tag_object: str | None = None
    backup_ref: str | None = None
    pushed_to: str | None = None


def execute(
    ws: Workspace,
    plan: RestorePlan,
    *,
    push: bool = False,
    remote: str = "origin",
    dry_run: bool = False,
) -> RestoreResult:
    """Carry out `plan` completely, or leave the repository exactly as it was."""
    if plan.failed():
        raise failure(plan.checks, f"{plan.kind} of {plan.id}")
    if dry_run:
        planned = tuple(Check(n, "post", "planned", "after the commit") for n in POST_CHECKS)
        return RestoreResult(plan, True, plan.checks + planned)
    with repository_lock(ws.repo.state_dir, plan.kind, branch=plan.branch or "HEAD"):
        if ws.repo.head() != plan.head or ws.repo.symbolic_head() != plan.branch:
            raise StalePlanError("HEAD moved since the plan was made", hint=f"re-run `{plan.kind}`")
        undo = CommitUndo(ws.repo, plan.head, plan.branch, plan.paths)
        try:
            return _run(ws, plan, undo, push=push, remote=remote)
        except (GitOpsTemplatesError, KeyboardInterrupt) as err:
            backup = undo.backup_ref
            raise undone_error(
                err,
                undo.undo(),
                f"{plan.kind} of {plan.id}",
                partial_hint=f"the state before is kept in {backup}: `git reset --keep {backup}`, "
                f"then `git tag -d {plan.new_tag}` if it exists",
            ) from err


def _run(
    ws: Workspace, plan: RestorePlan, undo: CommitUndo, *, push: bool, remote: str
) -> RestoreResult:
    repo = ws.repo
    undo.backup_ref = _backup_name(repo)
    repo.update_refs([f"create {undo.backup_ref} {plan.head}"])
    undo.committed = True  # before the call: an interrupt may land after HEAD moved
    commit = repo.commit_directory(
        plan.head, plan.path, plan.target_tree, plan.files, plan.commit_message
    )
    if repo.object_id(f"{commit}^") != plan.head:
        raise GitStateError(f"HEAD moved while committing (now {commit[:12]})")
    undo.touched = True
    repo.restore_paths(commit, plan.paths)
    kept = kept_inside(plan.path, plan.files)
    checks = post_checks(ws, plan.id, plan.path, plan.target_tree, emergency=plan.emergency,
                         kept=kept)  # fmt: skip
    if any(c.status == "failed" for c in checks):
        raise failure(checks, "post-validation")
    sign = True if ws.settings.sign_tags else None
    undo.tags[plan.new_tag] = None
    message = _with_content(ws, plan, commit) if kept else plan.tag_message
    objects = repo.create_tags([NewTag(plan.new_tag, commit, message)], sign=sign)
    undo.tags[plan.new_tag] = objects[plan.new_tag]
    pushed = None
    if push:
        refs = [*([plan.branch] if plan.branch else []), f"refs/tags/{plan.new_tag}"]
        try:
            repo.push_atomic(remote, refs)
        except GitStateError as err:
            raise GitStateError(
                err.message, hint="pull (the remote may have moved), then run it again"
            ) from err
        pushed = remote
    return RestoreResult(
        plan,
        False,
        plan.checks + tuple(checks),
        commit,
        objects[plan.new_tag],
        undo.backup_ref,
        pushed,
    )


def _with_content(ws: Workspace, plan: RestorePlan, commit: str) -> str:
    """The tag message with the digest and tree the commit holds.

    A kept changelog file makes them differ from the target's.
    """
    found = ws.contents([(commit, plan.path)])[(commit, plan.path)]
    if found is None:
        raise GitStateError(f"{plan.path} is missing from the restoring commit {commit[:12]}")
    digest, tree = found
    note = read_tag_message(plan.tag_message)
    message = plan.tag_message
    if note.digest:
        message = message.replace(f"Template-Digest: {note.digest}", f"Template-Digest: {digest}")
    if note.tree:
        message = message.replace(f"Template-Tree: {note.tree}", f"Template-Tree: {tree}")
    return message


def _backup_name(repo: GitRepo) -> str:
    """A free `refs/gitops-templates/backup/<UTC time>` name (never overwriting one)."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    for attempt in range(100):
        name = f"{BACKUP_PREFIX}{stamp}" + (f"-{attempt}" if attempt else "")
        if repo.object_id(name) is None:
            return name
    raise GitStateError(f"too many backup refs named {BACKUP_PREFIX}{stamp}*")
