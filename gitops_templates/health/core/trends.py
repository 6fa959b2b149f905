"""Where a check is heading: the least-squares slope of its recent values. Pure.

Over the last K stored evaluations of one check (time, value), the slope per hour; a
check is *getting worse* when the slope points toward its bad side, and then the time
until it would cross the critical threshold at that pace is projected (None when it is
already past it, has no critical threshold or is not getting worse). Evaluations seconds
apart (`health watch --interval 0s`) fit noise, not a direction: a trend needs
`MIN_POINTS` evaluations spanning `MIN_SPAN` seconds at least.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from gitops_templates.health.core.checks import Check

MIN_POINTS = 3
MIN_SPAN = 1800.0  # seconds from the first evaluation fitted to the last


@dataclass(frozen=True, slots=True)
class Trend:
    """A check's direction over its recent evaluations."""

    check: str
    points: int
    slope_per_hour: float
    worsening: bool
    hours_to_critical: float | None


def slope(points: Sequence[tuple[float, float]]) -> float:
    """Least-squares slope of (x, y) points (0 for fewer than two distinct x)."""
    n = len(points)
    if n < 2:
        return 0.0
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    if spread == 0:
        return 0.0
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread


def trend(check: Check, history: Sequence[tuple[float, float]]) -> Trend | None:
    """The trend of `check` over (time in seconds, value) points, oldest first.

    None with too few points, or points too close together.
    """
    if len(history) < MIN_POINTS or history[-1][0] - history[0][0] < MIN_SPAN:
        return None
    per_hour = slope(history) * 3600
    worsening = per_hour < 0 if check.lower_is_worse else per_hour > 0
    hours = None
    latest = history[-1][1]
    if worsening and check.critical is not None and not check.breaches(latest, check.critical):
        hours = round((check.critical - latest) / per_hour, 2)
    return Trend(check.name, len(history), round(per_hour, 6), worsening, hours)
