"""The SQLite store itself: older files brought up to date, versions found by index seeks."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from gitops_templates.metrics.sqlite import SCHEMA_VERSION, MetricsStore
from tests.helpers import RepoBuilder

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


def test_a_command_that_opened_the_store_leaves_one_complete_file(
    repo: RepoBuilder, tmp_path: Path
):
    """Processes leave without interpreter teardown: the store is closed by its user."""
    repo.template("web").commit("feat(web): first")
    events = tmp_path / "events.jsonl"
    events.write_text("".join(json.dumps({"time": 1_767_225_600 + i, "template": "web",
                                          "version": "0.1.0", "ok": True}) + "\n"
                              for i in range(500)))  # fmt: skip
    entry = [sys.executable, "-m", "gitops_templates", "--repo", str(repo.path)]
    for args in (["metrics", "import", str(events)], ["health", "report", "web"]):
        subprocess.run([*entry, *args], check=True, capture_output=True)
        store = repo.path / ".gitops-templates"
        assert sorted(p.name for p in store.iterdir()) == ["metrics.db"]  # no -wal, -shm
    copy = tmp_path / "copy.db"
    shutil.copy(store / "metrics.db", copy)  # what a cache or backup of the file holds
    with sqlite3.connect(copy) as db:
        assert db.execute("SELECT count(*) FROM events").fetchone() == (500,)
