"""`history`, `show`, `stats`, `verify`."""

from __future__ import annotations

import time

import click

from gitops_templates.cli._complete import template_ids, template_refs
from gitops_templates.cli._context import AppContext, json_option, pass_app
from gitops_templates.cli._output import emit_json, emitted_json, out


def _day(stamp: int | None) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(stamp)) if stamp else "?"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds >= 86400:
        return f"{seconds / 86400:.1f}d"
    return f"{seconds / 3600:.1f}h"


@click.command()
@click.argument("template_id", metavar="ID", shell_complete=template_ids)
@json_option
@pass_app
def history(app: AppContext, template_id: str, as_json: bool) -> None:
    """Every version of a template, highest first."""
    report = app.catalog.history(template_id)
    if emitted_json(report, as_json):
        return
    if not report.versions:
        out(f"{report.id}: no versions yet")
    for v in report.versions:
        flags = (("yanked", v.yanked), ("unreachable", not v.reachable),
                 ("lightweight", not v.annotated), ("signed", v.signed))  # fmt: skip
        marks = [m for m, on in flags if on]
        if v.rollback:
            marks.append(f"rollback of {v.rollback['of']} to {v.rollback['to']}: "
                         f"{v.rollback['reason']}")  # fmt: skip
        if v.rollforward:
            marks.append(f"roll-forward of {v.rollforward['of']}")
        extra = f"  [{', '.join(marks)}]" if marks else ""
        compat = f"  {v.compatibility}" if v.compatibility else ""
        out(f"{v.version:<16} {_day(v.time)}  {v.commit[:7]}  {v.tag}{compat}{extra}")


@click.command()
@click.argument("ref", metavar="ID[@VERSION]", shell_complete=template_refs)
@json_option
@pass_app
def show(app: AppContext, ref: str, as_json: bool) -> None:
    """One version: tag, commit, digest, changelog and files."""
    detail = app.catalog.show(ref)
    if emitted_json(detail, as_json):
        return
    info = detail.info
    out(click.style(f"{info.tag}", bold=True) + f"  ({_day(info.time)}, commit {info.commit[:12]})")
    if detail.metadata.get("name"):
        out(f"name: {detail.metadata['name']}")
    out(f"compatibility: {info.compatibility or '-'}   signed: {'yes' if info.signed else 'no'}")
    out(f"digest: {info.digest or '-'}\ntree:   {info.tree or '-'}")
    if info.changelog:
        out("\n" + info.changelog.strip())
    out("\nfiles:\n" + "\n".join(f"  {f}" for f in detail.files))


@click.command("release-notes")
@click.argument("ref", metavar="ID@VERSION", shell_complete=template_refs)
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown",
              show_default=True, help="Markdown (gh release --notes-file) or JSON.")  # fmt: skip
@json_option
@pass_app
def release_notes(app: AppContext, ref: str, fmt: str, as_json: bool) -> None:
    """A version's release notes, from its tag message (`ID@VERSION` or the tag name)."""
    notes = app.catalog.release_notes(ref)
    if emitted_json(notes, as_json or fmt == "json"):
        return
    out(notes.notes, nl=False)


def _since(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    """`YYYY-MM-DD` (UTC) or a span back from now: `30d`, `12w`, `48h`."""
    if value is None:
        return None
    import calendar
    import re

    span = re.fullmatch(r"(\d+)([hdw])", value)
    if span:
        seconds = int(span[1]) * {"h": 3600, "d": 86400, "w": 604800}[span[2]]
        return int(time.time()) - seconds
    try:
        return calendar.timegm(time.strptime(value, "%Y-%m-%d"))
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD or a span such as 30d, 12w, 48h") from None


@click.command()
@click.argument("ids", nargs=-1, metavar="[ID]...")
@click.option("--since", callback=_since, metavar="DATE|SPAN",
              help="Rollback figures from this date (YYYY-MM-DD) or span back (30d).")  # fmt: skip
@json_option
@pass_app
def stats(app: AppContext, ids: tuple[str, ...], since: int | None, as_json: bool) -> None:
    """Release cadence, bump mix, lead time (first commit -> tag) and rollbacks."""
    report = app.catalog.stats(ids, since=since)
    if emitted_json(report, as_json):
        return
    out(f"{'template':<24} {'releases':>8} {'cadence':>9} {'lead p50':>9} {'lead p90':>9}  mix")
    for c in report.components:
        mix = " ".join(f"{k}={v}" for k, v in c.mix.items() if v)
        lead = f"{_duration(c.lead_time.median):>9} {_duration(c.lead_time.p90):>9}"
        out(f"{c.id:<24} {c.releases:>8} {_duration(c.cadence.median):>9} {lead}  {mix}")
    failing = [c for c in report.components if c.rollbacks.rollbacks]
    if failing:
        out(
            f"\n{'template':<24} {'rollbacks':>9} {'CFR':>6} {'TTR p50':>9} {'TTR p90':>9}  reasons"
        )
    for c in failing:
        r = c.rollbacks
        cfr = f"{r.change_failure_rate:.0%}" if r.change_failure_rate is not None else "-"
        ttr = f"{_duration(r.time_to_restore.median):>9} {_duration(r.time_to_restore.p90):>9}"
        reasons = ", ".join(f"{k} ({v})" for k, v in r.by_reason.items())
        out(f"{c.id:<24} {r.rollbacks:>9} {cfr:>6} {ttr}  {reasons}")


@click.command()
@click.argument("ids", nargs=-1, metavar="[ID]...")
@json_option
@pass_app
@click.pass_context
def verify(ctx: click.Context, app: AppContext, ids: tuple[str, ...], as_json: bool) -> None:
    """Recompute version tags' digests; check signatures and bumps."""
    report = app.catalog.verify(ids)
    if as_json:
        emit_json(report)
    else:
        for check in report.checks:
            colour = {"ok": "green", "unverifiable": "yellow"}.get(check.status, "red")
            out(f"{click.style(check.status, fg=colour):<14} {check.tag}: {check.detail}")
        if not report.checks:
            out("no version tags to verify")
    ctx.exit(int(report.exit_code))
