"""Reachability over a commit list in topological order (children first). Pure.

`containment` answers, for every commit, which of a few marked commits (tag targets,
HEAD) have it as an ancestor-or-self, in one pass: each marked commit owns a bit and
masks flow from children to parents. Only the frontier is kept in memory.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping


def containment(
    order: Iterable[tuple[str, tuple[str, ...]]],
    marks: Mapping[str, int],
) -> dict[str, int]:
    """Map each commit to the OR of the bits of marked commits that contain it.

    `order` yields `(sha, parents)` children before parents (`git log --topo-order`);
    `marks` maps a marked commit to its bit mask. Commits no mark reaches get 0 and
    are left out of the result.
    """
    pending: dict[str, int] = {}
    result: dict[str, int] = {}
    for sha, parents in order:
        mask = pending.pop(sha, 0) | marks.get(sha, 0)
        if not mask:
            continue
        result[sha] = mask
        for parent in parents:
            pending[parent] = pending.get(parent, 0) | mask
    return result
