"""`release --commit`: the changelog files in one release commit, then the tags on it.

Under the release lock, before anything changes: HEAD must be on a branch and the
changelog paths clean (nothing staged, modified or untracked there). Then ONE commit,
made by `git commit` from a private index (hooks and commit signing apply; other
staged changes stay staged and out of it), the paths brought to it in the index and
work tree, every tag on that commit in one ref transaction and, with `--push`, the
branch and the tags in one `git push --atomic`. Any failure or Ctrl-C undoes every
step with rollback's `CommitUndo`: tags deleted, branch moved back, paths restored.

The commit is `chore(release): <tags>` with a `Release: none` footer, and it touches
only changelog files, which attribute no commit: it never counts for a template.
Nothing to write (the files hold the versions already) tags HEAD as `release` does,
so a run killed between its commit and its tags finishes when run again.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from gitops_templates.errors import GitOpsTemplatesError, GitStateError, Problem
from gitops_templates.git.undo import CommitUndo, undone_error
from gitops_templates.versioning.changelog_files import changelog_updates
from gitops_templates.versioning.release import create_planned_tags, finish, released_at_head

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.core.models import TagRecord
    from gitops_templates.versioning.plan import ReleasePlan
    from gitops_templates.versioning.release import ReleaseResult

HEADER_LIMIT = 100  # the commit-msg lint warns above it


def commit_and_tag(
    ws: Workspace,
    plan: ReleasePlan,
    existing: dict[str, TagRecord],
    *,
    ids: Sequence[str],
    sign: bool | None,
    push: bool,
    remote: str,
    dry_run: bool,
) -> ReleaseResult:
    """Write the changelog files in one commit and tag it, or change nothing."""
    branch = ws.repo.symbolic_head()
    missing = [r for r in plan.releases if r.tag not in existing]
    updates = changelog_updates(ws, plan) if missing else {}
    paths = tuple(sorted(updates))
    if updates:
        _refuse_unsafe(ws, paths, branch)
    if dry_run or not updates:
        if not dry_run and missing:
            _settle_killed_commit(ws, plan)
        tags = create_planned_tags(ws, plan, existing, sign=sign, dry_run=dry_run)
        planned = {t.tag for t in tags}
        done = tuple(t for t in released_at_head(ws, ids, plan.head) if t.tag not in planned)
        result = finish(ws, plan, done + tags, push=push, remote=remote, dry_run=dry_run,
                        branch=branch)  # fmt: skip
        return replace(result, changelog_files=paths)
    undo = CommitUndo(ws.repo, plan.head, branch, paths)
    try:
        return _run(ws, plan, existing, updates, undo, sign=sign, push=push, remote=remote)
    except (GitOpsTemplatesError, KeyboardInterrupt) as err:
        raise undone_error(
            err,
            undo.undo(),
            "release --commit",
            partial_hint="look at `git log -1` and `git tag --points-at HEAD`, and take back "
            "by hand what is left",
        ) from err


def _run(
    ws: Workspace,
    plan: ReleasePlan,
    existing: dict[str, TagRecord],
    updates: Mapping[str, bytes],
    undo: CommitUndo,
    *,
    sign: bool | None,
    push: bool,
    remote: str,
) -> ReleaseResult:
    repo = ws.repo
    undo.committed = True  # before the call: an interrupt may land after HEAD moved
    commit = repo.commit_files(plan.head, updates, commit_message(plan))
    if repo.object_id(f"{commit}^") != plan.head:
        raise GitStateError(f"HEAD moved while committing (now {commit[:12]})")
    undo.touched = True
    repo.restore_paths(commit, undo.paths)
    undo.tags.update((r.tag, None) for r in plan.releases if r.tag not in existing)
    tags = create_planned_tags(ws, plan, existing, sign=sign, dry_run=False, at=commit)
    undo.tags.update((t.tag, t.object) for t in tags if not t.existed)
    try:
        result = finish(ws, plan, tags, push=push, remote=remote, dry_run=False, branch=undo.branch)
    except GitStateError as err:
        if type(err) is not GitStateError:
            raise
        hint = "nothing was pushed; pull (the remote may have moved), then run it again"
        raise GitStateError(err.message, hint=hint) from err
    return replace(result, commit=commit, changelog_files=undo.paths)


def _settle_killed_commit(ws: Workspace, plan: ReleasePlan) -> None:
    """Bring index and work tree up to a release commit a killed run left behind them.

    A run killed after its commit and before its tags leaves the changelog paths as they
    were before it: they read as changes taking the release back. When HEAD is that
    commit and the paths hold exactly its parent's content, they are restored to HEAD.
    """
    repo = ws.repo
    parents, message = repo.commit_message(plan.head)
    if message.strip() != commit_message(plan).strip() or len(parents) != 1:
        return
    paths = sorted(set(ws.changelog_files.values()))
    dirty = sorted({_path_of(line) for line in repo.path_status(paths)})
    if not dirty:
        return
    before = repo.read_paths([f"{parents[0]}:{path}" for path in dirty])
    for path, old in zip(dirty, before, strict=True):
        current = repo.root / path
        now = current.read_bytes() if current.is_file() and not current.is_symlink() else None
        if now != old:
            return  # edited since: not ours to touch
    repo.restore_paths(plan.head, dirty)


def commit_message(plan: ReleasePlan) -> str:
    """`chore(release): <tags>` and a `Release: none` footer (the tags listed when many)."""
    tags = [r.tag for r in plan.releases]
    header = f"chore(release): {', '.join(tags)}"
    body = ""
    if len(header) > HEADER_LIMIT:
        header = f"chore(release): {len(tags)} versions"
        body = "".join(f"- {tag}\n" for tag in tags) + "\n"
    return f"{header}\n\n{body}Release: none\n"


def _refuse_unsafe(ws: Workspace, paths: Sequence[str], branch: str | None) -> None:
    """Refuse (exit 4, nothing changed) a detached HEAD or changes in the changelog paths."""
    if branch is None:
        raise GitStateError(
            "release --commit needs HEAD on a branch; it is detached",
            hint="check out the branch to release, or release without --commit",
        )
    dirty = sorted({_path_of(line) for line in ws.repo.path_status(paths)})
    if dirty:
        raise GitStateError(
            f"changelog files have changes not committed: {', '.join(dirty)}; nothing was changed",
            hint="commit them (or `git stash push -- <file>`), then run `release --commit` again",
            problems=tuple(Problem("changes not committed", file=path) for path in dirty),
        )


def _path_of(status_line: str) -> str:
    """The path of a `git status --porcelain=v2 -z` entry."""
    kind = status_line[:1]
    fields = {"1": 8, "2": 9, "u": 10}.get(kind, 1)
    return status_line.split(" ", fields)[-1]
