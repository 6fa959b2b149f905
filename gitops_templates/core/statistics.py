"""Statistics shared by testing, health and rollouts. Pure.

`wilson_lower`: the lower bound of the Wilson score interval for a proportion (Wilson
1927; the interval Agresti and Coull recommend over the normal one for small samples and
rates near 0 or 1): with 20 of 20 passing it says 0.839 at 95 %, not 1.

`ratio_interval`: a percentile bootstrap interval for the ratio of two medians (each
sample resampled with replacement, seeded so a report can be reproduced), as benchmark
comparators report a change: a difference only when the interval excludes 1.
"""

from __future__ import annotations

import math
import random
import statistics
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

Z_95 = 1.959963984540054  # the two-sided 95 % normal quantile


def wilson_lower(successes: int, trials: int, z: float = Z_95) -> float | None:
    """The Wilson lower bound of `successes / trials`; None without trials."""
    if trials <= 0:
        return None
    if not 0 <= successes <= trials:
        raise ValueError(f"{successes} successes out of {trials} trials")
    p = successes / trials
    z2 = z * z
    centre = p + z2 / (2 * trials)
    margin = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials))
    return max(0.0, (centre - margin) / (1 + z2 / trials))


def median(values: Sequence[float]) -> float:
    """The median (`ValueError` when empty)."""
    if not values:
        raise ValueError("the median of no values")
    return float(statistics.median(values))


def ratio_interval(
    baseline: Sequence[float],
    candidate: Sequence[float],
    *,
    resamples: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Bootstrap interval of median(candidate) / median(baseline)."""
    if not baseline or not candidate:
        raise ValueError("both samples need values")
    rng = random.Random(seed)  # noqa: S311 (resampling, not secrets)
    ratios = []
    for _ in range(resamples):
        base = median(rng.choices(baseline, k=len(baseline)))
        cand = median(rng.choices(candidate, k=len(candidate)))
        ratios.append(cand / base if base > 0 else math.inf)
    ratios.sort()
    tail = (1 - level) / 2
    low = ratios[int(tail * (resamples - 1))]
    high = ratios[math.ceil((1 - tail) * (resamples - 1))]
    return low, high
