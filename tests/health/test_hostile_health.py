"""What an adversarial try of `metrics` and `health` found, each now handled."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ClassVar

import pytest

from gitops_templates import Catalog
from gitops_templates.health.alerts import Alert, deliver
from gitops_templates.metrics.prometheus import Connection, PrometheusClient, SourceError
from tests.conftest import Cli
from tests.health.test_health_check import CHECKS, NOW, events
from tests.helpers import RepoBuilder, serving


class _Redirect(BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def _answer(self) -> None:
        _Redirect.seen.append(f"{self.path} {self.headers.get('Authorization', '')}")
        if self.path.startswith("/stolen"):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"{}")
            return
        self.send_response(302)
        port = self.server.server_address[1]  # type: ignore[index]
        self.send_header("Location", f"http://127.0.0.1:{port}/stolen")
        self.end_headers()

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def redirecting() -> Iterator[str]:
    _Redirect.seen = []
    with serving(_Redirect) as url:
        yield f"{url}/r?key=Q"


def test_no_redirect_is_followed_and_no_secret_is_shown(redirecting: str,
                                                        monkeypatch: pytest.MonkeyPatch):  # fmt: skip
    monkeypatch.setenv("TOKEN", "s3cret")
    alert = Alert("web", "1.0.0", "healthy", "critical", 0, NOW, ())
    delivery = deliver(alert, {"type": "webhook", "url": redirecting, "token_env": "TOKEN",
                               "retries": 0})  # fmt: skip
    assert delivery is not None
    assert not delivery.ok
    assert "redirect" in delivery.detail
    assert "pw" not in delivery.handler + delivery.detail
    assert "key=Q" not in delivery.handler + delivery.detail
    client = PrometheusClient(Connection(redirecting, token_env="TOKEN"))
    with pytest.raises(SourceError) as raised:
        client.query("up", NOW)
    assert "pw" not in raised.value.message
    assert "key=Q" not in raised.value.message
    assert not any(seen.startswith("/stolen") for seen in _Redirect.seen)
    from gitops_templates.metrics.http import shown

    assert shown("https://user:pw@host:8443/x?key=Q#f") == "https://host:8443/x"


@pytest.mark.parametrize(
    "handler",
    [
        {"type": "webhook", "url": "http://127.0.0.1:abc/x"},
        {"type": "webhook", "url": "http://[::1/x"},
        {
            "type": "command",
            "command": [
                sys.executable,
                "-c",
                "import sys; sys.stderr.buffer.write(b'\\xff'); sys.exit(1)",
            ],
        },
    ],
)
def test_a_broken_handler_is_a_failed_delivery(handler: dict[str, object]):
    delivery = deliver(Alert("web", "1", "healthy", "critical", 0, NOW, ()), handler)
    assert delivery is not None
    assert not delivery.ok


@pytest.fixture
def monitored(repo: RepoBuilder) -> RepoBuilder:
    repo.template("web", more=CHECKS)
    repo.commit("feat(web): first")
    repo.tag("web@1.0.0", message="1.0.0")
    repo.write({"templates/web/body.yaml.j2": "new: {{ name }}\n"})
    repo.commit("feat(web): new")
    repo.tag("web@1.1.0", message="1.1.0")
    return repo


def test_no_data_under_a_critical_policy_never_counts_toward_a_rollback(
    monitored: RepoBuilder, cli: Cli, tmp_path: Path
):
    monitored.write({"gitops-templates.yaml": "health: {no_data: critical}\n"})
    catalog = Catalog(monitored.path)
    for step in range(2):  # no events yet: critical by the policy, stored as no-data
        catalog.health(version="1.1.0", now=NOW - 600 + step, auto_rollback=3)
    feed = tmp_path / "events.jsonl"
    events(feed, "1.1.0", errors_from=600, rate=0.1)
    cli("metrics", "import", str(feed))
    [done] = Catalog(monitored.path).health(now=NOW, auto_rollback=3).recoveries
    assert done.action == "skipped"
    assert monitored.tag_names() == {"web@1.0.0", "web@1.1.0"}


def test_a_detached_head_is_never_rolled_back(monitored: RepoBuilder, cli: Cli, tmp_path: Path):
    feed = tmp_path / "events.jsonl"
    events(feed, "1.1.0", errors_from=600, rate=0.1)
    cli("metrics", "import", str(feed))
    monitored.run("checkout", "-q", "--detach")
    [done] = Catalog(monitored.path).health(now=NOW, auto_rollback=1).recoveries
    assert "HEAD is detached" in done.detail
    assert monitored.tag_names() == {"web@1.0.0", "web@1.1.0"}


def test_another_sqlite_file_is_refused_unchanged(monitored: RepoBuilder, cli: Cli):
    other = monitored.path / "app.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE users (name TEXT)")
    before = other.read_bytes()
    monitored.write({"gitops-templates.yaml": "metrics: {path: app.db}\n"})
    result = cli("metrics", "record", "web", "1.0.0", "--ok", code=3)
    assert "not a metrics database" in result.stderr
    assert other.read_bytes() == before


def test_no_directory_is_made_outside_the_repository(monitored: RepoBuilder, cli: Cli,
                                                     tmp_path: Path):  # fmt: skip
    outside = tmp_path / "outside"
    outside.mkdir()
    (monitored.path / "linkdir").symlink_to(outside)
    monitored.write({"gitops-templates.yaml": "metrics: {path: linkdir/new/sub/m.db}\n"})
    cli("metrics", "record", "web", "1.0.0", "--ok", code=3)
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize(
    ("content", "name"),
    [
        ("[" * 200000, "deep.jsonl"),
        ('{"time": "nan", "template": "w", "version": "1", "ok": true}', "nan.jsonl"),
        ('{"time": 99999999999, "template": "w", "version": "1", "ok": true}', "future.jsonl"),
        ('time,template,version,ok\n"' + "x" * 200000 + '",w,1,true', "big.csv"),
    ],
)
def test_hostile_imports_are_input_errors(monitored: RepoBuilder, cli: Cli, tmp_path: Path,
                                          content: str, name: str):  # fmt: skip
    feed = tmp_path / name
    feed.write_text(content + "\n")
    result = cli("metrics", "import", str(feed), code=3)
    assert f"{feed}:" in result.stderr
    assert "Traceback" not in result.stderr


def test_non_finite_answers_of_a_command_are_no_data(monitored: RepoBuilder, tmp_path: Path):
    script = tmp_path / "m.py"
    script.write_text("import json, sys\nq = json.load(sys.stdin)\n"
                      "print(json.dumps({'versions': ['1.1.0']} if 'times' not in q else "
                      "{q['check']['name']: {'value': float('inf'), 'samples': 10**30}}))\n")  # fmt: skip
    monitored.write({"gitops-templates.yaml": f"metrics:\n  source: command\n  command: "
                     f"['{sys.executable}', '{script}']\n"})  # fmt: skip
    report = Catalog(monitored.path).health(now=NOW)
    assert report.versions[0].status == "no-data"
    json.dumps(report.versions[0].checks[0].value, allow_nan=False)


def test_watch_intervals_are_bounded(monitored: RepoBuilder, cli: Cli):
    assert "at most a day" in cli("health", "watch", "--interval", "999999d", code=2).stderr


def test_a_bom_a_fifo_and_what_earlier_batches_stored(monitored: RepoBuilder, cli: Cli,
                                                      tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch):  # fmt: skip
    import os

    from gitops_templates.metrics import ingest

    bom = tmp_path / "bom.csv"
    bom.write_text("\ufefftime,template,version,ok\n2026-01-01T00:00:00Z,web,1.0.0,true\n")
    assert json.loads(cli("metrics", "import", str(bom), "--json").stdout)["stored"] == 1
    fifo = tmp_path / "fifo.jsonl"
    os.mkfifo(fifo)
    assert "not a regular file" in cli("metrics", "import", str(fifo), code=3).stderr
    monkeypatch.setattr(ingest, "BATCH", 5)
    feed = tmp_path / "events.jsonl"
    events(feed, "1.0.0", errors_from=0, rate=0.0, count=12)
    with feed.open("a") as handle:
        handle.write("not json\n")
    assert "(10 event(s) before its batch stored)" in cli("metrics", "import", str(feed),
                                                           code=3).stderr  # fmt: skip


def test_a_timed_out_command_takes_its_children_with_it(tmp_path: Path):
    import subprocess
    import time

    from gitops_templates.metrics.command import run

    marker = tmp_path / "still-running"
    grandchild = tmp_path / "grandchild.py"
    grandchild.write_text(f"import time\ntime.sleep(3)\nopen({str(marker)!r}, 'w')\n")
    parent = tmp_path / "parent.py"
    parent.write_text(f"import subprocess, sys, time\nsubprocess.Popen([sys.executable, "
                      f"{str(grandchild)!r}])\ntime.sleep(30)\n")  # fmt: skip
    with pytest.raises(subprocess.TimeoutExpired):
        run([sys.executable, str(parent)], "", 1.0)
    time.sleep(3.5)
    assert not marker.exists()


def test_ids_and_versions_with_control_characters_are_refused(monitored: RepoBuilder, cli: Cli,
                                                              tmp_path: Path):  # fmt: skip
    feed = tmp_path / "events.jsonl"
    feed.write_text(f'{{"time": {NOW}, "template": "web", "version": "1.0.0", "ok": true}}\n'
                    f'{{"time": {NOW}, "template": "web", "version": "1.0\\n| x |", "ok": true}}\n')  # fmt: skip
    result = cli("metrics", "import", str(feed), code=3)
    assert f"{feed}:2: `version` '1.0\\n| x |' holds a control character" in result.stderr
    csv = tmp_path / "events.csv"
    csv.write_text("time,template,version,ok\n2026-01-01T00:00:00Z,w\x00eb,1.0.0,true\n")
    assert f"{csv}:2: `template`" in cli("metrics", "import", str(csv), code=3).stderr
    assert "`version`" in cli("metrics", "record", "web", "1\x1b[31m", "--ok", code=3).stderr
    db = monitored.path / ".gitops-templates/metrics.db"
    assert not db.exists() or sqlite3.connect(db).execute(
        "SELECT COUNT(*) FROM events").fetchone() == (0,)  # fmt: skip


def test_the_job_summary_escapes_versions_stored_before():
    from gitops_templates.cli.action_report import summary
    from gitops_templates.health.check import HealthReport, VersionHealth

    report = HealthReport(NOW, (VersionHealth("web", "1.0\n| x |", "healthy", 100, 1.0, ()),))
    table = summary("health check", 0, report, None)
    assert "| web | 1\\.0<br>\\| x \\| | healthy | 100 |" in table
