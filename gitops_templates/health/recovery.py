"""Auto-rollback: a version that stays critical is rolled back, yanked, never re-promoted.

Only a template's current version is rolled back (an older one in use is for its
consumers to leave), only after its last `after` evaluations were all critical (never a
no-data one), and to the newest earlier version that is not yanked, through the rollback
use-case: a restoring commit and tag, the bad version yanked with the reason
`health-critical` and the evidence, pushed when asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from gitops_templates.errors import GitOpsTemplatesError

if TYPE_CHECKING:
    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.health.check import HealthReport, VersionHealth
    from gitops_templates.metrics.sqlite import MetricsStore


@dataclass(frozen=True, slots=True)
class Recovery:
    """What auto-rollback did for one critical version."""

    json_fields: ClassVar[tuple[str, ...]] = ("template", "version", "action", "detail", "tag")

    template: str
    version: str
    action: str  # rolled-back | skipped | failed
    detail: str
    tag: str | None = None


def auto_rollback(ws: Workspace, report: HealthReport, store: MetricsStore, *, after: int,
                  push: bool = False) -> tuple[Recovery, ...]:  # fmt: skip
    """Roll back each current version critical in its last `after` evaluations."""
    done = []
    for item in report.versions:
        if item.status == "critical" and item.version is not None:
            done.append(_recover(ws, item, store, after=after, push=push))
    return tuple(done)


def _recover(ws: Workspace, item: VersionHealth, store: MetricsStore, *, after: int,
             push: bool) -> Recovery:  # fmt: skip
    from gitops_templates.catalog.yanked import read_yanked, versions_of

    assert item.version is not None
    if not any(c.state == "critical" for c in item.checks):  # by the no-data policy only
        return _skip(item, "no data: a version without data is never rolled back")
    recent = store.statuses(item.template, item.version, after)
    if len(recent) < after or any(s != "critical" for s in recent):
        streak = len([s for s in recent if s == "critical"])
        return _skip(item, f"critical in {streak} of the last {after} evaluations")
    if ws.repo.try_run(["symbolic-ref", "-q", "HEAD"]) is None:
        return _skip(item, "HEAD is detached: check out the branch the catalog releases from")
    line = [v for v in ws.versions.of(item.template) if v.reachable]
    if not line or str(line[0].version) != item.version:
        return _skip(item, "not the template's current version: nothing in the catalog to undo")
    yanked = versions_of(read_yanked(ws), item.template)
    earlier = [v for v in line[1:] if str(v.version) not in yanked]
    if not earlier:
        return _skip(item, "no earlier version that is not yanked")
    return _roll_back(ws, item, str(earlier[0].version), push=push)


def _roll_back(ws: Workspace, item: VersionHealth, to: str, *, push: bool) -> Recovery:
    from gitops_templates.rollback.execute import execute
    from gitops_templates.rollback.plan import plan_rollback

    assert item.version is not None
    evidence = "; ".join(f"{c.name} {c.value:.4g} (critical {c.critical:g}, {c.samples} events)"
                         for c in item.checks if c.state == "critical"
                         and c.value is not None and c.critical is not None)  # fmt: skip
    reason = f"health-critical: {evidence or 'critical'}"
    try:
        result = execute(ws, plan_rollback(ws, item.template, to, reason=reason), push=push)
    except GitOpsTemplatesError as err:
        return Recovery(item.template, item.version, "failed", err.message)
    return Recovery(item.template, item.version, "rolled-back", f"to {to}: {reason}",
                    result.plan.new_tag)  # fmt: skip


def _skip(item: VersionHealth, why: str) -> Recovery:
    assert item.version is not None
    return Recovery(item.template, item.version, "skipped", why)
