"""Rollback statistics from version tags' trailers alone (DORA-style). Pure.

A rollback tag carries `Rollback-Of: <bad tag>`, `Rollback-Reason:`; a roll-forward tag
`Rollforward-Of: <rollback tag>`. From those and the tag times: rollbacks per reason,
the change failure rate (releases rolled back / releases, the restoring releases
themselves not counted), time to restore (bad tag -> rollback tag: median, p90) and
false rollbacks (rollbacks later rolled forward).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from gitops_templates.core.cadence import Summary

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


@dataclass(frozen=True, slots=True)
class TaggedRelease:
    """What the statistics need of one release tag."""

    tag: str
    time: int
    trailers: Mapping[str, str]  # lower-cased keys

    @property
    def restoring(self) -> bool:
        """True for a rollback or roll-forward release."""
        return "rollback-of" in self.trailers or "rollforward-of" in self.trailers


@dataclass(frozen=True, slots=True)
class RollbackStats:
    """Rollback figures of one template."""

    json_fields: ClassVar[tuple[str, ...]] = (
        "releases",
        "rollbacks",
        "rolled_back_releases=rolled_back",
        "rollforwards",
        "change_failure_rate",
        "by_reason",
        "time_to_restore",
    )

    releases: int  # not counting rollback / roll-forward releases
    rollbacks: int
    rolled_back: int  # distinct releases rolled back
    rollforwards: int
    by_reason: dict[str, int] = field(default_factory=dict)
    time_to_restore: Summary = field(default_factory=lambda: Summary.of([]))

    @property
    def change_failure_rate(self) -> float | None:
        """Releases rolled back / releases (None without releases)."""
        return self.rolled_back / self.releases if self.releases else None


def rollback_stats(releases: Sequence[TaggedRelease], *, since: int | None = None) -> RollbackStats:
    """Figures over `releases` (one template's), counting events at or after `since`."""
    times = {r.tag: r.time for r in releases}
    window = [r for r in releases if since is None or r.time >= since]
    rollbacks = [r for r in window if "rollback-of" in r.trailers]
    reasons: dict[str, int] = {}
    restore: list[float] = []
    for item in rollbacks:
        reason = item.trailers.get("rollback-reason") or "unspecified"
        reasons[reason] = reasons.get(reason, 0) + 1
        bad = times.get(item.trailers["rollback-of"])
        if bad is not None and item.time >= bad:
            restore.append(float(item.time - bad))
    return RollbackStats(
        releases=sum(1 for r in window if not r.restoring),
        rollbacks=len(rollbacks),
        rolled_back=len({r.trailers["rollback-of"] for r in rollbacks}),
        rollforwards=sum(1 for r in window if "rollforward-of" in r.trailers),
        by_reason=dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        time_to_restore=Summary.of(restore),
    )
