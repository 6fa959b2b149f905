"""Use-case `health watch`: `health check` every interval, alerting on status changes.

Each evaluation is stored like `health check`'s; a version whose status differs from
its previous one, as shown then (the no-data policy applied to both), raises an alert to
every handler (`health/alerts.py`); with
`auto_rollback`, what stays critical is rolled back as `health check --auto-rollback`
does. `on_evaluation` receives each evaluation (the command prints it); the loop ends
after `iterations`, or when interrupted.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from gitops_templates.core.jsonform import JsonDocument

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.health.alerts import Alert, Delivery
    from gitops_templates.health.check import HealthReport


@dataclass(frozen=True, slots=True)
class Evaluation(JsonDocument):
    """One round of `health watch`."""

    json_fields: ClassVar[tuple[str, ...]] = ("schema_version", "report", "alerts",
                                              "deliveries")  # fmt: skip

    report: HealthReport
    alerts: tuple[Alert, ...]
    deliveries: tuple[Delivery, ...]


def watch(
    ws: Workspace,
    ids: Sequence[str] = (),
    *,
    interval: float,
    iterations: int | None = None,
    on_evaluation: Callable[[Evaluation], None],
    auto_rollback: int | None = None,
    push: bool = False,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
) -> int:
    """Evaluate every `interval` seconds; how many evaluations were made."""
    done = 0
    while iterations is None or done < iterations:
        if done:
            sleep(interval)
        on_evaluation(evaluate_once(ws, ids, clock(), auto_rollback=auto_rollback, push=push))
        done += 1
    return done


def evaluate_once(ws: Workspace, ids: Sequence[str], at: float, *,
                  auto_rollback: int | None = None, push: bool = False) -> Evaluation:  # fmt: skip
    """One `health check`, its alerts and their deliveries."""
    from gitops_templates.health.alerts import changes, deliver
    from gitops_templates.health.check import health_check
    from gitops_templates.metrics.sqlite import open_store

    report = health_check(ws, ids, now=at, auto_rollback=auto_rollback, push=push)
    previous = {}
    with open_store(ws) as store:
        for v in report.versions:
            if v.version is not None:
                earlier = store.statuses(v.template, v.version, 2, shown=True)[1:]
                previous[(v.template, v.version)] = earlier[0] if earlier else "healthy"
    alerts = changes(report.versions, previous, at)
    deliveries = [found for alert in alerts for handler in ws.settings.health.alerts
                  if (found := deliver(alert, handler)) is not None]  # fmt: skip
    return Evaluation(report, tuple(alerts), tuple(deliveries))
