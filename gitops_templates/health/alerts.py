"""Alerts: a version's status change, sent to the configured handlers.

An alert is sent when a version's status differs from its previous stored one (its
first evaluation counts as a change from healthy): transitions only, never every
evaluation, and the checks' `for` and `keep_firing_for` already keep states from
flapping. Handlers (`alerts:` in the config): `stdout` and `github` are printed by the
command; `webhook` POSTs the JSON (timeout, retries with backoff, a bearer token from an
environment variable, never printed); `command` gets the JSON on its standard input (no
shell). A webhook never follows a redirect and has a wall-clock deadline per attempt. A
failing handler is reported and never stops monitoring.
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from gitops_templates.health.check import VersionHealth

BACKOFF = 0.5  # seconds before the first retry, doubled each time


@dataclass(frozen=True, slots=True)
class Alert:
    """A version's status change."""

    json_fields: ClassVar[tuple[str, ...]] = ("template", "version", "previous", "status",
                                              "score", "at", "checks")  # fmt: skip

    template: str
    version: str
    previous: str
    status: str
    score: int | None
    at: float
    checks: tuple[dict[str, Any], ...]

    def payload(self) -> str:
        """The JSON a webhook or command receives."""
        from gitops_templates.core.jsonform import to_json

        return json.dumps(to_json(self), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Delivery:
    """One handler's outcome for one alert."""

    handler: str  # its type, and where for a webhook or command
    ok: bool
    detail: str = ""


def changes(versions: Sequence[VersionHealth], previous: Mapping[tuple[str, str], str],
            at: float) -> list[Alert]:  # fmt: skip
    """Alerts for the versions whose status differs from the previous one (healthy first)."""
    found = []
    for v in versions:
        if v.version is None:
            continue
        before = previous.get((v.template, v.version), "healthy")
        if before != v.status:
            checks = tuple({"name": c.name, "state": c.state, "value": c.value}
                           for c in v.checks)  # fmt: skip
            found.append(Alert(v.template, v.version, before, v.status, v.score, at, checks))
    return found


def deliver(alert: Alert, handler: Mapping[str, Any]) -> Delivery | None:
    """Send `alert` to one webhook or command handler (None: the command prints it).

    Whatever a handler does wrong is its failed delivery, never the monitor's error.
    """
    wanted = handler.get("statuses")
    if wanted and alert.status not in wanted:
        return None
    kind = handler["type"]
    try:
        if kind == "webhook":
            return _webhook(alert, handler)
        if kind == "command":
            return _command(alert, handler)
    except Exception as err:  # a handler's fault, whatever its class
        return Delivery(str(kind), False, f"{type(err).__name__}: {err}"[:300])
    return None


def _timeout(handler: Mapping[str, Any]) -> float:
    from gitops_templates.health.core.checks import parse_duration

    return parse_duration(handler.get("timeout", "10s"))


def _webhook(alert: Alert, handler: Mapping[str, Any]) -> Delivery:
    import os

    from gitops_templates.metrics.http import fetch
    from gitops_templates.metrics.http import shown as redacted

    shown = f"webhook {redacted(handler['url'])}"  # no user, password or query: secrets
    headers = {"Content-Type": "application/json"}
    token = os.environ.get(handler["token_env"]) if handler.get("token_env") else None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = alert.payload().encode()
    attempts = 1 + int(handler.get("retries", 3))
    why = ""
    for attempt in range(attempts):
        if attempt:
            time.sleep(BACKOFF * 2 ** (attempt - 1))
        try:
            request = urllib.request.Request(handler["url"], data=body, headers=headers)  # noqa: S310
            status, _ = fetch(request, _timeout(handler), 64 * 1024)
            return Delivery(shown, True, f"HTTP {status}")
        except urllib.error.HTTPError as err:
            why = f"HTTP {err.code} {err.reason}"
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as err:
            why = str(getattr(err, "reason", err))
    return Delivery(shown, False, f"{why} after {attempts} attempt(s)")


def _command(alert: Alert, handler: Mapping[str, Any]) -> Delivery:
    argv = [str(a) for a in handler["command"]]
    shown = f"command {argv[0]}"
    from gitops_templates.metrics.command import run

    try:
        done = run(argv, alert.payload(), _timeout(handler))
    except (OSError, subprocess.TimeoutExpired) as err:
        return Delivery(shown, False, str(err))
    if done.returncode != 0:
        return Delivery(shown, False, f"exit {done.returncode}: {done.stderr.strip()[:200]}")
    return Delivery(shown, True)
