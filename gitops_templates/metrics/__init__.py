"""Metrics of template versions in use; `record` is what executors of rendered templates call.

from gitops_templates import metrics
metrics.record("web", "1.4.2", ok=True, latency_ms=41.0)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


def record(
    template: str,
    version: str,
    *,
    ok: bool,
    latency_ms: float | None = None,
    instance: str | None = None,
    time: float | str | None = None,
    catalog: Path | str = ".",
) -> None:
    """Store one event in the catalog's metrics database (`metrics.path`)."""
    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.metrics.ingest import record_event

    record_event(Workspace(catalog), template, version, ok=ok, latency_ms=latency_ms,
                 instance=instance, time=time)  # fmt: skip
