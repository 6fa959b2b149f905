"""The Prometheus client's credentials against a local HTTP server that checks them.

The real server (tests/metrics/test_prometheus.py) runs without authentication; here a
server on 127.0.0.1 answers Prometheus' API only with the expected header, and records
what each request carried.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import ClassVar

import pytest

from tests.conftest import Cli
from tests.helpers import RepoBuilder, serving

CHECKS = """\
health:
  checks:
    - {name: errors, type: error_rate, warning: 0.02, critical: 0.05, window: 10m, for: 1m}
"""


class _Prometheus(BaseHTTPRequestHandler):
    expected: ClassVar[str] = ""
    seen: ClassVar[list[tuple[str, str]]] = []

    def do_GET(self) -> None:
        header = self.headers.get("Authorization", "")
        _Prometheus.seen.append((self.path.split("?")[0], header))
        if header != _Prometheus.expected:
            return self._answer(401, {"status": "error", "errorType": "unauthorized",
                                      "error": "no valid credentials"})  # fmt: skip
        data: dict[str, object]
        if self.path.startswith("/api/v1/query_range"):
            data = {"resultType": "matrix", "result": []}
        else:
            data = {"resultType": "vector", "result": [{"metric": {"version": "1.0.0"},
                                                        "value": [1, "5"]}]}  # fmt: skip
        return self._answer(200, {"status": "success", "data": data})

    def _answer(self, code: int, body: dict[str, object]) -> None:
        text = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        self.wfile.write(text)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Prometheus.seen, _Prometheus.expected = [], ""
    with serving(_Prometheus) as url:
        yield url


@pytest.fixture
def catalog(repo: RepoBuilder) -> RepoBuilder:
    repo.template("web", more=CHECKS)
    repo.commit("feat(web): first")
    return repo


def configure(repo: RepoBuilder, url: str, auth: str = "") -> None:
    repo.write({"gitops-templates.yaml": f"metrics:\n  source: prometheus\n"
                f"  prometheus: {{url: '{url}'{auth}}}\n"})  # fmt: skip


def test_the_bearer_token_and_basic_auth_are_sent(catalog: RepoBuilder, cli: Cli, server: str,
                                                  monkeypatch: pytest.MonkeyPatch):  # fmt: skip
    configure(catalog, server, ", token_env: PROM_TOKEN")
    monkeypatch.setenv("PROM_TOKEN", "t0ken")
    _Prometheus.expected = "Bearer t0ken"
    result = cli("health", "check")
    assert "web@1.0.0: no-data" in result.stdout
    assert {path for path, _ in _Prometheus.seen} == {"/api/v1/query", "/api/v1/query_range"}
    assert {header for _, header in _Prometheus.seen} == {"Bearer t0ken"}
    assert "t0ken" not in result.stdout + result.stderr
    configure(catalog, server, ", username_env: PROM_USER, password_env: PROM_PASSWORD")
    monkeypatch.setenv("PROM_USER", "ops")
    monkeypatch.setenv("PROM_PASSWORD", "pw")
    _Prometheus.expected = "Basic b3BzOnB3"  # ops:pw
    cli("health", "check")


def test_refused_credentials_get_a_hint_about_credentials(catalog: RepoBuilder, cli: Cli,
                                                          server: str):  # fmt: skip
    _Prometheus.expected = "Bearer right"
    configure(catalog, server)
    result = cli("health", "check", code=4)
    assert "Prometheus refused" in result.stderr
    assert "unauthorized: no valid credentials" in result.stderr
    assert "metrics.prometheus.token_env" in result.stderr
    assert "label names" not in result.stderr
    configure(catalog, server, ", token_env: PROM_TOKEN")
    assert "set PROM_TOKEN" in cli("health", "check", code=4).stderr


def test_a_password_in_the_url_is_refused_unshown(catalog: RepoBuilder, cli: Cli, server: str):
    configure(catalog, server.replace("http://", "http://ops:s3cret@"))
    result = cli("health", "check", code=3)
    assert "holds a user name or password" in result.stderr
    assert "username_env" in result.stderr
    assert "s3cret" not in result.stdout + result.stderr
    assert _Prometheus.seen == []
