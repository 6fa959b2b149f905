"""A release plan remembered whole, under a digest of everything it is computed from.

A plan is a function of HEAD (its tree and history), the tags (name -> object), the
configuration, the compatibility rule overrides file, the requested ids and prerelease
token, and the tool (`git.result_memo` adds the last). All are in the key, so a `plan`
with nothing new since the last one reads one file instead of collecting, comparing and
rendering again. What is said of the repository as it is now (an interrupted command, a
clone without tags) is never remembered: `build_plan` adds it to every plan. A plan
that fails (an undeclared breaking change under `enforce`, a yanked version) is not
stored, so the error is raised again on every run.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from gitops_templates.core.changelog import ChangeItem, ChangeSection
from gitops_templates.core.models import Level, Notice
from gitops_templates.errors import GitOpsTemplatesError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.versioning.plan import PlannedCommit, PlannedRelease, ReleasePlan

KIND = "plan-1"  # bump when the stored form changes


def plan_key(ws: Workspace, ids: Sequence[str], pre: str | None) -> str | None:
    """The key of this plan, or None when it is not remembered (caches off, shallow)."""
    if not ws.use_cache or ws.repo.is_shallow():
        return None  # a shallow clone's plan is an error, said every time
    from gitops_templates.git.result_memo import result_key

    overrides = _overrides_digest(ws)
    if overrides is None:
        return None
    tags = hashlib.sha256("".join(f"{n} {oid}\n" for n, oid, _ in ws.tag_refs).encode())
    return result_key(KIND, [
        ws.head, tags.hexdigest(), repr(ws.settings), overrides, json.dumps([list(ids), pre]),
    ])  # fmt: skip


def _overrides_digest(ws: Workspace) -> str | None:
    """sha256 of the rule overrides file ("none" without one; None when unreadable)."""
    try:
        text = ws.rules_text  # read once: the plan is computed from these very bytes
    except (OSError, GitOpsTemplatesError):
        return None  # computing the plan says what is wrong with it
    return "none" if text is None else hashlib.sha256(text).hexdigest()


def recall_plan(ws: Workspace, key: str, ids: Sequence[str], pre: str | None) -> ReleasePlan | None:
    """The plan stored under `key`, or None.

    None when absent, not in the stored form, or not a plan of this HEAD, prerelease
    token and selection whose tags the tag format makes.
    """
    from gitops_templates.git.result_memo import recall

    stored = recall(ws.repo.state_dir, KIND, key)
    if stored is None:
        return None
    try:
        plan = _plan(stored)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError):
        return None
    return plan if _answers(ws, plan, ids, pre) else None


def _answers(ws: Workspace, plan: ReleasePlan, ids: Sequence[str], pre: str | None) -> bool:
    """Never trusted beyond its key: what a plan computed here would say of itself."""
    from gitops_templates.core.version_rules import TagFormat

    settings = ws.settings
    if plan.head != ws.head or plan.pre != pre:
        return False
    if ids and not {r.id for r in plan.releases} <= set(ids):
        return False
    try:
        default = TagFormat.compile(settings.tag_format)  # compiled once, not per release
        formats = {c.id: TagFormat.compile(c.tag_format) if c.tag_format else default
                   for c in settings.components}  # fmt: skip
    except GitOpsTemplatesError:
        return False
    return all(formats.get(r.id, default).render(r.id, r.next) == r.tag for r in plan.releases)


def keep_plan(ws: Workspace, key: str, plan: ReleasePlan) -> None:
    """Store `plan` under `key`."""
    from gitops_templates.git.result_memo import keep

    keep(ws.repo.state_dir, KIND, key, stored_form(plan))


def stored_form(plan: ReleasePlan) -> list[Any]:
    """`plan` as JSON values that `_plan` turns back into an equal plan."""
    return [
        plan.head, plan.tags_fingerprint, plan.pre,
        [[n.code, n.message, n.subject] for n in plan.notices],
        [_stored_release(r) for r in plan.releases],
    ]  # fmt: skip


def _stored_release(r: PlannedRelease) -> list[Any]:
    commits = [[c.sha, c.subject, c.type, c.scope, int(c.level), c.breaking] for c in r.commits]
    sections = [[s.title, [[i.scope, i.text, i.sha] for i in s.items]] for s in r.sections]
    return [
        r.id, r.tag, r.current, r.next, int(r.level), int(r.required), r.reason, commits,
        r.changelog, int(r.detected), list(r.findings), r.compatibility_summary,
        r.proposed_migration, sections, r.day,
    ]  # fmt: skip


def _plan(data: list[Any]) -> ReleasePlan:
    from gitops_templates.versioning.plan import ReleasePlan

    head, fingerprint, pre, notices, releases = data
    return ReleasePlan(
        head=_text(head), tags_fingerprint=_text(fingerprint),
        releases=tuple(_release(r) for r in releases),
        notices=tuple(Notice(_text(c), _text(m), _optional(s)) for c, m, s in notices),
        pre=_optional(pre),
    )  # fmt: skip


def _release(row: list[Any]) -> PlannedRelease:
    from gitops_templates.versioning.plan import PlannedRelease

    (id_, tag, current, next_, level, required, reason, commits, changelog, detected,
     findings, summary, migration, sections, day) = row  # fmt: skip
    if not all(isinstance(f, dict) for f in findings):
        raise TypeError("a finding is not a mapping")
    return PlannedRelease(
        id=_text(id_), tag=_text(tag), current=_optional(current), next=_text(next_),
        level=Level(level), required=Level(required), reason=_text(reason),
        commits=tuple(_commit(c) for c in commits), changelog=_text(changelog),
        detected=Level(detected), findings=tuple(findings),
        compatibility_summary=_text(summary), proposed_migration=_text(migration),
        sections=tuple(ChangeSection(_text(title), tuple(
            ChangeItem(_optional(scope), _text(text), _text(sha)) for scope, text, sha in items
        )) for title, items in sections),
        day=_text(day),
    )  # fmt: skip


def _commit(row: list[Any]) -> PlannedCommit:
    from gitops_templates.versioning.plan import PlannedCommit

    sha, subject, type_, scope, level, breaking = row
    if type(breaking) is not bool:
        raise TypeError("breaking is not a boolean")
    return PlannedCommit(
        _text(sha), _text(subject), _optional(type_), _optional(scope), Level(level), breaking
    )


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is not text")
    return value


def _optional(value: object) -> str | None:
    return None if value is None else _text(value)
