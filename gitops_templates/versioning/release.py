"""Use-cases `plan` and `release`: the release plan, then every tag in one transaction.

A plan records HEAD and a fingerprint of the version tags it was computed from;
`release --plan` refuses (exit 4) when either moved, so what was reviewed is what is
tagged. Releasing is idempotent: tags that already exist on the planned commit are
kept, and a run with nothing left to create succeeds without changes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from gitops_templates.core.changelog import ChangeEntry, render_changelog, tag_message
from gitops_templates.core.jsonform import JsonDocument, to_json
from gitops_templates.core.models import SCHEMA_VERSION, Level
from gitops_templates.errors import (
    InvalidInputError,
    Problem,
    StalePlanError,
    TagConflictError,
)
from gitops_templates.git.lock import repository_lock
from gitops_templates.git.repo import NewTag

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.compat.check import CompatibilityReport
    from gitops_templates.core.models import Notice, TagRecord
    from gitops_templates.core.planning import ComponentState


@dataclass(frozen=True, slots=True)
class PlannedCommit:
    """A commit as listed in a plan."""

    sha: str
    subject: str
    type: str | None
    scope: str | None
    level: Level
    breaking: bool


@dataclass(frozen=True, slots=True)
class PlannedRelease:
    """One tag the plan will create."""

    json_fields: ClassVar[tuple[str, ...]] = (
        "id", "tag", "current", "next", "level", "compatibility=required.compatibility",
        "reason", "commits", "changelog", "detected=detected.compatibility", "findings",
        "compatibility_summary", "proposed_migration",
    )  # fmt: skip

    id: str
    tag: str
    current: str | None
    next: str
    level: Level  # the bump applied (after the 0.x rules)
    required: Level  # declared by the commits or detected, whichever is higher
    reason: str
    commits: tuple[PlannedCommit, ...]
    changelog: str
    detected: Level = Level.NONE  # what the compatibility check found
    findings: tuple[dict[str, Any], ...] = ()
    compatibility_summary: str = ""  # one line per minor/breaking finding, for the tag
    proposed_migration: str = ""  # template.yaml text for breaking changes no migration covers


@dataclass(frozen=True, slots=True)
class ReleasePlan(JsonDocument):
    """What `release` will tag, and the repository state it was computed from."""

    json_fields: ClassVar[tuple[str, ...]] = (
        "schema_version",
        "head",
        "tags_fingerprint",
        "pre",
        "releases",
        "warnings=notices",
    )

    head: str
    tags_fingerprint: str
    releases: tuple[PlannedRelease, ...]
    notices: tuple[Notice, ...] = field(default=())
    pre: str | None = None

    def save(self, path: Path) -> None:
        """Write the plan document (`plan -o`); exit 3 when the file cannot be written."""
        text = json.dumps(to_json(self), indent=2, ensure_ascii=False) + "\n"
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as err:
            raise InvalidInputError(
                f"cannot write the plan to {path}: {err.strerror}",
                hint="pass -o a path in an existing, writable directory",
            ) from None

    @classmethod
    def load(cls, path: Path) -> ReleasePlan:
        """Read a plan file written by `plan -o`; exit 3 when it is not one."""
        try:
            from gitops_templates.catalog.files import read_bytes

            data = json.loads(read_bytes(None, path, limit=64 * 1024 * 1024))
            if data.get("schema_version") != SCHEMA_VERSION:
                raise ValueError(f"schema_version {data.get('schema_version')!r} is not 1")
            releases = tuple(
                PlannedRelease(
                    id=str(r["id"]), tag=str(r["tag"]), current=r.get("current"),
                    next=str(r["next"]), level=Level.parse(r["level"]),
                    required=Level.parse(r.get("compatibility", r["level"])),
                    reason=str(r.get("reason", "")),
                    commits=tuple(PlannedCommit(**{**c, "level": Level.parse(c["level"])})
                                  for c in r["commits"]),
                    changelog=str(r["changelog"]), detected=Level.parse(r.get("detected", "none")),
                    findings=tuple(r.get("findings", ())),
                    compatibility_summary=str(r.get("compatibility_summary", "")),
                    proposed_migration=str(r.get("proposed_migration", "")),
                )
                for r in data["releases"]
            )  # fmt: skip
            return cls(
                str(data["head"]),
                str(data["tags_fingerprint"]),
                releases,
                (),
                data.get("pre"),
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as err:
            raise InvalidInputError(
                f"{path} is not a release plan: {err}",
                hint="write one with `gitops-templates plan -o plan.json`",
                problems=(Problem(str(err), file=str(path)),),
            ) from err


def tags_fingerprint(tags: Sequence[TagRecord], names: set[str] | None = None) -> str:
    """sha256 over `name object` of the tags (all, or those in `names`)."""
    digest = hashlib.sha256()
    for tag in sorted(tags, key=lambda t: t.name):
        if names is None or tag.name in names:
            digest.update(f"{tag.name} {tag.object_sha}\n".encode())
    return digest.hexdigest()


def build_plan(ws: Workspace, ids: Sequence[str] = (), *, pre: str | None = None) -> ReleasePlan:
    """The release plan for the selected components at HEAD."""
    if pre is not None:
        from gitops_templates.core.version_rules import PRERELEASE_TOKEN

        if not PRERELEASE_TOKEN.match(pre):
            raise InvalidInputError(
                f"prerelease token {pre!r} is not valid",
                hint="use letters, digits and '-', e.g. rc, beta, alpha",
            )
    from gitops_templates.compat.policy import apply, verdicts
    from gitops_templates.compat.prefetch import comparisons_meanwhile

    with comparisons_meanwhile(ws, ids):  # a cold walk: the comparisons meanwhile
        analysis = ws.analyze(ids, pre_token=pre)
    found = verdicts(ws, analysis.states)
    states, notices = apply(ws, analysis.states, found, pre_token=pre)
    releases = []
    for state in states:
        if state.next is None:
            continue
        verdict = found.get(state.component.id)
        releases.append(_planned(state, analysis.head_time, verdict.report if verdict else None))
    _refuse_yanked(ws, releases)
    return ReleasePlan(
        head=analysis.head,
        tags_fingerprint=_version_tags_fingerprint(ws),
        releases=tuple(releases),
        notices=(*analysis.notices, *notices),
        pre=pre,
    )


def _refuse_yanked(ws: Workspace, releases: Sequence[PlannedRelease]) -> None:
    """A yanked version is never released again (its tag may have been deleted)."""
    if not releases:
        return
    from gitops_templates.catalog.yanked import YANKED_FILE, read_yanked, versions_of

    yanked = read_yanked(ws)
    for planned in releases:
        if planned.next in versions_of(yanked, planned.id):
            raise TagConflictError(
                f"{planned.tag} was yanked by a rollback ({YANKED_FILE}); it is never "
                "released again",
                hint=f"release a higher version with a `Release-As: {planned.id}@X.Y.Z` footer",
            )


def _version_tags_fingerprint(ws: Workspace) -> str:
    names = {v.tag.name for items in ws.versions.by_component.values() for v in items}
    return tags_fingerprint(ws.tags, names)


def _planned(
    state: ComponentState, head_time: int, report: CompatibilityReport | None
) -> PlannedRelease:
    assert state.next is not None
    component = state.component
    version = str(state.next.version)
    entries = [
        ChangeEntry(
            sha=c.sha, type=c.type, scope=None if c.scope == component.id else c.scope,
            subject=c.subject, level=c.level, breaking=c.breaking,
            breaking_notes=c.breaking_notes,
        )
        for c in state.releasable
    ]  # fmt: skip
    from gitops_templates.core.version_rules import TagFormat

    tag = TagFormat.compile(component.tag_format).render(component.id, version)
    current = state.line.current
    detected = report.level if report else Level.NONE
    waived = [f"{f.rule} at {f.pointer}: {f.message}" for f in report.waived] if report else []
    return PlannedRelease(
        id=component.id,
        tag=tag,
        current=str(current) if current else None,
        next=version,
        level=state.next.level,
        required=max(state.level, detected),
        reason=state.next.reason,
        commits=tuple(
            PlannedCommit(c.sha, c.subject, c.type, c.scope, c.level, c.breaking)
            for c in state.changes
            if not c.skipped
        ),
        changelog=render_changelog(component.id, version, head_time, entries, waived=waived),
        detected=detected,
        findings=tuple(to_json(report.findings)) if report else (),
        compatibility_summary=report.summary() if report else "",
        proposed_migration=report.proposal(version) if report else "",
    )


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
        "pushed_to",
        "warnings=plan.notices",
    )

    plan: ReleasePlan
    tags: tuple[CreatedTag, ...]
    dry_run: bool
    pushed_to: str | None = None

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
) -> ReleaseResult:
    """Create every planned tag atomically (all or none), optionally push them."""
    with repository_lock(ws.repo.state_dir, "release", enabled=not dry_run):
        head = ws.head
        existing = {t.name: t for t in ws.repo.tags()}
        if plan is not None and _already_done(plan, existing):
            tags = tuple(_existing_tag(r, plan.head, existing[r.tag]) for r in plan.releases)
            return _finish(ws, plan, tags, push=push, remote=remote, dry_run=dry_run)
        if plan is None:
            plan = build_plan(ws, ids, pre=pre)
        elif plan.head != head:
            raise StalePlanError(
                f"HEAD moved since the plan was made (plan: {plan.head[:12]}, HEAD: {head[:12]})",
                hint="make a new plan: `gitops-templates plan -o plan.json`",
            )
        elif plan.tags_fingerprint != _version_tags_fingerprint(ws):
            raise StalePlanError(
                "version tags changed since the plan was made",
                hint="make a new plan (`gitops-templates plan -o plan.json`) in a clone "
                "with all tags (`git fetch --tags`; in CI `fetch-depth: 0`)",
            )
        else:
            _check_against_head(ws, plan)
        tags = _create(ws, plan, existing, sign=sign, dry_run=dry_run)
        planned = {t.tag for t in tags}
        done = tuple(t for t in _released_at_head(ws, ids, head) if t.tag not in planned)
        return _finish(ws, plan, done + tags, push=push, remote=remote, dry_run=dry_run)


def _check_against_head(ws: Workspace, plan: ReleasePlan) -> None:
    """A plan file is a proposal: what it would tag must be what `plan` computes now.

    An edited file (another version, another template's content, footer-like lines
    in a changelog) is refused rather than tagged.
    """
    ids = [r.id for r in plan.releases]
    if not ids:
        return
    fresh = {r.id: to_json(r) for r in build_plan(ws, ids, pre=plan.pre).releases}
    for release in plan.releases:
        if fresh.get(release.id) != to_json(release):
            differs = sorted(k for k, v in to_json(release).items()
                             if (fresh.get(release.id) or {}).get(k) != v)  # fmt: skip
            raise StalePlanError(
                f"the plan file does not match the plan at HEAD for {release.tag} "
                f"(differs in: {', '.join(differs) or 'the whole release'})",
                hint="release from an unedited `gitops-templates plan -o` file, or without --plan",
            )


def _released_at_head(ws: Workspace, ids: Sequence[str], head: str) -> list[CreatedTag]:
    """Version tags of the selected components already on HEAD (a re-run pushes them)."""
    versions = ws.versions
    return [
        CreatedTag(v.component, str(v.version), v.tag.name, head, v.tag.object_sha,
                   v.tag.message or "", existed=True)
        for cid in ws.select(ids)
        for v in versions.of(cid)
        if v.tag.commit_sha == head
    ]  # fmt: skip


def _already_done(plan: ReleasePlan, existing: dict[str, TagRecord]) -> bool:
    return bool(plan.releases) and all(
        r.tag in existing and existing[r.tag].commit_sha == plan.head for r in plan.releases
    )


def _existing_tag(planned: PlannedRelease, head: str, tag: TagRecord) -> CreatedTag:
    return CreatedTag(
        planned.id, planned.next, planned.tag, head, tag.object_sha, tag.message or "", True
    )


def _create(
    ws: Workspace,
    plan: ReleasePlan,
    existing: dict[str, TagRecord],
    *,
    sign: bool | None,
    dry_run: bool,
) -> tuple[CreatedTag, ...]:
    results: list[CreatedTag] = []
    new: list[NewTag] = []
    missing = [p for p in plan.releases if p.tag not in existing]
    contents = ws.contents([(plan.head, ws.component(p.id).path) for p in missing])
    for planned in plan.releases:
        found = existing.get(planned.tag)
        if found is not None:
            if found.commit_sha != plan.head:
                raise TagConflictError(
                    f"tag {planned.tag} already exists on {str(found.commit_sha)[:12]}, "
                    f"not on HEAD {plan.head[:12]}; no tag was created",
                    hint="tags never move: release from that commit, or bump with a "
                    "`Release-As:` footer",
                )
            results.append(_existing_tag(planned, plan.head, found))
            continue
        content = contents[(plan.head, ws.component(planned.id).path)]
        digest, tree = content if content else ("", "")
        body = planned.changelog
        if planned.compatibility_summary:
            body += f"\n\nCompatibility findings:\n{planned.compatibility_summary}"
        message = tag_message(
            f"{planned.id} {planned.next}",
            body,
            [("Template-Digest", digest), ("Template-Tree", tree),
             ("Compatibility", planned.required.compatibility)],
        )  # fmt: skip
        new.append(NewTag(planned.tag, plan.head, message))
        results.append(
            CreatedTag(planned.id, planned.next, planned.tag, plan.head, None, message, False)
        )
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


def _finish(
    ws: Workspace,
    plan: ReleasePlan,
    tags: tuple[CreatedTag, ...],
    *,
    push: bool,
    remote: str,
    dry_run: bool,
) -> ReleaseResult:
    if push and not dry_run and tags:
        from gitops_templates.versioning.publish import push_tags

        return ReleaseResult(plan, push_tags(ws, remote, tags), dry_run, pushed_to=remote)
    return ReleaseResult(plan, tags, dry_run)
