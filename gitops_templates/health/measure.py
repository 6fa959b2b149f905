"""A check measured from the metrics store: its value over its window, and the events.

availability  successes / events        error_rate  errors / events
throughput    events a minute            latency     the nearest-rank quantile (ms)
"""

from __future__ import annotations

import math
from bisect import bisect_right
from itertools import accumulate
from typing import TYPE_CHECKING, Any, Protocol

from gitops_templates.health.core import promql
from gitops_templates.health.core.evaluate import Measurement

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.health.core.checks import Check
    from gitops_templates.metrics.prometheus import PrometheusClient
    from gitops_templates.metrics.sqlite import MetricsStore


class Source(Protocol):
    """Where measurements come from."""

    def versions(self, template: str, since: float, now: float) -> list[str]:
        """Versions of `template` used between `since` and `now`."""

    def prepare(self, template: str, version: str, since: float, until: float) -> None:
        """What the next `series` calls read: the events of one version in (since, until]."""

    def series(
        self, check: Check, template: str, version: str, times: Sequence[float]
    ) -> list[Measurement]:
        """The check at each of `times` (in order)."""


class _Events:
    """A version's events in (since, until], by time, read once for all its checks."""

    def __init__(self, key: tuple[str, str, float, float],
                 rows: list[tuple[float, int, float | None]]) -> None:  # fmt: skip
        self.key = key
        self.rows = rows
        self.stamps = [r[0] for r in rows]
        self._failed: list[int] | None = None

    def covers(self, template: str, version: str, since: float, until: float) -> bool:
        """Whether these are the events of that version in a span holding (since, until]."""
        t, v, start, end = self.key
        return (t, v) == (template, version) and start <= since and until <= end

    @property
    def failed(self) -> list[int]:
        """Failed events before each row (prefix sums): a window's errors in two lookups."""
        if self._failed is None:
            self._failed = list(accumulate((1 - r[1] for r in self.rows), initial=0))
        return self._failed


class SqliteSource:
    """The embedded store."""

    def __init__(self, store: MetricsStore) -> None:
        self.store = store
        self._read: _Events | None = None

    def versions(self, template: str, since: float, now: float) -> list[str]:
        """Versions with events in [since, now]."""
        return self.store.versions(template, since)

    def prepare(self, template: str, version: str, since: float, until: float) -> None:
        """Read the version's events in (since, until] now, once for all its checks."""
        rows = self.store.events_between(template, version, since, until)
        self._read = _Events((template, version, since, until), rows)

    def series(
        self, check: Check, template: str, version: str, times: Sequence[float]
    ) -> list[Measurement]:
        """Every moment from one read of the events they reach (overlapping windows).

        A check with its own PromQL `query` has no data here (it needs Prometheus).
        """
        if check.query is not None:
            return [Measurement(at, None, 0) for at in times]
        since, until = min(times) - check.window, max(times)
        read = self._read
        if read is None or not read.covers(template, version, since, until):
            read = _Events((template, version, since, until),
                           self.store.events_between(template, version, since, until))  # fmt: skip
        found = []
        failed = read.failed if check.type != "latency" else []
        for at in times:
            lo, hi = bisect_right(read.stamps, at - check.window), bisect_right(read.stamps, at)
            if check.type == "latency":
                found.append(_quantile(at, [r[2] for r in read.rows[lo:hi]], check.quantile))
            else:
                found.append(_ratio(check, at, hi - lo, failed[hi] - failed[lo]))
        return found


class PrometheusSource:
    """Prometheus' HTTP API, with the configured metric and label names."""

    def __init__(self, client: PrometheusClient, names: promql.Names) -> None:
        self.client = client
        self.names = names

    def prepare(self, template: str, version: str, since: float, until: float) -> None:
        """Nothing: each check is one range query."""

    def versions(self, template: str, since: float, now: float) -> list[str]:
        """Versions with uses in [since, now]."""
        found = self.client.query(promql.versions(self.names, template, now - since), now)
        label = self.names.label("version")
        return sorted({labels[label] for labels, _ in found if labels.get(label)})

    def series(
        self, check: Check, template: str, version: str, times: Sequence[float]
    ) -> list[Measurement]:
        """Every moment from one range query (the first to the last of `times`, evenly spaced).

        A check's own `query` gives its value (data when it answers).
        """
        nothing: list[float | None] = [None] * len(times)
        if check.query is not None:
            own = promql.custom(check.query, template, version, check.window)
            values = next(iter(self._range(own, times).values()), nothing)
            return [Measurement(at, value, check.min_samples if value is not None else 0)
                    for at, value in zip(times, values, strict=True)]  # fmt: skip
        query = promql.measure(self.names, check.type, template, version, check.window,
                               check.quantile)  # fmt: skip
        parts = self._range(query, times)
        return [_measured(check, at, *point) for at, *point in
                zip(times, parts.get("events", nothing), parts.get("errors", nothing),
                    parts.get("latency", nothing), strict=True)]  # fmt: skip

    def _range(self, query: str, times: Sequence[float]) -> dict[str, list[float | None]]:
        """Each part's finite value at each of `times` (None where it has none).

        A part is one sum: its first series.
        """
        start = times[0]
        step = (times[-1] - start) / (len(times) - 1) if len(times) > 1 else 1.0
        found: dict[str, list[float | None]] = {}
        for labels, points in self.client.query_range(query, start, times[-1], step):
            values: list[float | None] = [None] * len(times)
            for t, value in points:
                k = round((t - start) / step)
                if 0 <= k < len(times) and abs(start + k * step - t) < 0.002:
                    values[k] = _finite(value)
            found.setdefault(labels.get(promql.PART, ""), values)
        return found


def _measured(check: Check, at: float, count: float | None, failed: float | None,
              latency: float | None) -> Measurement:  # fmt: skip
    """One moment of a check from its parts (see the module); no events, no value.

    Throughput is the exception: no events (or no series) is 0 a minute.
    """
    if count is None or count <= 0:  # no series in the window: no uses
        return Measurement(at, 0.0 if check.type == "throughput" else None, 0)
    samples = round(count)
    if check.type == "throughput":
        return Measurement(at, count / (check.window / 60), samples)
    if check.type == "latency":
        return Measurement(at, latency, samples if latency is not None else 0)
    ratio = min(1.0, max(0.0, (failed or 0.0) / count))
    return Measurement(at, ratio if check.type == "error_rate" else 1 - ratio, samples)


class CommandSource:
    """A configured command answers (see `metrics/command.py` and the README)."""

    def __init__(self, argv: list[str], timeout: float) -> None:
        self.argv = argv
        self.timeout = timeout

    def prepare(self, template: str, version: str, since: float, until: float) -> None:
        """Nothing: the command is asked once a check."""

    def versions(self, template: str, since: float, now: float) -> list[str]:
        """The versions the command says are in use."""
        from gitops_templates.metrics.command import ask

        found = ask(self.argv, {"template": template, "since": since, "now": now},
                    self.timeout).get("versions")  # fmt: skip
        return sorted({str(v) for v in found}) if isinstance(found, list) else []

    def series(
        self, check: Check, template: str, version: str, times: Sequence[float]
    ) -> list[Measurement]:
        """One question for all the moments.

        The answer holds, under the check's name, a list of {value, samples} (one a
        moment), or one object for the last moment only (the earlier have no data).
        """
        from gitops_templates.metrics.command import ask

        question = {"template": template, "version": version, "times": list(times),
                    "check": {"name": check.name, "type": check.type, "window": check.window,
                              "quantile": check.quantile}}  # fmt: skip
        answer = ask(self.argv, question, self.timeout).get(check.name)
        points = answer if isinstance(answer, list) else [None] * (len(times) - 1) + [answer]
        return [_answered(at, point) for at, point in zip(times, points, strict=False)] + [
            Measurement(at, None, 0) for at in times[len(points):]]  # fmt: skip


def _answered(at: float, point: Any) -> Measurement:
    """One answered moment; anything but a finite value and a sane count is no data."""
    value = point.get("value") if isinstance(point, dict) else None
    samples = point.get("samples", 0) if isinstance(point, dict) else 0
    number = _finite(value)
    if number is None or not isinstance(samples, int) or not 0 <= samples < 2**53:
        return Measurement(at, None, 0)
    return Measurement(at, number, samples)


def _finite(value: Any) -> float | None:
    """A finite, non-negative number, or None (NaN, infinities, huge ints, strings)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


def open_source(ws: Workspace, store: MetricsStore) -> Source:
    """The configured source (`metrics.source`): the store, or Prometheus."""
    settings = ws.settings.health
    if settings.source == "command":
        from gitops_templates.errors import ConfigError
        from gitops_templates.health.core.checks import parse_duration

        if not settings.command:
            raise ConfigError(
                "metrics.source is command, but metrics.command is not set",
                hint="metrics: {source: command, command: [my-metrics, --json]}",
            )
        return CommandSource(list(settings.command), parse_duration(settings.command_timeout))
    if settings.source != "prometheus":
        return SqliteSource(store)
    if "url" not in settings.prometheus:
        from gitops_templates.errors import ConfigError

        raise ConfigError(
            "metrics.source is prometheus, but metrics.prometheus.url is not set",
            hint="add metrics: {prometheus: {url: http://prometheus:9090}}",
        )
    from gitops_templates.metrics.prometheus import Connection, PrometheusClient

    return PrometheusSource(PrometheusClient(_connection(settings.prometheus, Connection)),
                            _names(settings.prometheus))  # fmt: skip


def _connection(data: Mapping[str, Any], cls: Any) -> Any:
    from gitops_templates.health.core.checks import parse_duration

    return cls(url=str(data["url"]), timeout=parse_duration(data.get("timeout", "10s")),
               token_env=data.get("token_env"), username_env=data.get("username_env"),
               password_env=data.get("password_env"))  # fmt: skip


def _names(data: Mapping[str, Any]) -> promql.Names:
    return promql.Names(uses=str(data.get("uses_metric", promql.USES)),
                        latency=str(data.get("latency_metric", promql.LATENCY)),
                        labels=dict(data.get("labels", {})))  # fmt: skip


def _ratio(check: Check, at: float, count: int, errors: int) -> Measurement:
    """Availability, error rate or throughput from the events in one window."""
    if not count:
        return Measurement(at, 0.0 if check.type == "throughput" else None, 0)
    value = {"error_rate": errors / count, "availability": 1 - errors / count,
             "throughput": count / (check.window / 60)}[check.type]  # fmt: skip
    return Measurement(at, value, count)


def _quantile(at: float, latencies: list[float | None], q: float) -> Measurement:
    """The nearest-rank `q` quantile of the latencies in one window."""
    known = sorted(v for v in latencies if v is not None)
    if not known:
        return Measurement(at, None, 0)
    return Measurement(at, known[max(1, math.ceil(q * len(known))) - 1], len(known))
