"""`docs`: per-template READMEs and the catalog index, or a static HTML site."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from gitops_templates.cli._context import AppContext, json_option, pass_app
from gitops_templates.cli._output import emit_json, note, out, show_problems

if TYPE_CHECKING:
    from gitops_templates.docs.generate import DocsResult


@click.command()
@click.argument("ids", nargs=-1, metavar="[ID]...")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 with a diff if stale.")
@click.option(
    "--format", "fmt", type=click.Choice(["markdown", "html"]), default="markdown",
    show_default=True, help="READMEs + index, or a static site (docs.site_dir).",
)  # fmt: skip
@click.option("--strict/--no-strict", default=None,
              help="Fail on parameters without a description (default: docs.strict).")  # fmt: skip
@json_option
@pass_app
@click.pass_context
def docs(
    ctx: click.Context,
    app: AppContext,
    ids: tuple[str, ...],
    check: bool,
    fmt: str,
    strict: bool | None,
    as_json: bool,
) -> None:
    """Render template docs from metadata and tag history (all: plus the index)."""
    result = app.catalog.docs(ids, check=check, fmt=fmt, strict=strict)
    if as_json:
        emit_json(result)
    else:
        show_docs(result)
    ctx.exit(int(result.exit_code))


def show_docs(result: DocsResult) -> None:
    """The human report of `docs`."""
    check, fmt = result.check, result.format
    for item in result.files:
        if item.status == "stale":
            out(item.diff.rstrip("\n"))
        elif item.status == "written" or not check:
            note(f"{item.status:9} {item.path}")
    if result.problems:
        note(f"{len(result.problems)} parameter(s) without a description:")
        show_problems(result.problems)
    if check and result.stale:
        note(f"{len(result.stale)} file(s) out of date: run `gitops-templates docs"
             f"{' --format html' if fmt == 'html' else ''}` and commit the result")  # fmt: skip
    elif check:
        note(f"docs up to date ({len(result.files)} file(s))")
