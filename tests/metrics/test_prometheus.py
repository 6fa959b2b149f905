"""The Prometheus source against a real Prometheus on 127.0.0.1, fed backfilled history.

The same events go to SQLite (`metrics import`) and, as counters and a latency
histogram sampled every 15 s, into a Prometheus TSDB (`promtool tsdb
create-blocks-from openmetrics`); both sources must give the same verdicts.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from gitops_templates import Catalog
from gitops_templates.metrics.prometheus import Connection, PrometheusClient, SourceError
from tests.conftest import Cli
from tests.helpers import RepoBuilder

pytestmark = pytest.mark.skipif(
    not (shutil.which("prometheus") and shutil.which("promtool")),
    reason="Debian's prometheus is not installed (make test installs it when apt can)",
)
CHECKS = """\
health:
  checks:
    - {name: errors, type: error_rate, warning: 0.02, critical: 0.05, window: 10m, min_samples: 20}
    - {name: p95, type: latency, quantile: 0.95, warning: 500, critical: 2000, window: 10m}
    - {name: traffic, type: throughput, warning: 5, critical: 1, window: 10m}
    - {name: held, type: error_rate, warning: 0.02, critical: 0.05, window: 5m, for: 3m,
       min_samples: 20}
    - {name: p50, type: latency, quantile: 0.5, warning: 500, critical: 2000, window: 5m,
       for: 2m, keep_firing_for: 1m}
"""
BUCKETS = (50, 100, 250, 500, 1000, 2000, 5000)
NOW = float(int(time.time()) // 60 * 60 - 3600)  # an hour ago: inside the default retention


def event_rows() -> list[dict[str, object]]:
    """1.0.0: 10% errors, fast; 1.1.0: no errors but slow (p95 ~ 3 s)."""
    rows = []
    for i in range(1200):
        at = NOW - 600 + i * 0.5
        rows.append({"time": at, "template": "web", "version": "1.0.0", "ok": i % 10 != 0,
                     "latency_ms": 80.0})  # fmt: skip
        rows.append({"time": at, "template": "web", "version": "1.1.0", "ok": True,
                     "latency_ms": 3000.0 if i % 10 < 8 else 90.0})  # fmt: skip
    return rows


def openmetrics(rows: list[dict[str, object]]) -> str:
    """Cumulative counters and histogram buckets every 15 s, as Prometheus would scrape."""
    lines = ["# TYPE gitops_template_uses counter", "# TYPE gitops_template_latency_ms histogram"]
    series: dict[str, list[tuple[float, float]]] = {}
    totals: dict[str, float] = {}
    rows = sorted(rows, key=lambda r: float(r["time"]))  # type: ignore[arg-type]
    position = 0
    for tick in range(int(NOW - 900), int(NOW) + 1, 15):
        while position < len(rows) and float(rows[position]["time"]) <= tick:  # type: ignore[arg-type]
            _count(rows[position], totals)
            position += 1
        for name, value in totals.items():
            series.setdefault(name, []).append((tick, value))
    for name, points in sorted(series.items()):
        lines += [f"{name} {value} {tick}" for tick, value in points]
    return "\n".join(lines) + "\n# EOF\n"


def _count(row: dict[str, object], totals: dict[str, float]) -> None:
    labels = f'template="{row["template"]}",version="{row["version"]}"'
    outcome = "ok" if row["ok"] else "error"
    key = f'gitops_template_uses_total{{{labels},outcome="{outcome}"}}'
    totals[key] = totals.get(key, 0) + 1
    for other in ("ok", "error"):  # both series exist from the start, as a client would
        totals.setdefault(f'gitops_template_uses_total{{{labels},outcome="{other}"}}', 0)
    latency = float(row["latency_ms"])  # type: ignore[arg-type]
    for bound in (*BUCKETS, float("inf")):
        le = "+Inf" if bound == float("inf") else str(bound)
        key = f'gitops_template_latency_ms_bucket{{{labels},le="{le}"}}'
        totals[key] = totals.get(key, 0) + (1 if latency <= bound else 0)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Prometheus serving the backfilled history; stopped after the module."""
    base = tmp_path_factory.mktemp("prometheus")
    (base / "history.om").write_text(openmetrics(event_rows()))
    subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics",
                    str(base / "history.om"), str(base / "data")],
                   check=True, capture_output=True)  # fmt: skip
    (base / "prometheus.yml").write_text("global: {}\n")
    port = free_port()
    server = subprocess.Popen(
        ["prometheus", f"--config.file={base / 'prometheus.yml'}",
         f"--storage.tsdb.path={base / 'data'}", f"--web.listen-address=127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_ready(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("prometheus exited")
        try:
            with urllib.request.urlopen(f"{url}/-/ready", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("prometheus did not become ready")


@pytest.fixture
def catalog(repo: RepoBuilder) -> RepoBuilder:
    repo.template("web", more=CHECKS)
    repo.commit("feat(web): first")
    return repo


def verdicts(path: Path) -> dict[str, tuple[str, dict[str, str]]]:
    report = Catalog(path).health(now=NOW)
    return {v.version or "": (v.status, {c.name: c.state for c in v.checks})
            for v in report.versions}  # fmt: skip


def test_the_same_events_give_the_same_verdicts(catalog: RepoBuilder, prometheus: str,
                                                tmp_path: Path, cli: Cli):  # fmt: skip
    feed = tmp_path / "events.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in event_rows()))
    cli("metrics", "import", str(feed))
    from_sqlite = verdicts(catalog.path)
    (catalog.path / "gitops-templates.yaml").write_text(
        f"metrics:\n  source: prometheus\n  prometheus: {{url: '{prometheus}'}}\n"
    )
    before = requests(prometheus)
    from_prometheus = verdicts(catalog.path)
    after = requests(prometheus)
    assert from_sqlite == from_prometheus
    assert from_prometheus == {
        "1.0.0": ("critical", {"errors": "critical", "p95": "ok", "traffic": "ok",
                               "held": "critical", "p50": "ok"}),
        "1.1.0": ("critical", {"errors": "ok", "p95": "critical", "traffic": "ok",
                               "held": "ok", "p50": "critical"}),
    }  # fmt: skip
    # one range query a check and version, whatever its moments (16 for `for:`); instant
    # queries only to find the versions in use (those of the last 10 minutes, of the week)
    assert after["/api/v1/query_range"] - before["/api/v1/query_range"] == 5 * 2
    assert after["/api/v1/query"] - before["/api/v1/query"] == 2


def requests(url: str) -> dict[str, float]:
    """Prometheus' own count of the API requests it answered, by endpoint."""
    from prometheus_client.parser import text_string_to_metric_families

    with urllib.request.urlopen(f"{url}/metrics", timeout=10) as answer:
        text = answer.read().decode()
    found = {"/api/v1/query": 0.0, "/api/v1/query_range": 0.0}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            handler = sample.labels.get("handler")
            if sample.name == "prometheus_http_requests_total" and handler in found:
                found[handler] += sample.value
    return found


def test_empty_results_are_no_data(catalog: RepoBuilder, prometheus: str, cli: Cli):
    (catalog.path / "gitops-templates.yaml").write_text(
        f"metrics:\n  source: prometheus\n  prometheus: {{url: '{prometheus}'}}\n"
    )
    report = Catalog(catalog.path).health(version="9.9.9", now=NOW)
    [version] = report.versions
    assert version.status == "no-data"
    assert all(c.state == "no-data" for c in version.checks if c.type != "throughput")


def test_prometheus_errors_are_exit_4_with_its_own_text(prometheus: str, catalog: RepoBuilder,
                                                        cli: Cli):  # fmt: skip
    client = PrometheusClient(Connection(prometheus))
    with pytest.raises(SourceError, match="bad_data"):
        client.query("sum(", NOW)
    (catalog.path / "gitops-templates.yaml").write_text(
        f"metrics:\n  source: prometheus\n  prometheus: {{url: 'http://127.0.0.1:{free_port()}',"
        " timeout: 2s}\n"
    )
    result = cli("health", "check", code=4)
    assert "cannot reach Prometheus at http://127.0.0.1:" in result.stderr


def test_a_check_with_its_own_promql(catalog: RepoBuilder, prometheus: str):
    meta = catalog.path / "templates/web/template.yaml"
    meta.write_text(meta.read_text() + "    - {name: own, type: error_rate, critical: 0.5, query: "
                    "'sum(increase(gitops_template_uses_total{template=\"$template\","
                    "version=\"$version\",outcome=\"ok\"}[$window])) / 1000'}\n")  # fmt: skip
    (catalog.path / "gitops-templates.yaml").write_text(
        f"metrics:\n  source: prometheus\n  prometheus: {{url: '{prometheus}'}}\n"
    )
    report = Catalog(catalog.path).health(now=NOW)
    own = {v.version: next(c for c in v.checks if c.name == "own") for v in report.versions}
    assert own["1.0.0"].value == pytest.approx(1.08, rel=0.05)  # ~1080 ok uses in 10 minutes
    assert own["1.0.0"].state == "critical"
