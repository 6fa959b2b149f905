"""A template version's health from its checks' measurements: states, score, status. Pure.

One measurement per check and point in time (`value` over the `window` before it, and
the number of events behind it). A check's **level** at one point is `ok`, `warning` or
`critical` by its thresholds, or `no-data` below `min_samples` (never healthy, never
critical by itself). Throughput has no `min_samples`: few or no events is what it
measures (0 events is 0 a minute), so it has no data only without a value (a version not
in use). Its **state** follows Prometheus alerting: a level counts once it
has held at every point of the last `for` seconds (until then it is *pending*), and keeps
counting `keep_firing_for` seconds after it clears (hysteresis, no flapping).

The **score** (0-100) follows the states, so it does not flap either: a check scores 1
when ok, 0 when critical, and when warning its value's place between the two thresholds
(1 at `warning`, 0 at `critical`), kept within 0.1-0.9; the score is the weighted mean
times 100, capped at 39 by a critical check and at 89 by a warning one. No-data checks
are left out of the mean and reported as missing coverage.
The **status**: `critical` when a check is critical, `no-data` when less than half the
weight has data, else `healthy` at 90 or more, `degraded` below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from collections.abc import Sequence

    from gitops_templates.health.core.checks import Check

LEVELS = ("ok", "warning", "critical")  # in order of severity; `no-data` is apart
CRITICAL_CAP, WARNING_CAP = 39, 89
HEALTHY_FROM = 90


@dataclass(frozen=True, slots=True)
class Measurement:
    """A check's value over its window ending at `at`, and the events behind it."""

    at: float
    value: float | None
    samples: int


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check's verdict now."""

    json_fields: ClassVar[tuple[str, ...]] = ("name", "type", "state", "level", "pending",
                                              "value", "samples", "warning", "critical",
                                              "score", "weight")  # fmt: skip

    name: str
    type: str
    state: str  # ok | warning | critical | no-data
    level: str  # what the latest measurement alone says
    pending: bool  # the latest level is worse than the state: `for` not yet elapsed
    value: float | None
    samples: int
    warning: float | None
    critical: float | None
    score: float | None  # 0-1; None without data
    weight: float = 1.0


def level_of(check: Check, m: Measurement) -> str:
    """`ok`, `warning`, `critical` or `no-data` for one measurement."""
    if m.value is None or (m.samples < check.min_samples and check.type != "throughput"):
        return "no-data"
    if check.breaches(m.value, check.critical):
        return "critical"
    if check.breaches(m.value, check.warning):
        return "warning"
    return "ok"


def evaluate_check(check: Check, series: Sequence[Measurement]) -> CheckResult:
    """The check's state now from its measurements, oldest first, the last one now."""
    now = series[-1]
    levels = [(m.at, level_of(check, m)) for m in series]
    state = "ok"
    for at, _ in levels:
        if at >= now.at - check.keep_firing_for:
            state = _worst(state, _held(levels, at, check.for_))
    latest = levels[-1][1]
    if latest == "no-data" and state == "ok":
        state = "no-data"
    pending = latest != "no-data" and _rank(latest) > _rank(state)
    return CheckResult(check.name, check.type, state, latest, pending, now.value, now.samples,
                       check.warning, check.critical, _state_score(check, state, now.value),
                       check.weight)  # fmt: skip


def _state_score(check: Check, state: str, value: float | None) -> float | None:
    """1 ok, 0 critical, a warning's place between its thresholds (0.1-0.9)."""
    if state == "no-data":
        return None
    if state != "warning":
        return 1.0 if state == "ok" else 0.0
    return min(0.9, max(0.1, part_score(check, value) or 0.0))


def _held(levels: Sequence[tuple[float, str]], at: float, hold: float) -> str:
    """The worst level every point of `[at - hold, at]` reached (no-data holds nothing)."""
    inside = [lvl for t, lvl in levels if at - hold <= t <= at]
    if any(lvl == "no-data" for lvl in inside):
        return "ok"
    return min(inside, key=_rank) if inside else "ok"


def _rank(level: str) -> int:
    return LEVELS.index(level) if level in LEVELS else -1


def _worst(a: str, b: str) -> str:
    return a if _rank(a) >= _rank(b) else b


def part_score(check: Check, value: float | None) -> float | None:
    """1 at or better than `warning`, 0 at or past `critical`, linear in between."""
    if value is None:
        return None
    warn, crit = check.warning, check.critical
    if crit is not None and check.breaches(value, crit):
        return 0.0
    if warn is None or not check.breaches(value, warn):
        return 1.0
    if crit is None:
        return 0.5
    span = crit - warn
    return max(0.0, min(1.0, 1 - (value - warn) / span)) if span else 0.0


@dataclass(frozen=True, slots=True)
class Verdict:
    """The health of one template version: score, status and coverage."""

    score: int | None
    status: str  # healthy | degraded | critical | no-data
    coverage: float  # the share of the checks' weight that has data


def verdict(results: Sequence[CheckResult], no_data: str = "no-data") -> Verdict:
    """Score and status of a version from its checks (see the module).

    A version without enough data gets the `no_data` status (no-data, degraded, critical).
    """
    total = sum(r.weight for r in results)
    scored = [r for r in results if r.state != "no-data" and r.score is not None]
    covered = sum(r.weight for r in scored)
    coverage = round(covered / total, 4) if total else 0.0
    score = None
    if covered:
        score = round(100 * sum(r.weight * (r.score or 0.0) for r in scored) / covered)
        if any(r.state == "critical" for r in results):
            score = min(score, CRITICAL_CAP)
        elif any(r.state == "warning" for r in results):
            score = min(score, WARNING_CAP)
    if any(r.state == "critical" for r in results):
        return Verdict(score, "critical", coverage)
    if coverage < 0.5 or score is None:
        return Verdict(score, no_data, coverage)
    return Verdict(score, "healthy" if score >= HEALTHY_FROM else "degraded", coverage)
