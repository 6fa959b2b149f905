"""The SQLite store itself: older files brought up to date, versions found by index seeks."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from gitops_templates.metrics.sqlite import SCHEMA_VERSION, MetricsStore

SCHEMA_1 = """
CREATE TABLE events (time REAL NOT NULL, template TEXT NOT NULL, version TEXT NOT NULL,
    instance TEXT, ok INTEGER NOT NULL CHECK (ok IN (0, 1)), latency_ms REAL);
CREATE INDEX events_by_version ON events (template, version, time, ok, latency_ms);
CREATE TABLE evaluations (time REAL NOT NULL, template TEXT NOT NULL, version TEXT NOT NULL,
    check_name TEXT NOT NULL, value REAL, samples INTEGER NOT NULL, state TEXT NOT NULL);
CREATE TABLE verdicts (time REAL NOT NULL, template TEXT NOT NULL, version TEXT NOT NULL,
    status TEXT NOT NULL, score INTEGER);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta VALUES ('schema', '1');
INSERT INTO verdicts VALUES (100, 'web', '1.0.0', 'no-data', NULL);
"""


def test_a_file_of_the_first_schema_is_brought_up_to_date(tmp_path: Path):
    path = tmp_path / "metrics.db"
    with sqlite3.connect(path) as db:
        db.executescript(SCHEMA_1)
    store = MetricsStore(path)
    store.record_verdict(200, "web", "1.0.0", "no-data", None, "critical")
    assert store.statuses("web", "1.0.0", 5) == ["no-data", "no-data"]
    assert store.statuses("web", "1.0.0", 5, shown=True) == ["critical", "no-data"]
    store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM meta").fetchone() == (str(SCHEMA_VERSION),)
    assert MetricsStore(path).statuses("web", "1.0.0", 1, shown=True) == ["critical"]


def test_versions_seek_the_index_instead_of_scanning_the_events(tmp_path: Path):
    store = MetricsStore(tmp_path / "metrics.db")
    store.add_rows([(float(i), "web", f"1.{i % 3}.0", None, 1, None) for i in range(60_000)])
    store.add_rows([(70_000.0, "web", "2.0.0", None, 1, None), (5.0, "api", "9", None, 1, None)])
    db = store.connect()
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    db.set_progress_handler(count, 100)  # called every 100 virtual machine instructions
    assert store.versions("web", 59_990) == ["1.0.0", "1.1.0", "1.2.0", "2.0.0"]
    assert store.versions("web", 60_000) == ["2.0.0"]
    assert store.versions("web", 0) == ["1.0.0", "1.1.0", "1.2.0", "2.0.0"]
    assert store.versions("nothing", 0) == []
    assert steps[0] < 20  # a scan of the 60 000 events of web takes thousands
