"""Events from outside: `metrics record` (one), `metrics import FILE` (JSONL or CSV).

A line (JSONL) or row (CSV with a header) holds `time` (ISO 8601 with a zone, or Unix
seconds), `template`, `version` (printable text: no control characters), `ok`
(true/false, 1/0), `latency_ms` (optional) and `instance` (optional). The file is read
as a stream and written in batches of `BATCH` events, each in one transaction: a bad
line stops the import with its line number, and nothing of its batch is written (the
batches before it are).
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from gitops_templates.core.jsonform import JsonDocument
from gitops_templates.errors import InvalidInputError, Problem
from gitops_templates.metrics.sqlite import Event

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.metrics.sqlite import MetricsStore, Row

BATCH = 20_000
FIELDS = ("time", "template", "version", "ok", "latency_ms", "instance")
_TRUE, _FALSE = ("true", "1", "yes", "ok"), ("false", "0", "no", "error")


@dataclass(frozen=True, slots=True)
class ImportResult(JsonDocument):
    """How many events a command stored, and where."""

    json_fields: ClassVar[tuple[str, ...]] = ("schema_version", "stored", "database")

    stored: int
    database: str


@dataclass(frozen=True, slots=True)
class PruneResult(JsonDocument):
    """How many events `metrics prune` deleted, and where."""

    json_fields: ClassVar[tuple[str, ...]] = ("schema_version", "deleted", "database")

    deleted: int
    database: str


def event(row: dict[str, Any], where: str) -> Event:
    """One event from a parsed line or row; `InvalidInputError` naming `where`."""
    try:
        return Event(
            time=_time(row.get("time")),
            template=_text(row, "template"),
            version=_text(row, "version"),
            ok=_ok(row.get("ok")),
            latency_ms=_latency(row.get("latency_ms")),
            instance=_instance(row.get("instance")),
        )
    except (ValueError, TypeError, OverflowError) as err:
        raise InvalidInputError(f"{where}: {err}", problems=(Problem(str(err), file=where),),
                                hint="fields: " + ", ".join(FIELDS)) from None  # fmt: skip


_NUMBERS = (int, float)


def plain_row(row: dict[str, Any]) -> Row | None:
    """The common JSONL line (numbers, booleans, short strings) as a row, checked quickly.

    None for anything else: then `event` checks it the slow way, with its messages.
    """
    at: Any = row.get("time")
    latency: Any = row.get("latency_ms")
    tid, version, ok, instance = (row.get(k) for k in ("template", "version", "ok", "instance"))
    if (type(at) not in _NUMBERS or not 0 <= at < _time_limit() or type(ok) is not bool
            or type(tid) is not str or type(version) is not str
            or not 0 < len(tid) <= 200 or not 0 < len(version) <= 200
            or not tid.isprintable() or not version.isprintable()):  # fmt: skip
        return None
    if latency is not None and (type(latency) not in _NUMBERS or not 0 <= latency < _HUGE):
        return None
    if instance is not None and (type(instance) is not str or not 0 < len(instance) <= 200):
        return None
    return (float(at), tid, version, instance, 1 if ok else 0,
            None if latency is None else float(latency))  # fmt: skip


_HUGE = 1e300  # finite, and not NaN (NaN fails every comparison)


def _time_limit() -> float:
    """A day from now (see `_sane`), read once a second at most."""
    import time

    now = time.monotonic()
    if now - _CLOCK[0] > 1:
        _CLOCK[:] = [now, time.time() + 86400]
    return _CLOCK[1]


_CLOCK = [-2.0, 0.0]


def _text(row: dict[str, Any], name: str) -> str:
    """A template id or version: shown in terminals, tables and commit messages."""
    value = row.get(name)
    if not isinstance(value, str) or not value or len(value) > 200:
        raise ValueError(f"`{name}` must be a non-empty string")
    if not value.isprintable():
        raise ValueError(f"`{name}` {value!r} holds a control character (or another "
                         "unprintable one: a line break, a tab, NUL)")  # fmt: skip
    return value


def _time(value: Any) -> float:
    return _sane(_any_time(value), value)


def _any_time(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and value:
        try:
            return float(value)
        except ValueError:
            parsed = _iso(value)
            if parsed.tzinfo is None:
                raise ValueError(f"time {value!r} has no time zone (add Z or +00:00)") from None
            return parsed.timestamp()
    raise ValueError(f"time {value!r} is neither ISO 8601 nor Unix seconds")


def _sane(at: float, value: Any) -> float:
    """Between 1970 and a day from now (an event from the future would stay "in use")."""
    import time

    if not (math.isfinite(at) and 0 <= at <= time.time() + 86400):
        raise ValueError(f"time {value!r} is not between 1970 and tomorrow")
    return at


def _iso(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"time {value!r} is neither ISO 8601 nor Unix seconds") from None


def _instance(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if len(str(value)) > 200:
        raise ValueError("`instance` must be at most 200 characters")
    return str(value)


def _ok(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ValueError(f"ok {value!r} is not true or false")


def _latency(value: Any) -> float | None:
    if value in (None, ""):
        return None
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"latency_ms {value!r} is not a duration in milliseconds")
    return number


def import_file(store: MetricsStore, path: Path) -> ImportResult:
    """Stream `path` (JSONL, or CSV by its `.csv` suffix) into the store, in batches."""
    stored = 0
    batch: list[Row] = []
    try:
        for item in _rows(path):
            batch.append(item)
            if len(batch) >= BATCH:
                stored += store.add_rows(batch)
                batch = []
    except InvalidInputError as err:
        if stored:  # say what stays: the earlier batches were committed
            raise InvalidInputError(f"{err.message} ({stored} event(s) before its batch stored)",
                                    hint=err.hint, problems=err.problems) from None  # fmt: skip
        raise
    stored += store.add_rows(batch)
    return ImportResult(stored, str(store.path))


def _rows(path: Path) -> Iterator[Row]:
    import stat

    try:
        if not stat.S_ISREG(path.stat().st_mode):  # a FIFO would block, a device never end
            raise InvalidInputError(f"{path}: not a regular file")
        handle = path.open(encoding="utf-8-sig", newline="")  # a CSV may start with a BOM
    except OSError as err:
        raise InvalidInputError(f"{path}: {err.strerror}") from None
    with handle:
        try:
            if path.suffix.lower() == ".csv":
                yield from map(_row, _csv_events(handle, path))
            else:
                yield from _jsonl_rows(handle, path)
        except UnicodeDecodeError as err:
            raise InvalidInputError(f"{path}: not UTF-8 text ({err.reason})") from None


def _jsonl_rows(lines: Any, path: Path) -> Iterator[Row]:
    decode = json.JSONDecoder().raw_decode
    for number, line in enumerate(lines, start=1):
        try:
            row, end = decode(line)
        except (ValueError, RecursionError):
            row, end = None, 0
        fast = plain_row(row) if type(row) is dict and not line[end:].strip() else None
        if fast is not None:
            yield fast
        elif line.strip():
            yield _row(_slow(line, f"{path}:{number}", path, number))


def _slow(line: str, where: str, path: Path, number: int) -> Event:
    """A line the fast path did not take: parsed and checked with full messages."""
    try:
        row = json.loads(line)
    except (ValueError, RecursionError) as err:
        problem = Problem(f"not JSON ({err})", file=str(path), line=number)
        raise InvalidInputError(f"{where}: not JSON ({err})", problems=(problem,)) from None
    if not isinstance(row, dict):
        raise InvalidInputError(f"{where}: expected a JSON object per line")
    return event(row, where)


def _row(item: Event) -> Row:
    return (item.time, item.template, item.version, item.instance, int(item.ok),
            item.latency_ms)  # fmt: skip


def _csv_events(lines: Any, path: Path) -> Iterator[Event]:
    reader = csv.DictReader(lines)
    missing = {"time", "template", "version", "ok"} - set(reader.fieldnames or ())
    if missing:
        raise InvalidInputError(f"{path}:1: the header lacks {', '.join(sorted(missing))}",
                                hint="header: " + ",".join(FIELDS))  # fmt: skip
    try:
        for row in reader:
            yield event(row, f"{path}:{reader.line_num}")
    except csv.Error as err:
        raise InvalidInputError(f"{path}:{reader.line_num}: not CSV ({err})") from None


def record_event(ws: Workspace, template: str, version: str, *, ok: bool,
                 latency_ms: float | None = None, instance: str | None = None,
                 time: float | str | None = None) -> ImportResult:  # fmt: skip
    """Store one use of a template version (time: Unix seconds or ISO 8601; default now)."""
    import time as clock

    from gitops_templates.metrics.sqlite import open_store

    row = {"time": clock.time() if time is None else time, "template": template,
           "version": version, "ok": ok, "latency_ms": latency_ms,
           "instance": instance}  # fmt: skip
    with open_store(ws) as store:
        return ImportResult(store.add([event(row, "event")]), str(store.path))
