"""`metrics record|import|prune` and `health check`."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

import click

from gitops_templates.cli._context import AppContext, json_option, pass_app
from gitops_templates.cli._output import emit_json, note, out

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from gitops_templates.health.check import HealthReport, VersionHealth
    from gitops_templates.health.report import HealthHistory
    from gitops_templates.health.watch import Evaluation

_COLOURS = {"healthy": "green", "degraded": "yellow", "critical": "red", "no-data": "blue"}


def _plain(text: object) -> str:
    """Untrusted names (from events) without control characters: no terminal escapes."""
    return "".join(c if c.isprintable() else "?" for c in str(text))


@click.group()
def metrics() -> None:
    """Events of the template versions in use (SQLite, `metrics.path`)."""


@metrics.command("record")
@click.argument("template_id", metavar="ID")
@click.argument("version")
@click.option("--ok/--error", "ok", required=True, help="The use succeeded, or failed.")
@click.option("--latency", type=click.FloatRange(min=0), metavar="MS", help="How long it took.")
@click.option("--instance", metavar="NAME", help="Which instance (optional).")
@click.option("--time", "when", metavar="ISO", help="When (ISO 8601 with a zone; default now).")
@json_option
@pass_app
def record(app: AppContext, template_id: str, version: str, ok: bool, latency: float | None,
           instance: str | None, when: str | None, as_json: bool) -> None:  # fmt: skip
    """Store one use of a template version."""
    result = app.catalog.record_event(template_id, version, ok=ok, latency_ms=latency,
                                      instance=instance, time=when)  # fmt: skip
    if as_json:
        emit_json(result)
    else:
        note(f"stored 1 event in {result.database}")


@metrics.command("import")
@click.argument("file", type=click.Path(dir_okay=False, exists=True))
@json_option
@pass_app
def import_(app: AppContext, file: str, as_json: bool) -> None:
    """Stream a JSONL file (or CSV with a header) of events into the database.

    Fields: time, template, version, ok, latency_ms, instance. Written in batches, each
    in one transaction; a bad line stops the import with its line number.
    """
    result = app.catalog.import_metrics(file)
    if as_json:
        emit_json(result)
    else:
        note(f"stored {result.stored} event(s) in {result.database}")


@metrics.command("prune")
@click.option("--older-than", required=True, metavar="DURATION",
              help="Delete events older than this (e.g. 30d).")  # fmt: skip
@json_option
@pass_app
def prune(app: AppContext, older_than: str, as_json: bool) -> None:
    """Delete old events and evaluations (retention)."""
    from gitops_templates.health.core.checks import parse_duration

    try:
        seconds = parse_duration(older_than)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--older-than") from None
    result = app.catalog.prune_metrics(seconds)
    if as_json:
        emit_json(result)
    else:
        note(f"deleted {result.deleted} event(s) older than {older_than}")


@click.group()
def health() -> None:
    """Health of the template versions in use, from their checks in template.yaml."""


@health.command("check")
@click.argument("ids", nargs=-1, metavar="[ID]...")
@click.option("--version", metavar="VERSION", help="Check this version (default: every in use).")
@click.option("--auto-rollback", "after", type=click.IntRange(1, 1000), metavar="N",
              help="Roll back a current version critical in its last N evaluations.")  # fmt: skip
@click.option("--push", is_flag=True, help="With --auto-rollback: push the rollback.")
@json_option
@pass_app
@click.pass_context
def check(ctx: click.Context, app: AppContext, ids: tuple[str, ...], version: str | None,
          after: int | None, push: bool, as_json: bool) -> None:  # fmt: skip
    """Evaluate each check, score each version 0-100; exit 7 when one is critical."""
    report = app.catalog.health(ids, version=version, auto_rollback=after, push=push)
    if as_json:
        emit_json(report)
    else:
        show_health(report)
    _in_actions(report)
    ctx.exit(int(report.exit_code))


def _in_actions(report: HealthReport) -> None:
    """Run straight in a workflow: annotations and a job summary, as the action gives."""
    import os

    if os.environ.get("GITHUB_ACTIONS") != "true":
        return
    from gitops_templates.cli._github import Annotations, add_summary
    from gitops_templates.cli.action_report import annotate, summary

    notes = Annotations()
    annotate(notes, report, None)
    notes.close()
    try:
        add_summary(summary("health check", int(report.exit_code), report, None))
    except OSError as err:  # the summary is a courtesy: never the reason a run fails
        note(f"warning: cannot write the job summary ({err.strerror})")


def show_health(report: HealthReport) -> None:
    """The human report of `health check`."""
    if not report.versions:
        note("no template declares health checks (`health: checks:` in template.yaml)")
    for item in report.versions:
        _show_version(item)
    for done in report.recoveries:
        colour = {"rolled-back": "yellow", "failed": "red"}.get(done.action)
        tag = f" ({done.tag})" if done.tag else ""
        out(click.style(f"auto-rollback {done.template}@{_plain(done.version)}: {done.action}{tag}",
                        fg=colour, bold=True) + f"  {done.detail}")  # fmt: skip


def _show_version(item: VersionHealth) -> None:
    label = (f"{_plain(item.template)}@{_plain(item.version)}" if item.version
             else f"{_plain(item.template)} (no events)")  # fmt: skip
    score = f"score {item.score}" if item.score is not None else "no score"
    out(click.style(f"{label}: {item.status}", fg=_COLOURS[item.status], bold=True)
        + f"  {score}, coverage {item.coverage:.0%}")  # fmt: skip
    for c in item.checks:
        value = "no data" if c.value is None else f"{c.value:.4g}"
        bounds = (("warning", c.warning), ("critical", c.critical))
        limits = " / ".join(f"{k} {v:g}" for k, v in bounds if v is not None)
        pending = f" (pending {c.level})" if c.pending else ""
        out(f"  {c.name:<16} {c.state:<9}{pending} {value} over {c.samples} event(s); {limits}")
    for t in item.trends:
        if t.worsening:
            eta = f", critical in ~{t.hours_to_critical:g} h" if t.hours_to_critical else ""
            out(f"  {t.check}: getting worse ({t.slope_per_hour:+.4g} an hour{eta})")


@health.command("report")
@click.argument("template_id", metavar="ID")
@click.option("--markdown", is_flag=True, help="Markdown with a Mermaid chart (job summaries).")
@json_option
@pass_app
def report(app: AppContext, template_id: str, markdown: bool, as_json: bool) -> None:
    """A template's stored health: each version's latest state and history, charted."""
    history = app.catalog.health_report(template_id)
    if as_json:
        emit_json(history)
    elif markdown:
        out(history.markdown(), nl=False)
    else:
        show_history(history)


def show_history(history: HealthHistory) -> None:
    """Each version with sparklines of its score and of each check."""
    from gitops_templates.health.core.charts import sparkline

    if not history.versions:
        note(f"no evaluation of {history.template} stored yet: run `gitops-templates health check`")
    for v in history.versions:
        scores = sparkline([score for _, _, score in v.verdicts], 0, 100)
        shown = v.score if v.score is not None else "-"
        head = f"{history.template}@{_plain(v.version)}: {v.status}"
        out(click.style(head, fg=_COLOURS[v.status], bold=True) + f"  score {shown}  {scores}")
        for series in v.checks:
            values = [value for _, value in series.points]
            last = f"{values[-1]:.4g}" if values else "no data"
            out(f"  {series.name:<16} {last:>10}  {sparkline(values)}")


@health.command("watch")
@click.argument("ids", nargs=-1, metavar="[ID]...")
@click.option("--interval", default="60s", show_default=True, metavar="DURATION",
              help="Time between evaluations.")  # fmt: skip
@click.option("--iterations", type=click.IntRange(min=1), metavar="N",
              help="Stop after N evaluations (default: until interrupted).")  # fmt: skip
@click.option("--auto-rollback", "after", type=click.IntRange(1, 1000), metavar="N",
              help="Roll back a current version critical in its last N evaluations.")  # fmt: skip
@click.option("--push", is_flag=True, help="With --auto-rollback: push the rollback.")
@json_option
@pass_app
def watch(app: AppContext, ids: tuple[str, ...], interval: str, iterations: int | None,
          after: int | None, push: bool, as_json: bool) -> None:  # fmt: skip
    """Check health continuously; alert on status changes (`alerts:` in the config).

    Every evaluation is stored. Ctrl-C stops it cleanly.
    """
    from gitops_templates.health.core.checks import parse_duration

    try:
        seconds = parse_duration(interval)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="--interval") from None
    if not 0 <= seconds <= 86400:
        raise click.BadParameter("at most a day (86400 s)", param_hint="--interval")
    handlers = app.catalog.workspace.settings.health.alerts
    show = _json_evaluation if as_json else partial(_show_evaluation, handlers=handlers)
    try:
        done = app.catalog.health_watch(ids, interval=seconds, iterations=iterations,
                                        on_evaluation=show, auto_rollback=after,
                                        push=push)  # fmt: skip
    except KeyboardInterrupt:
        note("stopped")
        return
    note(f"{done} evaluation(s)")


def _json_evaluation(evaluation: Evaluation) -> None:
    import json

    from gitops_templates.core.jsonform import to_json

    out(json.dumps(to_json(evaluation), ensure_ascii=False))


def _show_evaluation(evaluation: Evaluation, handlers: Sequence[Mapping[str, Any]]) -> None:
    from datetime import UTC, datetime

    report = evaluation.report
    stamp = datetime.fromtimestamp(report.checked_at, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")
    summary = ", ".join(f"{v.template}@{_plain(v.version)} {v.status}" for v in report.versions
                        if v.version) or "no version in use"  # fmt: skip
    out(f"{stamp}  {report.status}: {summary}")
    kinds = {h["type"] for h in handlers} or {"stdout"}
    for alert in evaluation.alerts:
        line = (f"{alert.template}@{_plain(alert.version)}: {alert.previous} -> {alert.status}"
                f" (score {alert.score if alert.score is not None else '-'})")  # fmt: skip
        if "stdout" in kinds:
            out(click.style(f"ALERT {line}", fg=_COLOURS.get(alert.status), bold=True))
        if "github" in kinds:
            _annotate(alert.status, line)
    for delivery in evaluation.deliveries:
        if not delivery.ok:
            note(f"alert handler {delivery.handler} failed: {delivery.detail}")
    for done in report.recoveries:
        out(f"auto-rollback {done.template}@{done.version}: {done.action}  {done.detail}")


def _annotate(status: str, line: str) -> None:
    from gitops_templates.cli._github import Annotations

    notes = Annotations()
    notes.add("error" if status == "critical" else "warning", line, title="health")
    notes.close()
