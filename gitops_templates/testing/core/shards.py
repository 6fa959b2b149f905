"""Which templates one CI job tests: `test --shard I/N`, `plan --github-matrix`. Pure.

Without timings, a template's shard is a stable hash of its id (the same id lands in the
same shard in every run and on every machine, whatever else the catalog holds). With
the timings of an earlier run, shards are balanced greedily: the slowest template first,
each to the shard with the least work so far (templates without a timing count as the
average one); ties go to the lower shard, so every job computes the same split.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


MAX_SHARDS = 10_000


def parse_shard(text: str) -> tuple[int, int] | None:
    """`2/4` -> (2, 4); None unless 1 <= I <= N <= `MAX_SHARDS` (ASCII digits)."""
    index, sep, count = text.partition("/")
    digits = all(part.isascii() and part.isdigit() for part in (index, count))
    if not (sep and digits) or len(count) > 6:
        return None
    i, n = int(index), int(count)
    return (i, n) if 1 <= i <= n <= MAX_SHARDS else None


def shard(ids: Sequence[str], index: int, count: int,
          timings: Mapping[str, float] | None = None) -> list[str]:  # fmt: skip
    """The ids of shard `index` (1-based) of `count`, in their given order."""
    if timings:
        used = min(count, len(ids))  # shards past the number of templates stay empty
        chosen = set(_balanced(ids, used, timings)[index - 1]) if index <= used else set()
    else:
        chosen = {i for i in ids if _stable(i) % count == index - 1}
    return [i for i in ids if i in chosen]


def _stable(tid: str) -> int:
    return int.from_bytes(hashlib.sha256(tid.encode()).digest()[:8], "big")


def _balanced(ids: Sequence[str], count: int, timings: Mapping[str, float]) -> list[list[str]]:
    known = [timings[i] for i in ids if i in timings]
    average = sum(known) / len(known) if known else 1.0
    cost = {i: max(float(timings.get(i, average)), 0.0) for i in ids}
    shards: list[list[str]] = [[] for _ in range(count)]
    loads = [0.0] * count
    for tid in sorted(ids, key=lambda i: (-cost[i], i)):
        target = min(range(count), key=lambda s: (loads[s], s))
        shards[target].append(tid)
        loads[target] += cost[tid]
    return shards


MAX_JOBS = 256  # GitHub Actions runs at most 256 jobs of one matrix


def github_matrix(ids: Sequence[str], max_jobs: int = MAX_JOBS) -> dict[str, list[dict[str, str]]]:
    """`{"include": [{"templates": "a b"}, ...]}` for a workflow's `strategy.matrix`.

    One job per id, or the ids spread evenly over `max_jobs` jobs when there are more.
    """
    jobs = min(len(ids), max_jobs)
    groups: list[list[str]] = [[] for _ in range(jobs)]
    for position, tid in enumerate(sorted(ids)):
        groups[position * jobs // len(ids)].append(tid)
    return {"include": [{"templates": " ".join(g)} for g in groups]}
