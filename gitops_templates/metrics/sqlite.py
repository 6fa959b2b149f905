"""The embedded metrics store: events of template versions in use, in SQLite.

One file (`.gitops-templates/metrics.db` by default, git-ignored), WAL mode so a reader
never waits for a writer, indexed by (template, version, time). An event: `time` (Unix
seconds), `template`, `version`, `instance` (optional), `ok` (1 or 0), `latency_ms`
(optional). Evaluations of `health check` and `health watch` are kept beside the events
for trends and `for:` across runs: a verdict's measured `status` (`no-data` without
enough data, whatever the policy) and the status it was `shown` as (the policy applied).
Every write is one transaction: all of it or nothing. A file of an older schema is
brought up to this one when opened (`MIGRATIONS`).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gitops_templates.errors import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from gitops_templates.catalog.workspace import Workspace

Evaluation = tuple[float, str, str, str, "float | None", int, str]
Row = tuple[float, str, str, "str | None", int, "float | None"]
SCHEMA_VERSION = 2
# Each schema version's changes to the one before, applied in order to an older file.
MIGRATIONS = {2: "ALTER TABLE verdicts ADD COLUMN shown TEXT;"}
SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    time REAL NOT NULL, template TEXT NOT NULL, version TEXT NOT NULL,
    instance TEXT, ok INTEGER NOT NULL CHECK (ok IN (0, 1)), latency_ms REAL
);
CREATE INDEX IF NOT EXISTS events_by_version ON events (template, version, time, ok, latency_ms);
CREATE TABLE IF NOT EXISTS evaluations (
    time REAL NOT NULL, template TEXT NOT NULL, version TEXT NOT NULL, check_name TEXT NOT NULL,
    value REAL, samples INTEGER NOT NULL, state TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS evaluations_by_check
    ON evaluations (template, version, check_name, time);
CREATE TABLE IF NOT EXISTS verdicts (
    time REAL NOT NULL, template TEXT NOT NULL, version TEXT NOT NULL, status TEXT NOT NULL,
    score INTEGER, shown TEXT
);
CREATE INDEX IF NOT EXISTS verdicts_by_version ON verdicts (template, version, time);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True, slots=True)
class Event:
    """One use of a template version."""

    time: float
    template: str
    version: str
    ok: bool
    latency_ms: float | None = None
    instance: str | None = None


class MetricsStore:
    """The SQLite file of events and evaluations (created on first write)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None

    def connect(self) -> sqlite3.Connection:
        """The open database, created with its schema when new.

        Another file (other tables, another schema) is refused before anything changes.
        """
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
                found = self._check_ours(db)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                _migrate(db, found)
                db.executescript(SCHEMA)
                db.execute(
                    "INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),)
                )
            except sqlite3.OperationalError as err:
                raise _busy(self.path, err) from None
            except sqlite3.DatabaseError as err:
                raise InvalidInputError(
                    f"{self.path}: not a metrics database ({err})",
                    hint="set metrics.path to another file",
                ) from None
            self._db = db
        return self._db

    def _check_ours(self, db: sqlite3.Connection) -> int:
        """The schema of a file this tool made (this one or older), 0 for a new, empty one."""
        tables = {
            name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if not tables:
            return 0
        found = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() \
            if "meta" in tables else None  # fmt: skip
        if found is None:
            raise sqlite3.DatabaseError("it holds other tables and no metrics schema")
        if found[0] not in {str(n) for n in range(1, SCHEMA_VERSION + 1)}:
            raise sqlite3.DatabaseError(f"metrics schema {found[0]}, this tool reads "
                                        f"{SCHEMA_VERSION}")  # fmt: skip
        return int(found[0])

    def close(self) -> None:
        """Close the database: its write-ahead log goes into the file and is removed.

        Processes leave without tearing the interpreter down (`cli.leave`), so whoever
        opens a store closes it (`with open_store(ws) as store:`).
        """
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> MetricsStore:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        self.close()

    def add(self, events: Iterable[Event]) -> int:
        """Insert events in one transaction; how many."""
        return self.add_rows([(e.time, e.template, e.version, e.instance, int(e.ok),
                               e.latency_ms) for e in events])  # fmt: skip

    def add_rows(self, rows: list[Row]) -> int:
        """Insert (time, template, version, instance, ok, latency_ms) rows in one transaction."""
        db = self.connect()
        with _transaction(db):
            db.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)", rows)
        return len(rows)

    def prune(self, before: float) -> int:
        """Delete events and evaluations older than `before`; how many events."""
        db = self.connect()
        with _transaction(db):
            gone = db.execute("DELETE FROM events WHERE time < ?", (before,)).rowcount
            db.execute("DELETE FROM evaluations WHERE time < ?", (before,))
            db.execute("DELETE FROM verdicts WHERE time < ?", (before,))
        return int(gone)

    def versions(self, template: str, since: float) -> list[str]:
        """The versions of `template` with events since `since`.

        Index seeks, two a version ever stored (the next version, then its newest event),
        instead of a scan of every retained event of the template.
        """
        db = self.connect()
        found: list[str] = []
        version = db.execute("SELECT MIN(version) FROM events WHERE template = ?",
                             (template,)).fetchone()[0]  # fmt: skip
        while version is not None:
            newest = db.execute("SELECT MAX(time) FROM events WHERE template = ? AND version = ?",
                                (template, version)).fetchone()[0]  # fmt: skip
            if newest is not None and newest >= since:
                found.append(str(version))
            version = db.execute("SELECT MIN(version) FROM events WHERE template = ? AND "
                                 "version > ?", (template, version)).fetchone()[0]  # fmt: skip
        return found

    def events_between(
        self, template: str, version: str, start: float, end: float
    ) -> list[tuple[float, int, float | None]]:
        """(time, ok, latency_ms) of a version's events in (start, end], by time."""
        rows = self.connect().execute(
            "SELECT time, ok, latency_ms FROM events WHERE template = ? AND version = ? "
            "AND time > ? AND time <= ? ORDER BY time",
            (template, version, start, end),
        )
        return rows.fetchall()

    def record_evaluations(
        self, rows: Iterable[tuple[float, str, str, str, float | None, int, str]]
    ) -> None:
        """Store evaluations: (time, template, version, check, value, samples, state)."""
        db = self.connect()
        with _transaction(db):
            db.executemany("INSERT INTO evaluations VALUES (?, ?, ?, ?, ?, ?, ?)", list(rows))

    def record_verdict(self, at: float, template: str, version: str, status: str,
                       score: int | None, shown: str | None = None) -> None:  # fmt: skip
        """Store a version's measured status at one evaluation, and the status shown."""
        db = self.connect()
        with _transaction(db):
            db.execute("INSERT INTO verdicts VALUES (?, ?, ?, ?, ?, ?)",
                       (at, template, version, status, score, shown or status))  # fmt: skip

    def verdict_history(
        self, template: str, limit: int
    ) -> list[tuple[float, str, str, int | None]]:
        """The last `limit` (time, version, status, score) of a template, oldest first."""
        rows = (
            self.connect()
            .execute(
                "SELECT time, version, status, score FROM verdicts WHERE template = ? "
                "ORDER BY time DESC LIMIT ?",
                (template, limit),
            )
            .fetchall()
        )
        return [(float(t), str(v), str(s), None if c is None else int(c))
                for t, v, s, c in reversed(rows)]  # fmt: skip

    def statuses(self, template: str, version: str, limit: int, *,
                 shown: bool = False) -> list[str]:  # fmt: skip
        """The last `limit` measured statuses of a version (or as shown), newest first."""
        column = "COALESCE(shown, status)" if shown else "status"
        rows = self.connect().execute(
            f"SELECT {column} FROM verdicts WHERE template = ? AND version = ? "  # noqa: S608 (one of two)
            "ORDER BY time DESC LIMIT ?",
            (template, version, limit),
        )
        return [str(s) for (s,) in rows]

    def history(
        self, template: str, version: str, check: str, limit: int
    ) -> list[tuple[float, float]]:
        """The last `limit` (time, value) evaluations of one check, oldest first."""
        rows = (
            self.connect()
            .execute(
                "SELECT time, value FROM evaluations WHERE template = ? AND version = ? AND "
                "check_name = ? AND value IS NOT NULL ORDER BY time DESC LIMIT ?",
                (template, version, check, limit),
            )
            .fetchall()
        )
        return [(float(t), float(v)) for t, v in reversed(rows)]


def _migrate(db: sqlite3.Connection, found: int) -> None:
    """Bring a file of schema `found` (0: new) up to `SCHEMA_VERSION`, in one transaction."""
    if not 0 < found < SCHEMA_VERSION:
        return
    with _transaction(db):
        for step in range(found + 1, SCHEMA_VERSION + 1):
            for statement in filter(str.strip, MIGRATIONS[step].split(";")):
                db.execute(statement)
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (str(SCHEMA_VERSION),))


def _busy(path: Path, err: sqlite3.OperationalError) -> InvalidInputError:
    """The database is locked (another writer for over 30 s) or cannot be written."""
    return InvalidInputError(f"{path}: {err}", hint="another command may be writing to it; "
                             "try again when it is done")  # fmt: skip


class _transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any error."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as err:
            where = self.db.execute("PRAGMA database_list").fetchone()[2]
            raise _busy(Path(where), err) from None

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")


def open_store(ws: Workspace) -> MetricsStore:
    """The catalog's store (`metrics.path`), which must stay inside the repository."""
    from gitops_templates.catalog.files import inside

    path = ws.repo.root / ws.settings.health.metrics_path
    existing = path.parent
    while not existing.exists() and existing != ws.repo.root:
        existing = existing.parent
    inside(ws.repo.root, existing)  # before creating anything: no symlink out of the repository
    path.parent.mkdir(parents=True, exist_ok=True)
    inside(ws.repo.root, path.parent)
    if path.is_symlink() or (path.exists() and not path.is_file()):
        why = "is not a regular file (the metrics database is a file inside the repository)"
        raise InvalidInputError(f"{ws.settings.health.metrics_path} {why}")
    return MetricsStore(path)
