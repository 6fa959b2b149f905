"""Release statistics: cadence, bump mix, lead time. Pure."""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, ClassVar

from gitops_templates.core.models import Level
from gitops_templates.core.version_rules import level_between

if TYPE_CHECKING:
    from collections.abc import Sequence

    from semver import Version


def quantile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated quantile (q in [0, 1]); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


@dataclass(frozen=True, slots=True)
class Summary:
    """Median and p90 of a series (seconds), with its size."""

    json_fields: ClassVar[tuple[str, ...]] = ("count", "median_seconds=median", "p90_seconds=p90")

    count: int
    median: float | None
    p90: float | None

    @classmethod
    def of(cls, values: Sequence[float]) -> Summary:
        """Summarise a series."""
        return cls(len(values), quantile(values, 0.5), quantile(values, 0.9))


def bump_mix(versions: Sequence[Version]) -> dict[str, int]:
    """How many releases were major / minor / patch bumps (first release: `initial`)."""
    mix = {"initial": 0, "major": 0, "minor": 0, "patch": 0}
    previous: Version | None = None
    for version in sorted(versions):
        if previous is None:
            mix["initial"] += 1
        else:
            level = level_between(previous, version)
            if level is not Level.NONE:
                mix[level.label] += 1
        previous = version
    return mix


def intervals(times: Sequence[int]) -> list[float]:
    """Seconds between consecutive events (sorted by time)."""
    ordered = sorted(times)
    return [float(b - a) for a, b in pairwise(ordered)]
