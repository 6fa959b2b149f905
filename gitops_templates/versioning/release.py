"""Use-case `release`: every planned tag in one transaction.

Releasing is idempotent: tags that already exist on the planned commit are kept, and
a run with nothing left to create succeeds without changes. `release --plan` refuses
(exit 4) when HEAD or the version tags moved since the plan was made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from gitops_templates.core.changelog import tag_message
from gitops_templates.core.jsonform import JsonDocument, to_json
from gitops_templates.errors import StalePlanError, TagConflictError, UsageError
from gitops_templates.git.lock import repository_lock
from gitops_templates.git.repo import NewTag
from gitops_templates.versioning.plan import (
    PlannedRelease,
    ReleasePlan,
    build_plan,
    version_tags_fingerprint,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.core.models import TagRecord


@dataclass(frozen=True, slots=True)
class CreatedTag:
    """A tag the release created (or found already in place)."""

    json_fields: ClassVar[tuple[str, ...]] = ("id", "version", "tag", "commit", "object", "existed")

    id: str
    version: str
    tag: str
    commit: str
    object: str | None
    message: str
    existed: bool


@dataclass(frozen=True, slots=True)
class ReleaseResult(JsonDocument):
    """What `release` did."""

    json_fields: ClassVar[tuple[str, ...]] = (
        "schema_version",
        "head=plan.head",
        "dry_run",
        "released",
        "already_released",
        "commit",
        "changelog_files",
        "pushed_to",
        "warnings=plan.notices",
    )

    plan: ReleasePlan
    tags: tuple[CreatedTag, ...]
    dry_run: bool
    pushed_to: str | None = None
    commit: str | None = None  # the release commit `--commit` made (the tags are on it)
    changelog_files: tuple[str, ...] = ()  # what it wrote (or, dry, would write)

    @property
    def released(self) -> tuple[CreatedTag, ...]:
        """Tags this run created (or, dry, would create)."""
        return tuple(t for t in self.tags if not t.existed)

    @property
    def already_released(self) -> tuple[CreatedTag, ...]:
        """Planned tags that existed on the planned commit already."""
        return tuple(t for t in self.tags if t.existed)

    @property
    def created(self) -> tuple[CreatedTag, ...]:
        """Tags this run created."""
        return tuple(t for t in self.tags if not t.existed)


def release(
    ws: Workspace,
    *,
    plan: ReleasePlan | None = None,
    ids: Sequence[str] = (),
    pre: str | None = None,
    push: bool = False,
    remote: str = "origin",
    sign: bool | None = None,
    dry_run: bool = False,
    commit: bool = False,
    from_pr: bool = False,
) -> ReleaseResult:
    """Create every planned tag atomically (all or none), optionally push them.

    `commit`: first write the changelog files in one release commit, and tag that
    (`versioning/release_commit.py`). `from_pr`: tag the plan a merged release pull
    request carries (`versioning/release_from_pr.py`).
    """
    if from_pr:
        if plan is not None or commit or ids or pre is not None:
            raise UsageError("release --from-pr releases the merged plan file alone",
                             hint="drop --plan, --commit, --pre and template ids")  # fmt: skip
        from gitops_templates.versioning.release_from_pr import release_from_pr

        return release_from_pr(ws, push=push, remote=remote, sign=sign, dry_run=dry_run)
    if commit and not ws.settings.changelog.enabled:
        raise UsageError(
            "release --commit writes the changelog files, and none is configured",
            hint="add `changelog: {file: CHANGELOG.md}` to gitops-templates.yaml "
            "(`catalog: true` for a catalog-wide one), or release without --commit",
        )
    with repository_lock(ws.repo.state_dir, "release", enabled=not dry_run):
        head = ws.head
        existing = {t.name: t for t in ws.repo.tags()}
        branch = ws.repo.symbolic_head() if commit else None
        if plan is not None and (at := _released_at(ws, plan, existing, head, commit)):
            tags = tuple(existing_tag(r, at, existing[r.tag]) for r in plan.releases)
            return finish(ws, plan, tags, push=push, remote=remote, dry_run=dry_run, branch=branch)
        plan = _current_plan(ws, plan, ids, pre, head)
        if commit:
            from gitops_templates.versioning.release_commit import commit_and_tag

            return commit_and_tag(ws, plan, existing, ids=ids, sign=sign, push=push,
                                  remote=remote, dry_run=dry_run)  # fmt: skip
        tags = create_planned_tags(ws, plan, existing, sign=sign, dry_run=dry_run)
        planned = {t.tag for t in tags}
        done = tuple(t for t in released_at_head(ws, ids, head) if t.tag not in planned)
        return finish(ws, plan, done + tags, push=push, remote=remote, dry_run=dry_run)


def _current_plan(
    ws: Workspace, plan: ReleasePlan | None, ids: Sequence[str], pre: str | None, head: str
) -> ReleasePlan:
    """The plan at HEAD, or the given one once it is checked to be that plan."""
    if plan is None:
        return build_plan(ws, ids, pre=pre)
    if plan.head != head:
        raise StalePlanError(
            f"HEAD moved since the plan was made (plan: {plan.head[:12]}, HEAD: {head[:12]})",
            hint="make a new plan: `gitops-templates plan -o plan.json`",
        )
    if plan.tags_fingerprint != version_tags_fingerprint(ws):
        raise StalePlanError(
            "version tags changed since the plan was made",
            hint="make a new plan (`gitops-templates plan -o plan.json`) in a clone "
            "with all tags (`git fetch --tags`; in CI `fetch-depth: 0`)",
        )
    return _check_against_head(ws, plan)


def _check_against_head(ws: Workspace, plan: ReleasePlan) -> ReleasePlan:
    """A plan file is a proposal: what it would tag must be what `plan` computes now.

    An edited file (another version, another template's content, footer-like lines
    in a changelog) is refused rather than tagged. Returns the plan computed now (the
    same document, with what changelog files need).
    """
    ids = [r.id for r in plan.releases]
    if not ids:
        return plan
    rebuilt = build_plan(ws, ids, pre=plan.pre)
    fresh = {r.id: to_json(r) for r in rebuilt.releases}
    for release in plan.releases:
        if fresh.get(release.id) != to_json(release):
            differs = sorted(k for k, v in to_json(release).items()
                             if (fresh.get(release.id) or {}).get(k) != v)  # fmt: skip
            raise StalePlanError(
                f"the plan file does not match the plan at HEAD for {release.tag} "
                f"(differs in: {', '.join(differs) or 'the whole release'})",
                hint="release from an unedited `gitops-templates plan -o` file, or without --plan",
            )
    return rebuilt


def released_at_head(ws: Workspace, ids: Sequence[str], head: str) -> list[CreatedTag]:
    """Version tags of the selected components already on HEAD (a re-run pushes them)."""
    versions = ws.versions
    return [
        CreatedTag(v.component, str(v.version), v.tag.name, head, v.tag.object_sha,
                   v.tag.message or "", existed=True)
        for cid in ws.select(ids)
        for v in versions.of(cid)
        if v.tag.commit_sha == head
    ]  # fmt: skip


def _released_at(
    ws: Workspace, plan: ReleasePlan, existing: dict[str, TagRecord], head: str, commit: bool
) -> str | None:
    """The commit every planned tag is on when the plan was released already, else None.

    That is the plan's HEAD, or (`--commit`) HEAD when it is the release commit on it.
    """
    if not plan.releases:
        return None
    at = {existing[r.tag].commit_sha if r.tag in existing else None for r in plan.releases}
    if at == {plan.head}:
        return plan.head
    if commit and at == {head} and ws.repo.object_id(f"{head}^") == plan.head:
        return head
    return None


def existing_tag(planned: PlannedRelease, head: str, tag: TagRecord) -> CreatedTag:
    return CreatedTag(
        planned.id, planned.next, planned.tag, head, tag.object_sha, tag.message or "", True
    )


def create_planned_tags(
    ws: Workspace,
    plan: ReleasePlan,
    existing: dict[str, TagRecord],
    *,
    sign: bool | None,
    dry_run: bool,
    at: str | None = None,
    trailers: Sequence[tuple[str, str]] = (),
) -> tuple[CreatedTag, ...]:
    """The plan's tags on `at` (default: the plan's HEAD), in one transaction.

    `trailers` are added to every tag message (`Release-Date` for `release --from-pr`).
    """
    at = at or plan.head
    results: list[CreatedTag] = []
    new: list[NewTag] = []
    missing = [p for p in plan.releases if p.tag not in existing]
    contents = ws.contents([(at, ws.component(p.id).path) for p in missing])
    for planned in plan.releases:
        found = existing.get(planned.tag)
        if found is not None:
            if found.commit_sha != at:
                raise TagConflictError(
                    f"tag {planned.tag} already exists on {str(found.commit_sha)[:12]}, "
                    f"not on {at[:12]}; no tag was created",
                    hint="tags never move: release from that commit, or bump with a "
                    "`Release-As:` footer",
                )
            results.append(existing_tag(planned, at, found))
            continue
        content = contents[(at, ws.component(planned.id).path)]
        digest, tree = content if content else ("", "")
        message = planned_tag_message(planned, digest, tree, trailers)
        new.append(NewTag(planned.tag, at, message))
        results.append(CreatedTag(planned.id, planned.next, planned.tag, at, None, message, False))
    if dry_run or not new:
        return tuple(results)
    sign_flag = True if (sign or ws.settings.sign_tags) else (False if sign is False else None)
    objects = ws.repo.create_tags(new, sign=sign_flag)
    return tuple(
        r
        if r.existed
        else CreatedTag(r.id, r.version, r.tag, r.commit, objects[r.tag], r.message, False)
        for r in results
    )


def planned_tag_message(
    planned: PlannedRelease, digest: str, tree: str, trailers: Sequence[tuple[str, str]] = ()
) -> str:
    """The message of a planned release's tag: its changelog, findings and trailers."""
    body = planned.changelog
    if planned.compatibility_summary:
        body += f"\n\nCompatibility findings:\n{planned.compatibility_summary}"
    return tag_message(
        f"{planned.id} {planned.next}",
        body,
        [("Template-Digest", digest), ("Template-Tree", tree),
         ("Compatibility", planned.required.compatibility), *trailers],
    )  # fmt: skip


def finish(
    ws: Workspace,
    plan: ReleasePlan,
    tags: tuple[CreatedTag, ...],
    *,
    push: bool,
    remote: str,
    dry_run: bool,
    branch: str | None = None,
) -> ReleaseResult:
    """The result, once the tags are pushed (with `branch`, in the same atomic push)."""
    if push and not dry_run and tags:
        from gitops_templates.versioning.publish import push_tags

        pushed = push_tags(ws, remote, tags, branch=branch)
        return ReleaseResult(plan, pushed, dry_run, pushed_to=remote)
    return ReleaseResult(plan, tags, dry_run)
