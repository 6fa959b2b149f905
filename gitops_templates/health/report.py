"""Use-case `health report ID`: each version's latest state and its history, charted.

From the stored evaluations (`health check` and `health watch` store each one): per
version its latest status and score and the scores over time, and per check its values
over time. `markdown()` gives a job summary or docs page with a Mermaid chart per
version; the CLI draws Unicode sparklines in a terminal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from gitops_templates.core.jsonform import JsonDocument

if TYPE_CHECKING:
    from gitops_templates.catalog.workspace import Workspace

LIMIT = 60  # evaluations shown per version


@dataclass(frozen=True, slots=True)
class CheckSeries:
    """One check's stored values, oldest first."""

    name: str
    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True, slots=True)
class VersionHistory:
    """One version's stored verdicts, oldest first, and its checks."""

    json_fields: ClassVar[tuple[str, ...]] = ("version", "status", "score", "verdicts",
                                              "checks")  # fmt: skip

    version: str
    verdicts: tuple[tuple[float, str, int | None], ...]  # (time, status, score)
    checks: tuple[CheckSeries, ...]

    @property
    def status(self) -> str:
        """The latest status."""
        return self.verdicts[-1][1]

    @property
    def score(self) -> int | None:
        """The latest score."""
        return self.verdicts[-1][2]


@dataclass(frozen=True, slots=True)
class HealthHistory(JsonDocument):
    """A template's health over time."""

    json_fields: ClassVar[tuple[str, ...]] = ("schema_version", "template", "versions")

    template: str
    versions: tuple[VersionHistory, ...]

    def markdown(self) -> str:
        """Markdown: a table of the versions, then a score chart for each."""
        from gitops_templates.core.markdown import markdown_cell
        from gitops_templates.health.core.charts import mermaid_scores, time_labels

        lines = [f"### Health of {markdown_cell(self.template)}", ""]
        if not self.versions:
            return "\n".join([*lines, "No evaluation stored yet (run `health check`)."]) + "\n"
        lines += ["| version | status | score | evaluations |", "|---|---|---|---|"]
        lines += [f"| {markdown_cell(v.version)} | {v.status} | "
                  f"{v.score if v.score is not None else '-'} | {len(v.verdicts)} |"
                  for v in self.versions]  # fmt: skip
        for v in self.versions:
            labels = time_labels([t for t, _, _ in v.verdicts])
            chart = mermaid_scores(f"{self.template}@{v.version}", labels,
                                   [score for _, _, score in v.verdicts])  # fmt: skip
            lines += ["", chart] if chart else []
        return "\n".join(lines) + "\n"


def health_report(ws: Workspace, tid: str, *, limit: int = LIMIT) -> HealthHistory:
    """The stored health of template `tid`."""
    from gitops_templates.health.check import declared_checks
    from gitops_templates.metrics.sqlite import open_store

    with open_store(ws) as store:
        checks = declared_checks(ws, [tid]).get(tid, ())
        rows = store.verdict_history(tid, limit * 20)
        versions = sorted({version for _, version, _, _ in rows})
        found = []
        for version in versions:
            verdicts = [(t, status, score) for t, v, status, score in rows if v == version][-limit:]
            series = tuple(CheckSeries(c.name, tuple(store.history(tid, version, c.name, limit)))
                           for c in checks)  # fmt: skip
            found.append(VersionHistory(version, tuple(verdicts), series))
    return HealthHistory(tid, tuple(found))
