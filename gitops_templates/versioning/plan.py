"""Use-case `plan`: the release plan, what `release` will tag and why.

A plan records HEAD and a fingerprint of the version tags it was computed from;
`release --plan` refuses (exit 4) when either moved, so what was reviewed is what is
tagged.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar

from gitops_templates.core.changelog import (
    ChangeEntry,
    changelog_sections,
    release_day,
    render_changelog,
)
from gitops_templates.core.jsonform import JsonDocument, to_json
from gitops_templates.core.models import SCHEMA_VERSION, Level
from gitops_templates.errors import InvalidInputError, Problem, TagConflictError

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.compat.check import CompatibilityReport
    from gitops_templates.core.changelog import ChangeSection
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
    # what changelog files show (not in the plan document: a loaded plan is rebuilt at HEAD)
    sections: tuple[ChangeSection, ...] = ()
    day: str = ""


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

            raw = read_bytes(None, path, limit=64 * 1024 * 1024)
        except (OSError, ValueError) as err:
            raise InvalidInputError(
                f"{path} is not a release plan: {err}",
                hint="write one with `gitops-templates plan -o plan.json`",
                problems=(Problem(str(err), file=str(path)),),
            ) from err
        return cls.parse(raw, str(path))

    @classmethod
    def parse(cls, raw: bytes, source: str) -> ReleasePlan:
        """A plan document (`plan -o`, or a release pull request's plan file); exit 3 if not."""
        try:
            data = json.loads(raw)
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
                f"{source} is not a release plan: {err}",
                hint="write one with `gitops-templates plan -o plan.json`",
                problems=(Problem(str(err), file=source),),
            ) from err


def tags_fingerprint(tags: Sequence[TagRecord], names: set[str] | None = None) -> str:
    """sha256 over `name object` of the tags (all, or those in `names`)."""
    digest = hashlib.sha256()
    for tag in sorted(tags, key=lambda t: t.name):
        if names is None or tag.name in names:
            digest.update(f"{tag.name} {tag.object_sha}\n".encode())
    return digest.hexdigest()


def build_plan(ws: Workspace, ids: Sequence[str] = (), *, pre: str | None = None) -> ReleasePlan:
    """The release plan for the selected components at HEAD.

    Remembered whole by everything it is computed from (`plan_memo`): a second plan
    with nothing new reads it back. Notices about the repository as it is now are added
    to every plan, remembered or not.
    """
    if pre is not None:
        from gitops_templates.core.version_rules import PRERELEASE_TOKEN

        if not PRERELEASE_TOKEN.match(pre):
            raise InvalidInputError(
                f"prerelease token {pre!r} is not valid",
                hint="use letters, digits and '-', e.g. rc, beta, alpha",
            )
    from gitops_templates.versioning.plan_memo import keep_plan, plan_key, recall_plan

    key = plan_key(ws, ids, pre)
    plan = recall_plan(ws, key, ids, pre) if key is not None else None
    if plan is None:
        plan = _computed_plan(ws, ids, pre)
        if key is not None and len(ws.tags) == len(ws.tag_refs):  # no tag lost meanwhile
            keep_plan(ws, key, plan)
    live = ws.live_notices()
    return replace(plan, notices=(*plan.notices, *live)) if live else plan


def _computed_plan(ws: Workspace, ids: Sequence[str], pre: str | None) -> ReleasePlan:
    """The plan worked out from the history, tags and template.yaml versions."""
    from gitops_templates.compat.policy import apply, verdicts
    from gitops_templates.compat.prefetch import comparisons_meanwhile

    with comparisons_meanwhile(ws, ids) as meanwhile:  # a cold walk: a child compares
        analysis = ws.analyze(ids, pre_token=pre, live=False)
        found = verdicts(ws, analysis.states, meanwhile=meanwhile.absorb)
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
        tags_fingerprint=version_tags_fingerprint(ws),
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


def version_tags_fingerprint(ws: Workspace) -> str:
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
        sections=changelog_sections(entries, waived=waived),
        day=release_day(head_time),
    )
