"""`hook commit-msg FILE`: entry points git hooks call (arguments as git gives them)."""

from __future__ import annotations

from pathlib import Path

import click

from gitops_templates.cli._context import AppContext, json_option, pass_app
from gitops_templates.cli._output import emit_json, note


@click.group()
def hook() -> None:
    """Git hook entry points (installed by `hooks install`)."""


@hook.command("commit-msg")
@click.argument("message_file", metavar="FILE", type=click.Path(dir_okay=False))
@json_option
@pass_app
@click.pass_context
def commit_msg(ctx: click.Context, app: AppContext, message_file: str, as_json: bool) -> None:
    """Lint a commit message file (Conventional Commits, near-misses, template names)."""
    report = app.catalog.lint_commit_message(Path(message_file))
    if as_json:
        emit_json(report.to_dict())
    else:
        for issue in report.issues:
            colour = "red" if issue.level == "error" else "yellow"
            note(f"{click.style(issue.level, fg=colour)}: line {issue.line}: {issue.message} "
                 f"[{issue.rule}]" + (f"\n  hint: {issue.hint}" if issue.hint else ""))  # fmt: skip
        if report.exit_code:
            note("commit aborted; the message is kept in .git/COMMIT_EDITMSG")
    ctx.exit(int(report.exit_code))
