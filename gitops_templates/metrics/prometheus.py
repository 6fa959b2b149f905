"""Prometheus' HTTP API: `/api/v1/query` and `/api/v1/query_range`, nothing else.

Only the URL the config names is contacted (no redirect followed), within its timeout;
a bearer token or basic auth comes from environment variables the config names, and is
never printed, nor is the URL's user, password or query. Thanos
and Mimir serve the same API. An unreachable server and a refused query (with
Prometheus' own error text) are `SourceError`, exit 4.
"""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from gitops_templates.errors import ExitCode, GitOpsTemplatesError
from gitops_templates.metrics.http import shown

MAX_ANSWER = 16 * 1024 * 1024  # bytes of one answer
Series = tuple[dict[str, str], list[tuple[float, float]]]  # labels, (time, value) points


class SourceError(GitOpsTemplatesError):
    """The metrics source could not answer."""

    exit_code = ExitCode.GIT_STATE


@dataclass(frozen=True, slots=True)
class Connection:
    """Where Prometheus is and how to authenticate (names of environment variables)."""

    url: str
    timeout: float = 10.0
    token_env: str | None = None
    username_env: str | None = None
    password_env: str | None = None


class PrometheusClient:
    """Instant and range queries against one Prometheus-compatible server."""

    def __init__(self, connection: Connection) -> None:
        try:
            userinfo = "@" in urllib.parse.urlsplit(connection.url).netloc
        except ValueError:
            userinfo = False  # refused as unreachable when used, with the reason
        if userinfo:
            from gitops_templates.errors import ConfigError

            raise ConfigError(
                f"metrics.prometheus.url {shown(connection.url)} holds a user name or password,"
                " and the config file is committed",
                hint="remove them from the URL; name the environment variables that hold them "
                "with metrics.prometheus.username_env and password_env (or token_env)",
            )
        self.connection = connection

    def query(self, promql: str, at: float) -> list[tuple[dict[str, str], float]]:
        """The result vector at `at`: (labels, value) per series (NaN kept)."""
        params = urllib.parse.urlencode({"query": promql, "time": f"{at:.3f}"})
        body = self._get(f"{self.connection.url.rstrip('/')}/api/v1/query?{params}", promql)
        data = body.get("data") if isinstance(body, dict) else None
        try:
            if not isinstance(data, dict) or data.get("resultType") not in ("vector", "scalar"):
                raise TypeError(data)
            if data["resultType"] == "scalar":
                return [({}, float(data["result"][1]))]
            return [(dict(r.get("metric") or {}), float(r["value"][1])) for r in data["result"]]
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            raise SourceError(f"Prometheus did not answer {promql!r} with a vector") from None

    def query_range(self, promql: str, start: float, end: float, step: float) -> list[Series]:
        """The result matrix from `start` to `end` every `step` s: (labels, points) a series."""
        params = urllib.parse.urlencode({"query": promql, "start": f"{start:.3f}",
                                         "end": f"{end:.3f}", "step": f"{step:.3f}"})  # fmt: skip
        body = self._get(f"{self.connection.url.rstrip('/')}/api/v1/query_range?{params}", promql)
        data = body.get("data") if isinstance(body, dict) else None
        try:
            if not isinstance(data, dict) or data.get("resultType") != "matrix":
                raise TypeError(data)
            return [(dict(r.get("metric") or {}), [(float(t), float(v)) for t, v in r["values"]])
                    for r in data["result"]]  # fmt: skip
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            raise SourceError(f"Prometheus did not answer {promql!r} with a matrix") from None

    def _get(self, url: str, promql: str) -> Any:
        from gitops_templates.metrics.http import fetch

        where = shown(self.connection.url)
        try:
            request = urllib.request.Request(url, headers=self._headers())  # noqa: S310 (configured)
            return json.loads(fetch(request, self.connection.timeout, MAX_ANSWER)[1])
        except urllib.error.HTTPError as err:
            hint = (self._auth_hint() if err.code in (401, 403)
                    else "check the metric and label names under metrics.prometheus")  # fmt: skip
            raise SourceError(f"Prometheus refused {promql!r}: {_error_text(err)}",
                              hint=hint) from None  # fmt: skip
        except (urllib.error.URLError, TimeoutError, OSError) as err:
            reason = getattr(err, "reason", err)
            hint = "check metrics.prometheus.url, and that the server is up"
            raise SourceError(f"cannot reach Prometheus at {where}: {reason}",
                              hint=hint) from None  # fmt: skip
        except (ValueError, RecursionError):
            raise SourceError(f"Prometheus at {where} did not answer JSON") from None

    def _auth_hint(self) -> str:
        """What to check when the server refused the credentials (never their values)."""
        c = self.connection
        named = [n for n in (c.token_env, c.username_env, c.password_env) if n]
        if not named:
            return (
                "the server wants credentials: name the environment variables holding "
                "them as metrics.prometheus.token_env (or username_env, password_env)"
            )
        unset = [n for n in named if not os.environ.get(n)]
        if unset:
            return f"set {', '.join(unset)} (named under metrics.prometheus) in the environment"
        return f"the server refused the credentials in {', '.join(named)}: check them"

    def _headers(self) -> dict[str, str]:
        c = self.connection
        token = os.environ.get(c.token_env) if c.token_env else None
        if token:
            return {"Authorization": f"Bearer {token}"}
        user = os.environ.get(c.username_env) if c.username_env else None
        if user is not None:
            secret = os.environ.get(c.password_env or "", "")
            pair = base64.b64encode(f"{user}:{secret}".encode()).decode("ascii")
            return {"Authorization": f"Basic {pair}"}
        return {}


def _error_text(err: urllib.error.HTTPError) -> str:
    """Prometheus' own `errorType: error` from an error answer, or the HTTP status."""
    try:
        body = json.loads(err.read(1024 * 1024))
        return f"{body.get('errorType', err.code)}: {body.get('error', err.reason)}"
    except (ValueError, AttributeError, OSError):
        return f"HTTP {err.code} {err.reason}"
