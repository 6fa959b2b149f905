"""Use-case `health check [ID...] [--version V]`: every version in use, checked and scored.

The checks are those each template declares in `template.yaml` (the work tree's: the
catalog's current policy), completed with the config's `health.defaults`. The versions
in use are those with events within the checks' reach (their longest `window` + `for` +
`keep_firing_for`), and the template's current version (the newest released from HEAD)
when it had events in the `IN_USE_LOOKBACK` before: its silence is an outage, which its
throughput checks measure as 0 a minute. `--version` checks one version (throughput
without data when it is not in use). Each check is measured at
`POINTS` moments over its `for` + `keep_firing_for` span (one when both are 0), so a
breach must have lasted to count; the evaluation is stored for trends. Exit 7 when a
version is critical.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from gitops_templates.core.jsonform import JsonDocument
from gitops_templates.errors import ExitCode, Problem

if TYPE_CHECKING:
    from collections.abc import Sequence

    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.health.core.checks import Check
    from gitops_templates.health.core.evaluate import CheckResult, Measurement
    from gitops_templates.health.core.trends import Trend
    from gitops_templates.health.measure import Source
    from gitops_templates.health.recovery import Recovery
    from gitops_templates.metrics.sqlite import MetricsStore

POINTS = 16  # measurements per check across its `for` + `keep_firing_for`
IN_USE_LOOKBACK = 7 * 86400  # the current version with events this recently is in use
TREND_POINTS = 20  # stored evaluations a trend is fitted to
ORDER = ("healthy", "no-data", "degraded", "critical")


@dataclass(frozen=True, slots=True)
class VersionHealth:
    """One template version's checks, score and status."""

    json_fields: ClassVar[tuple[str, ...]] = ("template", "version", "status", "score",
                                              "coverage", "checks", "trends")  # fmt: skip

    template: str
    version: str | None  # None: the template has checks but no version has events
    status: str
    score: int | None
    coverage: float
    checks: tuple[CheckResult, ...]
    trends: tuple[Trend, ...] = ()


@dataclass(frozen=True, slots=True)
class HealthReport(JsonDocument):
    """The health of the versions in use, worst first."""

    json_fields: ClassVar[tuple[str, ...]] = ("schema_version", "status", "checked_at",
                                              "versions", "recoveries")  # fmt: skip

    checked_at: float
    versions: tuple[VersionHealth, ...]
    recoveries: tuple[Recovery, ...] = ()  # what `--auto-rollback` did

    @property
    def status(self) -> str:
        """The worst status of any version (`no-data` when nothing was checked)."""
        return max((v.status for v in self.versions), key=ORDER.index, default="no-data")

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Each critical version, with its critical checks (annotations in CI)."""
        found = []
        for v in self.versions:
            if v.status == "critical":
                why = ", ".join(f"{c.name} {c.value:.4g}" for c in v.checks
                                if c.state == "critical" and c.value is not None)  # fmt: skip
                found.append(Problem(f"{v.template}@{v.version} is critical"
                                     + (f": {why}" if why else ""), rule="health"))  # fmt: skip
        return tuple(found)

    @property
    def exit_code(self) -> ExitCode:
        """7 when a version is critical."""
        return ExitCode.UNHEALTHY if self.status == "critical" else ExitCode.OK


def health_check(
    ws: Workspace, ids: Sequence[str] = (), *, version: str | None = None,
    now: float | None = None, auto_rollback: int | None = None, push: bool = False,
) -> HealthReport:  # fmt: skip
    """Check every version in use of the templates `ids` (all with checks when empty).

    With `auto_rollback` N (or `health.auto_rollback` in the config), a current version
    critical in its last N evaluations is rolled back (`health/recovery.py`).
    """
    from gitops_templates.metrics.sqlite import open_store

    at = time.time() if now is None else now
    with open_store(ws) as store:  # the evaluations' history, whatever the source
        report = HealthReport(at, tuple(_checked(ws, store, ids, version, at)))
        after = auto_rollback or ws.settings.health.auto_rollback
        if after:
            from dataclasses import replace

            from gitops_templates.health.recovery import auto_rollback as recover

            push = push or ws.settings.health.auto_rollback_push
            recoveries = recover(ws, report, store, after=after, push=push)
            report = replace(report, recoveries=recoveries)
    return report


def _checked(
    ws: Workspace, store: MetricsStore, ids: Sequence[str], version: str | None, at: float
) -> list[VersionHealth]:
    """The health of each version checked, the worst first."""
    from gitops_templates.health.measure import open_source

    source = open_source(ws, store)
    policy = ws.settings.health.no_data
    found: list[VersionHealth] = []
    for tid, checks in declared_checks(ws, ids).items():
        reach = max(c.window + c.for_ + c.keep_firing_for for c in checks)
        in_use = versions_in_use(ws, source, tid, at - reach, at)
        versions = [version] if version else in_use
        if not versions:
            found.append(VersionHealth(tid, None, policy, None, 0.0, ()))
        found += [_version_health(store, source, tid, v, checks, at, policy, v in in_use)
                  for v in versions]  # fmt: skip
    found.sort(key=lambda v: (-ORDER.index(v.status), v.template, v.version or ""))
    return found


def declared_checks(ws: Workspace, ids: Sequence[str]) -> dict[str, tuple[Check, ...]]:
    """Each template's checks (work tree), defaults applied; templates without none."""
    from gitops_templates.health.core.checks import parse_checks
    from gitops_templates.rendering.render import load_source, read_metadata
    from gitops_templates.testing.run import work_tree_templates

    found = {}
    for tid in work_tree_templates(ws, ids):
        metadata, _ = read_metadata(load_source(ws, tid, None))
        checks = parse_checks(metadata.get("health"), ws.settings.health.defaults)
        if checks:
            found[tid] = checks
    return found


def versions_in_use(ws: Workspace, source: Source, tid: str, since: float,
                    at: float) -> list[str]:  # fmt: skip
    """The versions with events since `since`, and the current one if it had some lately."""
    found = source.versions(tid, since, at)
    quiet = set(source.versions(tid, at - IN_USE_LOOKBACK, at)) - set(found)
    if quiet:  # git is read only when a version went quiet
        line = [v for v in ws.versions.of(tid) if v.reachable]
        if line and str(line[0].version) in quiet:
            found = sorted([*found, str(line[0].version)])
    return found


def _version_health(store: MetricsStore, source: Source, tid: str, version: str,
                    checks: Sequence[Check], at: float, policy: str,
                    in_use: bool) -> VersionHealth:  # fmt: skip
    from gitops_templates.health.core.evaluate import evaluate_check, verdict
    from gitops_templates.health.core.trends import trend

    reach = max(c.window + c.for_ + c.keep_firing_for for c in checks)
    source.prepare(tid, version, at - reach - 1, at)  # a second more than the moments' rounding
    results = [evaluate_check(c, _series(source, c, tid, version, at, in_use)) for c in checks]
    store.record_evaluations((at, tid, version, r.name, r.value, r.samples, r.state)
                             for r in results)  # fmt: skip
    fitted = [trend(c, store.history(tid, version, c.name, TREND_POINTS)) for c in checks]
    trends = [found for found in fitted if found is not None]
    judged = verdict(results, policy)
    measured = judged.status if policy == "no-data" else verdict(results).status  # no policy
    store.record_verdict(at, tid, version, measured, judged.score, judged.status)
    return VersionHealth(tid, version, judged.status, judged.score, judged.coverage,
                         tuple(results), tuple(trends))  # fmt: skip


def _series(source: Source, check: Check, tid: str, version: str, at: float,
            in_use: bool = True) -> list[Measurement]:  # fmt: skip
    """The check at its moments; no events is 0 a minute only for a version in use."""
    from gitops_templates.health.core.evaluate import Measurement

    span = check.for_ + check.keep_firing_for
    points = 1 if span <= 0 else POINTS
    step = round(span / (points - 1), 3) if points > 1 else 0.0  # whole ms: a range query's
    times = [at - (points - 1 - i) * step for i in range(points)]
    found = source.series(check, tid, version, times)
    if in_use or check.type != "throughput":
        return found
    return [Measurement(m.at, None, 0) if not m.samples else m for m in found]
