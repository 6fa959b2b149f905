"""Health over time as text: Unicode sparklines for terminals, Mermaid charts for Markdown. Pure."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float | None], low: float | None = None,
              high: float | None = None) -> str:  # fmt: skip
    """One character a value, scaled to [low, high] (their own range by default).

    A missing value is a space.
    """
    known = [v for v in values if v is not None]
    if not known:
        return " " * len(values)
    bottom = min(known) if low is None else low
    top = max(known) if high is None else high
    span = top - bottom
    out = []
    for value in values:
        if value is None:
            out.append(" ")
            continue
        place = 0.0 if span <= 0 else (min(max(value, bottom), top) - bottom) / span
        out.append(BARS[min(len(BARS) - 1, int(place * len(BARS)))])
    return "".join(out)


def time_labels(times: Sequence[float]) -> list[str]:
    """Unique UTC labels for moments, as short as that allows.

    `11-30 13:05`; with seconds when two moments share a minute; and `#2`, `#3` after
    moments that share a second (a chart's categories must differ, or points merge).
    """
    labels: list[str] = []
    for form in ("%m-%d %H:%M", "%m-%d %H:%M:%S"):
        labels = [datetime.fromtimestamp(t, tz=UTC).strftime(form) for t in times]
        if len(set(labels)) == len(labels):
            return labels
    seen: dict[str, int] = {}
    for i, label in enumerate(labels):
        seen[label] = seen.get(label, 0) + 1
        labels[i] = label if seen[label] == 1 else f"{label} #{seen[label]}"
    return labels


def mermaid_scores(title: str, labels: Sequence[str], scores: Sequence[int | None]) -> str:
    """A Mermaid `xychart-beta` of scores (0-100) over time; missing scores left out."""
    points = [(label, score) for label, score in zip(labels, scores, strict=True)
              if score is not None]  # fmt: skip
    if not points:
        return ""
    axis = ", ".join(f'"{_safe(label)}"' for label, _ in points)
    line = ", ".join(str(score) for _, score in points)
    return "\n".join([
        "```mermaid", "xychart-beta", f'    title "{_safe(title)}"', f"    x-axis [{axis}]",
        '    y-axis "score" 0 --> 100', f"    line [{line}]", "```",
    ])  # fmt: skip


def _safe(text: str) -> str:
    """Text inside a Mermaid string: no quotes, brackets, backticks or control characters."""
    return "".join(c for c in text if c not in '"[]`<>' and c.isprintable()).strip()[:80]
