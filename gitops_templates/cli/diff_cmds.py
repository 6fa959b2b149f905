"""`diff`: compatibility findings and files changed between two versions of a template."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import click

from gitops_templates.cli._complete import template_ids
from gitops_templates.cli._context import AppContext, json_option, pass_app
from gitops_templates.cli._output import emit_json, out

if TYPE_CHECKING:
    from gitops_templates.compat.check import CompatibilityReport

_COLOURS = {"breaking": "red", "minor": "yellow", "patch": "cyan", "none": "green"}
_LEVELS = ("breaking", "minor", "patch")


@click.command()
@click.argument("template_id", metavar="ID", required=False, shell_complete=template_ids)
@click.argument("old", metavar="[A]", required=False)
@click.argument("new", metavar="[B]", required=False)
@click.option(
    "--profile",
    type=click.Choice(["template", "strict", "lenient"]),
    help="Override the compatibility profile.",
)
@click.option(
    "--fail-on",
    type=click.Choice(_LEVELS),
    help="Exit 6 when the change is at least this level (for CI).",
)
@click.option("--rules", "list_rules", is_flag=True, help="List every rule and exit.")
@json_option
@pass_app
@click.pass_context
def diff(
    ctx: click.Context,
    app: AppContext,
    template_id: str | None,
    old: str | None,
    new: str | None,
    profile: str | None,
    fail_on: str | None,
    list_rules: bool,
    as_json: bool,
) -> None:
    """Classify what changed in a template between two versions.

    A defaults to the latest version, B to the work tree; each may be a version
    (1.2.0, ID@1.2.0) or any Git revision.
    """
    if list_rules:
        _show_rules(as_json)
        return
    if template_id is None:
        raise click.UsageError("missing argument ID")
    report = app.catalog.diff(template_id, old, new, profile=profile)
    level = report.level.compatibility
    if as_json:
        emit_json(report)
    else:
        colour = _COLOURS[level]
        out(
            f"{report.id}: {report.old} -> {report.new}: "
            + click.style(level, fg=colour, bold=True)
            + f"  (profile {report.profile})"
        )
        for f in report.findings:
            mark = " (waived)" if f.waived else ""
            cls = click.style(f"{f.level.compatibility:<8}", fg=_COLOURS[f.level.compatibility])
            out(f"  {cls} {f.severity:<4} {f.rule:<34} {f.pointer}{mark}\n           {f.message}")
            if f.counterexample is not None:
                value = json.dumps(f.counterexample.value, ensure_ascii=False)
                out(f"           counterexample ({f.counterexample.effect}): {value}")
        files = report.files
        for label, names in (
            ("added", files.added),
            ("removed", files.removed),
            ("modified", files.modified),
        ):
            if names:
                out(f"  files {label}: {', '.join(names)}")
        if report.proposed:
            _show_proposal(app, report)
    if fail_on and report.level >= _threshold(fail_on):
        ctx.exit(6)


def _show_proposal(app: AppContext, report: CompatibilityReport) -> None:
    """The migration no template.yaml declares yet, ready to paste."""
    version = report.new.rsplit("@", 1)[-1].removeprefix("v")
    if not version[:1].isdigit():  # the work tree or a revision: the version it would get
        states = app.catalog.status([report.id]).states
        upcoming = states[0].next if states else None
        version = str(upcoming.version) if upcoming else "NEXT-VERSION"
    out("  no migration carries consumers' values over these breaking changes; proposed:")
    text = report.proposal(version)
    out("".join(f"    {line}" for line in text.splitlines(keepends=True)), nl=False)


def _threshold(name: str) -> int:
    return {"breaking": 3, "minor": 2, "patch": 1}[name]


def _show_rules(as_json: bool) -> None:
    from gitops_templates.compat.core.rules import PROFILES, RULES

    if as_json:
        emit_json(
            {
                "rules": [
                    {
                        "id": r.id,
                        "area": r.area,
                        "summary": r.summary,
                        "class": {p: r.level(p).compatibility for p in PROFILES},
                        "level": {p: r.default_severity(p) for p in PROFILES},
                    }
                    for r in RULES.values()
                ]
            }
        )
        return
    for r in RULES.values():
        classes = "/".join(r.level(p).compatibility for p in PROFILES)
        out(f"{r.id:<36} {classes:<24} {r.summary}")
