"""Facts about immutable Git objects, remembered between runs (`objects-v1.json`).

Object ids name content, so what is learned about one never goes stale: the blob a
`<commit id>:<path>` names, the commit an annotated tag object points at, the data a
YAML blob parses to. Warm runs look these up instead of asking git (or PyYAML) again.
Only full object ids are keys (never `HEAD` or a branch); a file that does not parse,
or a value of the wrong shape, is a miss. The file is bounded: past `MAX_ENTRIES` per
kind the older half is dropped.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from gitops_templates.git.cachefile import read_json, write_json

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from pathlib import Path

FACTS_FORMAT = 1
MAX_ENTRIES = 50_000
OBJECT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


def is_object_id(text: str) -> bool:
    """A full hexadecimal object id (SHA-1 or SHA-256)."""
    return OBJECT_ID.fullmatch(text) is not None


class ObjectFacts:
    """Per-kind tables `key -> JSON value`, loaded on first use, saved on request.

    With no path (caches off, e.g. a pre-receive hook) facts live for one run only.
    """

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._tables: dict[str, dict[str, Any]] | None = None
        self._dirty = False
        self._learned: dict[str, dict[str, Any]] = {}  # remembered since it was opened

    def kept(self) -> bool:
        """Whether an earlier run kept facts (its file exists; nothing is loaded)."""
        if self._tables is not None:
            return bool(self._tables)
        return self._path is not None and self._path.exists()

    def _table(self, kind: str) -> dict[str, Any]:
        if self._tables is None:
            self._tables = self._load()
        return self._tables.setdefault(kind, {})

    def _load(self) -> dict[str, dict[str, Any]]:
        data = read_json(self._path) if self._path is not None else None
        if not isinstance(data, dict) or data.get("format") != FACTS_FORMAT:
            return {}
        tables = data.get("tables")
        if not isinstance(tables, dict):
            return {}
        return {k: v for k, v in tables.items() if isinstance(v, dict)}

    def lookup(
        self,
        kind: str,
        keys: Iterable[str],
        fetch: Callable[[list[str]], Mapping[str, Any]],
        *,
        valid: Callable[[Any], bool],
    ) -> dict[str, Any]:
        """Values for `keys`: remembered ones, the rest from one `fetch(missing)` call.

        Keys that are not object-id based are fetched every time and never stored;
        remembered values that fail `valid` are fetched again.
        """
        table = self._table(kind)
        found: dict[str, Any] = {}
        missing: list[str] = []
        for key in dict.fromkeys(keys):
            value = table.get(key, _ABSENT)
            if value is not _ABSENT and valid(value):
                found[key] = value
            else:
                missing.append(key)
        if missing:
            fetched = fetch(missing)
            found.update(fetched)
            self.remember(kind, fetched)
        return found

    def knows(self, kind: str) -> bool:
        """Whether anything of `kind` is remembered (False on a first run)."""
        return bool(self._table(kind))

    def remember(self, kind: str, values: Mapping[str, Any]) -> None:
        """Store facts learned some other way (object-id keys only)."""
        fresh = {k: v for k, v in values.items() if is_object_id(k.split(":", 1)[0])}
        if fresh:
            self._table(kind).update(fresh)
            self._learned.setdefault(kind, {}).update(fresh)
            self._dirty = True

    def learned(self, *, clear: bool = False) -> dict[str, dict[str, Any]]:
        """Everything remembered since this store was opened (or last cleared), per kind."""
        found = {kind: dict(values) for kind, values in self._learned.items()}
        if clear:
            self._learned.clear()
        return found

    def absorb(self, learned: Mapping[str, Mapping[str, Any]]) -> None:
        """Remember what another process learned (`learned()` of a forked copy)."""
        for kind, values in learned.items():
            self.remember(kind, values)

    def detach(self) -> None:
        """Never write the file from here on (a forked child that reports back instead)."""
        self._path = None

    def save(self) -> None:
        """Write the tables back when something was learned (bounded in size)."""
        if not self._dirty or self._path is None or self._tables is None:
            return
        for kind, table in self._tables.items():
            if len(table) > MAX_ENTRIES:
                keep = list(table.items())[-MAX_ENTRIES // 2 :]  # insertion order: newest
                self._tables[kind] = dict(keep)
        write_json(self._path, {"format": FACTS_FORMAT, "tables": self._tables})
        self._dirty = False


_ABSENT = object()
