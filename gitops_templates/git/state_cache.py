"""The collected state of the last run (`.git/gitops-templates/state-v2.json`).

Warm runs start from it: when the configuration, the components and every tag are as
they were and the stored HEAD is an ancestor of HEAD, only the commits made since are
read (`git log <stored>..HEAD`) and added. Anything else, or a file that does not
parse, means a full walk; the file is never trusted beyond its key.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gitops_templates.core.models import Level, Notice
from gitops_templates.core.planning import Collected, CommitChange
from gitops_templates.git.cachefile import read_json, write_json

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from pathlib import Path

    from gitops_templates.core.models import TagRecord

STATE_FORMAT = 1


def fingerprint(parts: Iterable[str]) -> str:
    """sha256 over text parts (one per line)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogateescape") + b"\n")
    return digest.hexdigest()


def tags_fingerprint(tags: Sequence[TagRecord]) -> str:
    """Every tag's name and object: any tag created, moved or deleted changes it."""
    return fingerprint(sorted(f"{t.name} {t.object_sha}" for t in tags))


@dataclass(frozen=True, slots=True)
class StoredState:
    """A collected state and what it was computed from."""

    key: str
    tags: str
    collected: Collected


def load_state(path: Path, key: str) -> StoredState | None:
    """The stored state when its key matches; None when absent, stale or corrupt."""
    data = read_json(path)
    try:
        if data.get("format") != STATE_FORMAT or data.get("key") != key:
            return None
        collected = Collected(
            head=str(data["head"]),
            head_time=int(data["head_time"]),
            reachable_tags=frozenset(str(s) for s in data["reachable_tags"]),
            changes={
                str(cid): tuple(_change(c) for c in items) for cid, items in data["changes"].items()
            },
            fresh={str(k): bool(v) for k, v in data["fresh"].items()},
            notices=tuple(Notice(str(c), str(m), s) for c, m, s in data["notices"]),
        )
        return StoredState(key, str(data["tags"]), collected)
    except (AttributeError, ValueError, KeyError, TypeError):
        return None


def save_state(path: Path, state: StoredState) -> None:
    """Write the state atomically; a read-only clone just goes without."""
    c = state.collected
    data = {
        "format": STATE_FORMAT,
        "key": state.key,
        "tags": state.tags,
        "head": c.head,
        "head_time": c.head_time,
        "reachable_tags": sorted(c.reachable_tags),
        "changes": {cid: [_record(x) for x in items] for cid, items in c.changes.items()},
        "fresh": dict(c.fresh),
        "notices": [[n.code, n.message, n.subject] for n in c.notices],
    }
    write_json(path, data)


def _record(c: CommitChange) -> list[Any]:
    notes, requests = list(c.breaking_notes), list(c.release_as)
    return [c.sha, c.subject, c.type, c.scope, c.level.label, c.breaking,
            notes, c.rule, c.author_time, c.skipped, requests, list(c.waivers)]  # fmt: skip


def _change(row: list[Any]) -> CommitChange:
    sha, subject, type_, scope, level, breaking, notes, rule, when, skipped, requests, waived = row
    return CommitChange(
        sha=str(sha), subject=str(subject),
        type=None if type_ is None else str(type_), scope=None if scope is None else str(scope),
        level=Level.parse(str(level)), breaking=bool(breaking),
        breaking_notes=tuple(str(n) for n in notes), rule=str(rule), author_time=int(when),
        skipped=bool(skipped), release_as=tuple(str(r) for r in requests),
        waivers=tuple(str(w) for w in waived),
    )  # fmt: skip
