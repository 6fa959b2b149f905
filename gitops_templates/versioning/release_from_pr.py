"""`release --from-pr`: tag exactly the plan a merged release pull request carries.

The plan file (`.gitops-templates/release-plan.json`) is read from the commit that
last changed it on HEAD's first-parent line: the merge commit, the squashed commit or
(fast-forward) the release commit, whichever way the branch was merged. That commit
carries the changelog files and the docs, so it is the one tagged, with each
planned tag message and a `Release-Date` trailer (the date its changelogs state).

The plan still holds when every planned template has, at that commit, the same
current version, the same next version and the same commits as recorded. Compared by
commit ids, not by ancestry of the recorded base, this works alike for merge commits,
squashes and rebases; commits for other templates that landed meanwhile change
nothing (the next release pull request proposes them). Otherwise it is refused
(exit 4): run `release-pr` again and merge its update. Tags already on that commit
make it a no-op (with `--push`, they are pushed), so it can be re-run at any time.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import TYPE_CHECKING

from gitops_templates.core.models import Notice
from gitops_templates.errors import InvalidInputError, StalePlanError
from gitops_templates.git.lock import repository_lock
from gitops_templates.versioning.plan import ReleasePlan, build_plan
from gitops_templates.versioning.release import (
    ReleaseResult,
    create_planned_tags,
    existing_tag,
    finish,
)
from gitops_templates.versioning.release_pr import PLAN_FILE

if TYPE_CHECKING:
    from collections.abc import Mapping

    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.core.models import TagRecord

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_HINT = "write it with `gitops-templates release-pr`"


def release_from_pr(
    ws: Workspace, *, push: bool, remote: str, sign: bool | None, dry_run: bool
) -> ReleaseResult:
    """Tag the release commit of the last merged release pull request; idempotent."""
    with repository_lock(ws.repo.state_dir, "release", enabled=not dry_run):
        head = ws.head
        path = ws.settings.path(PLAN_FILE)
        point = ws.repo.last_change(head, path)
        raw = ws.repo.read_file(point, path) if point else None
        if point is None or raw is None:
            return ReleaseResult(ReleasePlan(head, "", ()), (), dry_run)
        plan = replace(ReleasePlan.parse(raw, f"{point[:12]}:{path}"), head=point)
        existing = {t.name: t for t in ws.repo.tags()}
        plan = _without_released_elsewhere(plan, existing, point)
        missing = [r for r in plan.releases if r.tag not in existing]
        if not missing and all(existing[r.tag].commit_sha == point for r in plan.releases):
            tags = tuple(existing_tag(r, point, existing[r.tag]) for r in plan.releases)
            return finish(ws, plan, tags, push=push, remote=remote, dry_run=dry_run)
        _refuse_moved(ws, plan, [r.id for r in missing])
        trailers = [("Release-Date", _date(raw, point, path))]
        tags = create_planned_tags(ws, plan, existing, sign=sign, dry_run=dry_run, at=point,
                                   trailers=trailers)  # fmt: skip
        return finish(ws, plan, tags, push=push, remote=remote, dry_run=dry_run)


def _without_released_elsewhere(
    plan: ReleasePlan, existing: Mapping[str, TagRecord], point: str
) -> ReleasePlan:
    """The plan less the versions someone tagged meanwhile on another commit.

    They are released (a warning says where); tagging them again here cannot be right.
    """
    elsewhere = [r for r in plan.releases
                 if r.tag in existing and existing[r.tag].commit_sha != point]  # fmt: skip
    if not elsewhere:
        return plan
    notices = tuple(
        Notice("released-elsewhere", f"{r.tag} was released meanwhile at "
               f"{str(existing[r.tag].commit_sha)[:12]}; the pull request's entry for it is "
               "left as it is", r.id)
        for r in elsewhere
    )  # fmt: skip
    kept = tuple(r for r in plan.releases if r not in elsewhere)
    return replace(plan, releases=kept, notices=(*plan.notices, *notices))


def _refuse_moved(ws: Workspace, plan: ReleasePlan, ids: list[str]) -> None:
    """Exit 4 when a planned template's versions or commits differ at the plan's commit."""
    if not ids:
        return
    now = {r.id: r for r in build_plan(ws.at(plan.head), ids, pre=plan.pre).releases}
    for planned in plan.releases:
        if planned.id not in ids:
            continue
        found = now.get(planned.id)
        recorded = (planned.current, planned.next, {c.sha for c in planned.commits})
        current = (found.current, found.next, {c.sha for c in found.commits}) if found else None
        if current != recorded:
            what = "nothing to release now" if current is None else _difference(recorded, current)
            raise StalePlanError(
                f"the release pull request planned {planned.tag}, but at {plan.head[:12]} "
                f"{planned.id} has {what}: the base moved since the plan was made",
                hint="run `gitops-templates release-pr` again (the workflow does on the next "
                "push), merge its update, then release",
            )


def _difference(recorded: tuple[object, object, set[str]], now: tuple[object, ...]) -> str:
    if recorded[0] != now[0]:
        return f"current version {now[0] or 'none'} (planned from {recorded[0] or 'none'})"
    if recorded[1] != now[1]:
        return f"next version {now[1]} (planned {recorded[1]})"
    return "other commits to release than the plan lists"


def _date(raw: bytes, point: str, path: str) -> str:
    """The release date the release pull request's changelogs state."""
    try:
        day = json.loads(raw)["release_pr"]["date"]
    except (ValueError, KeyError, TypeError) as err:
        raise InvalidInputError(
            f"{point[:12]}:{path} is no release pull request's plan: {err}", hint=_HINT
        ) from err
    if not isinstance(day, str) or not _DAY.fullmatch(day):
        raise InvalidInputError(f"{point[:12]}:{path}: release_pr.date {day!r} is not a date",
                                hint=_HINT)  # fmt: skip
    return day
