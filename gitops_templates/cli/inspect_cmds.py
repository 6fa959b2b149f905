"""`history`, `show`, `stats`, `verify`."""

from __future__ import annotations

import time

import click

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
@click.argument("template_id", metavar="ID")
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
@click.argument("ref", metavar="ID[@VERSION]")
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


@click.command()
@click.argument("ids", nargs=-1, metavar="[ID]...")
@json_option
@pass_app
def stats(app: AppContext, ids: tuple[str, ...], as_json: bool) -> None:
    """Release cadence, bump mix and lead time (first commit -> tag)."""
    report = app.catalog.stats(ids)
    if emitted_json(report, as_json):
        return
    out(f"{'template':<24} {'releases':>8} {'cadence':>9} {'lead p50':>9} {'lead p90':>9}  mix")
    for c in report.components:
        mix = " ".join(f"{k}={v}" for k, v in c.mix.items() if v)
        lead = f"{_duration(c.lead_time.median):>9} {_duration(c.lead_time.p90):>9}"
        out(f"{c.id:<24} {c.releases:>8} {_duration(c.cadence.median):>9} {lead}  {mix}")


@click.command()
@click.argument("ids", nargs=-1, metavar="[ID]...")
@json_option
@pass_app
@click.pass_context
def verify(ctx: click.Context, app: AppContext, ids: tuple[str, ...], as_json: bool) -> None:
    """Recompute version tags' digests; check signatures and bumps."""
    report = app.catalog.verify(ids)
    if as_json:
        emit_json(report.to_dict())
    else:
        for check in report.checks:
            colour = {"ok": "green", "unverifiable": "yellow"}.get(check.status, "red")
            out(f"{click.style(check.status, fg=colour):<14} {check.tag}: {check.detail}")
        if not report.checks:
            out("no version tags to verify")
    ctx.exit(int(report.exit_code))
