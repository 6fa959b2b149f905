"""Health of versions in use and the metrics behind it. Part of `Catalog`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.health.check import HealthReport
    from gitops_templates.health.report import HealthHistory
    from gitops_templates.health.watch import Evaluation
    from gitops_templates.metrics.ingest import ImportResult, PruneResult


class HealthApi:
    """Health of versions in use and the metrics behind it."""

    workspace: Workspace

    def record_event(
        self,
        template_id: str,
        version: str,
        *,
        ok: bool,
        latency_ms: float | None = None,
        instance: str | None = None,
        time: float | str | None = None,
    ) -> ImportResult:
        """Store one use of a template version (time: Unix seconds or ISO 8601; now)."""
        from gitops_templates.metrics.ingest import record_event

        return record_event(self.workspace, template_id, version, ok=ok, latency_ms=latency_ms,
                            instance=instance, time=time)  # fmt: skip

    def import_metrics(self, path: Path | str) -> ImportResult:
        """Stream a JSONL or CSV file of events into the metrics database."""
        from gitops_templates.metrics.ingest import import_file
        from gitops_templates.metrics.sqlite import open_store

        with open_store(self.workspace) as store:
            return import_file(store, Path(path))

    def prune_metrics(self, older_than: float) -> PruneResult:
        """Delete events (and evaluations) older than `older_than` seconds; how many."""
        import time

        from gitops_templates.metrics.ingest import PruneResult
        from gitops_templates.metrics.sqlite import open_store

        with open_store(self.workspace) as store:
            return PruneResult(store.prune(time.time() - older_than), str(store.path))

    def health(
        self,
        ids: Sequence[str] = (),
        *,
        version: str | None = None,
        now: float | None = None,
        auto_rollback: int | None = None,
        push: bool = False,
    ) -> HealthReport:
        """Check, score and store the health of every version in use.

        `auto_rollback` N: roll back a current version critical in its last N evaluations.
        """
        from gitops_templates.health.check import health_check

        return health_check(self.workspace, ids, version=version, now=now,
                            auto_rollback=auto_rollback, push=push)  # fmt: skip

    def health_report(self, template_id: str) -> HealthHistory:
        """A template's stored health: each version's verdicts and checks over time."""
        from gitops_templates.health.report import health_report

        return health_report(self.workspace, template_id)

    def health_watch(
        self,
        ids: Sequence[str] = (),
        *,
        interval: float = 60.0,
        iterations: int | None = None,
        on_evaluation: Callable[[Evaluation], None],
        auto_rollback: int | None = None,
        push: bool = False,
    ) -> int:
        """`health check` every `interval` seconds, alerting on status changes."""
        from gitops_templates.health.watch import watch

        return watch(self.workspace, ids, interval=interval, iterations=iterations,
                     on_evaluation=on_evaluation, auto_rollback=auto_rollback,
                     push=push)  # fmt: skip
