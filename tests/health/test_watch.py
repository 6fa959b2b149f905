"""`health watch`: evaluations over time, alerts on changes only, handlers that fail."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ClassVar

import pytest

from gitops_templates import Catalog
from gitops_templates.health.watch import Evaluation, watch
from tests.conftest import Cli
from tests.health.test_health_check import CHECKS, NOW, events
from tests.helpers import RepoBuilder, serving


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, object]]] = []
    headers_seen: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append(json.loads(body))
        _Hook.headers_seen.append(self.headers.get("Authorization", ""))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[str]:
    _Hook.received, _Hook.headers_seen = [], []
    with serving(_Hook) as url:
        yield f"{url}/hook?secret=q"


@pytest.fixture
def watched(repo: RepoBuilder, webhook: str, tmp_path: Path) -> RepoBuilder:
    repo.template("web", more=CHECKS)
    sink = tmp_path / "command.jsonl"
    script = f"import sys; open({str(sink)!r}, 'a').write(sys.stdin.read())"
    repo.write({"gitops-templates.yaml": f"""\
        alerts:
          - {{type: stdout}}
          - {{type: webhook, url: '{webhook}', token_env: HOOK_TOKEN, retries: 0}}
          - {{type: webhook, url: 'http://127.0.0.1:9/down', retries: 1, timeout: 1s}}
          - {{type: command, command: ['{sys.executable}', '-c', "{script}"], statuses: [critical]}}
        """})  # fmt: skip
    repo.commit("feat(web): watched")
    return repo


def test_alerts_fire_on_changes_only_and_a_failing_handler_does_not_stop_it(
    watched: RepoBuilder, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("HOOK_TOKEN", "s3cret")
    feed = tmp_path / "events.jsonl"
    events(feed, "1.0.0", errors_from=300, rate=0.1)
    cli("metrics", "import", str(feed))
    times = iter([NOW - 300, NOW - 250, NOW + 300, NOW + 301])
    seen: list[Evaluation] = []
    count = watch(Catalog(watched.path).workspace, interval=60, iterations=4,
                  on_evaluation=seen.append, sleep=lambda _: None, clock=lambda: next(times))  # fmt: skip
    assert count == 4
    statuses = [e.report.versions[0].status for e in seen]
    assert statuses == ["healthy", "healthy", "critical", "critical"]
    assert [len(e.alerts) for e in seen] == [0, 0, 1, 0]  # a change, once
    [alert] = seen[2].alerts
    assert (alert.previous, alert.status) == ("healthy", "critical")
    assert [d.ok for d in seen[2].deliveries] == [True, False, True]
    down = seen[2].deliveries[1]
    assert "after 2 attempt(s)" in down.detail
    assert "secret" not in down.handler + down.detail
    assert _Hook.received[0]["status"] == "critical"
    assert _Hook.headers_seen == ["Bearer s3cret"]
    sent = (tmp_path / "command.jsonl").read_text().splitlines()
    assert json.loads(sent[0])["template"] == "web"


def test_the_cli_watches_prints_alerts_and_stops_on_ctrl_c(watched: RepoBuilder, cli: Cli,
                                                           monkeypatch: pytest.MonkeyPatch):  # fmt: skip
    result = cli("health", "watch", "--interval", "0s", "--iterations", "2")
    assert "no version in use" in result.stdout
    assert "2 evaluation(s)" in result.stderr
    from gitops_templates.health import watch as module

    def interrupted(*_: object, **__: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(module, "watch", interrupted)
    assert "stopped" in cli("health", "watch").stderr
    assert "--interval" in cli("health", "watch", "--interval", "soon", code=2).stderr


def test_a_no_data_policy_alerts_once_not_every_evaluation(repo: RepoBuilder, cli: Cli):
    import time

    repo.template("web", more=CHECKS)
    repo.write({"gitops-templates.yaml": "health: {no_data: critical}\n"})
    repo.commit("feat(web): watched without data")
    catalog = Catalog(repo.path)
    for i in range(5):  # under min_samples: no data, shown as critical by the policy
        catalog.record_event("web", "1.0.0", ok=True, latency_ms=10, time=time.time() - 10 * i)
    result = cli("health", "watch", "web", "--interval", "0s", "--iterations", "3")
    alerts = [line for line in result.stdout.splitlines() if line.startswith("ALERT")]
    assert alerts == ["ALERT web@1.0.0: healthy -> critical (score -)"]


def test_a_real_sigint_stops_the_watch_cleanly(watched: RepoBuilder):
    import os
    import signal
    import subprocess

    child = subprocess.Popen(
        [sys.executable, "-m", "gitops_templates", "--repo", str(watched.path), "health",
         "watch", "--interval", "30s"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    assert child.stdout is not None
    first = child.stdout.readline()  # the first evaluation: now it sleeps until the next
    assert "no version in use" in first
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=30)
    assert child.returncode == 0, err
    assert "stopped" in err
    assert "Traceback" not in err
    assert "evaluation(s)" not in err  # it did not wait out the interval
