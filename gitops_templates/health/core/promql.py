"""The PromQL that measures a check, from the metric and label names in the config. Pure.

The executors of rendered templates export (names configurable under
`metrics.prometheus`):

    gitops_template_uses_total{template, version, outcome="ok"|"error"}   counter
    gitops_template_latency_ms_bucket{template, version, le}                histogram

over a window `w`, evaluated at one moment:

    events        sum(increase(uses{template, version}[w]))
    errors        sum(increase(uses{template, version, outcome="error"}[w]))
    latency       histogram_quantile(q, sum by (le) (increase(latency_bucket{...}[w])))
    versions      sum by (version) (increase(uses{template}[w])) > 0

`measure` puts what one check needs (events, and errors or the latency) in one query,
each part labelled `gtpl_part`, so one `query_range` request gives every moment of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping


USES, LATENCY = "gitops_template_uses_total", "gitops_template_latency_ms"


@dataclass(frozen=True, slots=True)
class Names:
    """Metric and label names (`metrics.prometheus`)."""

    uses: str = USES
    latency: str = LATENCY
    labels: Mapping[str, str] = field(default_factory=dict)

    def label(self, role: str) -> str:
        """The label name for `template`, `version` or `outcome`."""
        return self.labels.get(role, role)


def escape(value: str) -> str:
    """A label value inside PromQL double quotes."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def selector(names: Names, metric: str, **roles: str) -> str:
    """`metric{label="value", ...}` with the configured label names."""
    inner = ",".join(f'{names.label(role)}="{escape(value)}"' for role, value in roles.items())
    return f"{metric}{{{inner}}}"


def span(seconds: float) -> str:
    """A PromQL range in whole seconds (at least 1s)."""
    return f"{max(1, round(seconds))}s"


def events(names: Names, template: str, version: str, window: float) -> str:
    """How many uses in the window."""
    uses = selector(names, names.uses, template=template, version=version)
    return f"sum(increase({uses}[{span(window)}]))"


def errors(names: Names, template: str, version: str, window: float) -> str:
    """How many failed uses in the window."""
    uses = selector(names, names.uses, template=template, version=version, outcome="error")
    return f"sum(increase({uses}[{span(window)}]))"


def latency(names: Names, template: str, version: str, window: float, q: float) -> str:
    """The `q` quantile of the latency histogram over the window."""
    bucket = selector(names, f"{names.latency}_bucket", template=template, version=version)
    return f"histogram_quantile({q}, sum by (le) (increase({bucket}[{span(window)}])))"


PART = "gtpl_part"


def measure(names: Names, kind: str, template: str, version: str, window: float,
            q: float = 0.95) -> str:  # fmt: skip
    """The events, and the errors (ratios) or the latency quantile, as labelled series."""
    parts = {"events": events(names, template, version, window)}
    if kind == "latency":
        parts["latency"] = latency(names, template, version, window, q)
    elif kind != "throughput":
        parts["errors"] = errors(names, template, version, window)
    return " or ".join(f'label_replace({query}, "{PART}", "{part}", "", "")'
                       for part, query in parts.items())  # fmt: skip


def versions(names: Names, template: str, window: float) -> str:
    """The versions of a template with uses in the window, one series each."""
    uses = selector(names, names.uses, template=template)
    return f"sum by ({names.label('version')}) (increase({uses}[{span(window)}])) > 0"


def custom(query: str, template: str, version: str, window: float) -> str:
    """A check's own PromQL with `$template`, `$version` (escaped) and `$window` filled in."""
    return (query.replace("$template", escape(template)).replace("$version", escape(version))
            .replace("$window", span(window)))  # fmt: skip
