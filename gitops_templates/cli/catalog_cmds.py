"""`init`, `new`, `validate`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from gitops_templates.cli._context import AppContext, json_option, pass_app
from gitops_templates.cli._output import (
    emit_json,
    emitted_json,
    note,
    out,
    show_notices,
    show_problems,
)

if TYPE_CHECKING:
    from gitops_templates.catalog.validation import ValidationReport


@click.command()
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@click.option("--github", is_flag=True, help="Also write GitHub workflows (PR checks, release).")
@click.option("--hooks", is_flag=True, help="Also install the commit-msg and pre-push hooks.")
@click.option(
    "--pre-commit", "pre_commit", is_flag=True, help="Also write .pre-commit-config.yaml."
)
@click.option("--action", metavar="OWNER/REPO@REF", help="The action the workflows use.")
@click.option("--release-pr", "release_pr", is_flag=True,
              help="With --github: release through a release pull request.")  # fmt: skip
@json_option
@pass_app
def init(
    app: AppContext,
    force: bool,
    github: bool,
    hooks: bool,
    pre_commit: bool,
    action: str | None,
    release_pr: bool,
    as_json: bool,
) -> None:
    """Write a commented default gitops-templates.yaml (and CI files, hooks)."""
    if release_pr and not github:
        raise click.UsageError("--release-pr writes GitHub workflows: add --github")
    result = app.catalog.init(force=force, github=github, pre_commit=pre_commit, action=action,
                              release_pr=release_pr)  # fmt: skip
    installed = app.catalog.install_hooks(force=force) if hooks else None
    if as_json:
        from gitops_templates.core.jsonform import to_json

        emit_json({**to_json(result), "hooks": to_json(installed.hooks) if installed else []})
        return
    for path in result.written:
        out(f"wrote {path}")
    for item in installed.hooks if installed else ():
        out(f"{item.action:9} {item.path}")


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
        emit_json(report)
    else:
        show_validation(report)
    ctx.exit(int(report.exit_code))


def show_validation(report: ValidationReport) -> None:
    """The human report of `validate`."""
    show_notices(report.notices)
    if report.problems:
        files = len({p.file for p in report.problems})
        note(
            f"{len(report.problems)} problem(s) in {files} file(s) ({len(report.checked)} checked):"
        )
        show_problems(report.problems)
    else:
        out(f"valid: {len(report.checked)} file(s) checked")
