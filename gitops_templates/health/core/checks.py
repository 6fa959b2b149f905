"""Health checks as `template.yaml` declares them under `health:`. Pure.

    health:
      checks:
        - {name: errors, type: error_rate, warning: 0.02, critical: 0.05, window: 15m,
           for: 5m, min_samples: 50}
        - {name: p95, type: latency, quantile: 0.95, warning: 500, critical: 2000}

Types: `availability` (successes / events; lower is worse), `error_rate` (errors /
events; higher is worse), `latency` (a quantile of the latencies in ms; higher is worse),
`throughput` (events per minute; lower is worse). `window` is the span of events one
evaluation reads; `for` how long a breach must last before it counts (Prometheus'
`for:`); `keep_firing_for` how long it keeps counting after it clears (hysteresis);
`min_samples` the events below which the check has no data (not throughput: there few
events is the signal); `weight` its share of the score. The catalog config's
`health.defaults` fill what a check leaves out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

TYPES = ("availability", "error_rate", "latency", "throughput")
LOWER_IS_WORSE = frozenset({"availability", "throughput"})
DEFAULTS: dict[str, Any] = {"window": "15m", "for": "0s", "keep_firing_for": "0s",
                            "min_samples": 10, "weight": 1.0}  # fmt: skip
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


@dataclass(frozen=True, slots=True)
class Check:
    """One declared check with every default applied; durations in seconds."""

    name: str
    type: str
    warning: float | None
    critical: float | None
    window: float
    for_: float = 0.0
    keep_firing_for: float = 0.0
    min_samples: int = 10
    weight: float = 1.0
    quantile: float = 0.95  # latency only
    query: str | None = None  # PromQL for the Prometheus source ($template, $version, $window)

    @property
    def lower_is_worse(self) -> bool:
        """Availability and throughput breach below their thresholds."""
        return self.type in LOWER_IS_WORSE

    def breaches(self, value: float, threshold: float | None) -> bool:
        """Whether `value` is at or past `threshold` in the bad direction."""
        if threshold is None:
            return False
        return value <= threshold if self.lower_is_worse else value >= threshold


def parse_duration(text: Any) -> float:
    """`90s`, `15m`, `1h30m`, `2d`, or a number of seconds; `ValueError` otherwise."""
    if isinstance(text, int | float) and not isinstance(text, bool) and text >= 0:
        return float(text)
    if not isinstance(text, str) or not text:
        raise ValueError(f"{text!r} is not a duration (e.g. 90s, 15m, 1h30m)")
    parts = _DURATION.findall(text)
    if "".join(n + u for n, u in parts) != text:
        raise ValueError(f"{text!r} is not a duration (e.g. 90s, 15m, 1h30m)")
    return sum(float(n) * _UNITS[u] for n, u in parts)


def parse_checks(declared: Any, defaults: Mapping[str, Any] | None = None) -> tuple[Check, ...]:
    """The checks of a `health:` mapping (validated against the schema already)."""
    if not isinstance(declared, dict):
        return ()
    base = {**DEFAULTS, **(defaults or {})}
    return tuple(_check({**base, **entry}) for entry in declared.get("checks") or ()
                 if isinstance(entry, dict))  # fmt: skip


def _check(entry: Mapping[str, Any]) -> Check:
    return Check(
        name=str(entry["name"]),
        type=str(entry["type"]),
        warning=_number(entry.get("warning")),
        critical=_number(entry.get("critical")),
        window=parse_duration(entry["window"]),
        for_=parse_duration(entry["for"]),
        keep_firing_for=parse_duration(entry["keep_firing_for"]),
        min_samples=int(entry["min_samples"]),
        weight=float(entry["weight"]),
        quantile=float(entry.get("quantile", 0.95)),
        query=entry.get("query") if isinstance(entry.get("query"), str) else None,
    )


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
