"""`init`, `new`, `validate`."""

from __future__ import annotations

import click

from gitops_templates.cli._context import AppContext, json_option, pass_app
from gitops_templates.cli._output import emit_json, emitted_json, note, out, show_problems


@click.command()
@click.option("--force", is_flag=True, help="Overwrite an existing configuration.")
@json_option
@pass_app
def init(app: AppContext, force: bool, as_json: bool) -> None:
    """Write a commented default gitops-templates.yaml."""
    result = app.catalog.init(force=force)
    if emitted_json(result, as_json):
        return
    for path in result.written:
        out(f"wrote {path}")


@click.command()
@click.argument("template_id", metavar="ID")
@json_option
@pass_app
def new(app: AppContext, template_id: str, as_json: bool) -> None:
    """Scaffold templates/ID/ with metadata, a body and an example."""
    result = app.catalog.new(template_id)
    if emitted_json(result, as_json):
        return
    for path in result.written:
        out(f"wrote {path}")
    note(f"next: edit the files, then `gitops-templates validate {template_id}`")


@click.command()
@click.argument("ids", nargs=-1, metavar="[ID]...")
@json_option
@pass_app
@click.pass_context
def validate(ctx: click.Context, app: AppContext, ids: tuple[str, ...], as_json: bool) -> None:
    """Check config, template.yaml files and examples against their schemas."""
    report = app.catalog.validate(ids)
    if as_json:
        emit_json(report.to_dict())
    elif report.problems:
        note(f"{len(report.problems)} problem(s) in {len(report.checked)} file(s):")
        show_problems(report.problems)
    else:
        out(f"valid: {len(report.checked)} file(s) checked")
    ctx.exit(int(report.exit_code))
