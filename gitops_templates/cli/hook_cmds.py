"""`hook commit-msg|pre-push|pre-receive` (as git calls them) and `hooks install`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from gitops_templates.cli._context import AppContext, json_option, pass_app
from gitops_templates.cli._hooktext import commit_msg_lines, lint_lines, push_lines
from gitops_templates.cli._output import emit_json, note, out

if TYPE_CHECKING:
    from gitops_templates.hooks.handlers import RangeLint
    from gitops_templates.hooks.pushcheck import PushReport


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
        emit_json(report)
    else:
        for line in commit_msg_lines(report):
            note(line)
    ctx.exit(int(report.exit_code))


@hook.command("pre-push")
@click.argument("remote")
@click.argument("url")
@json_option
@pass_app
@click.pass_context
def pre_push(ctx: click.Context, app: AppContext, remote: str, url: str, as_json: bool) -> None:
    """Check refs about to be pushed (stdin: `<local-ref> <oid> <remote-ref> <oid>` lines).

    Refuses deleting or moving version tags, version tags without a matching digest,
    templates that do not validate and undeclared breaking changes.
    """
    _verdict(ctx, app.catalog.check_pre_push(remote, sys.stdin.read()), as_json)


@hook.command("pre-receive")
@json_option
@pass_app
@click.pass_context
def pre_receive(ctx: click.Context, app: AppContext, as_json: bool) -> None:
    """Server side: check a push before any ref moves (stdin: `<old> <new> <ref>` lines)."""
    _verdict(ctx, app.catalog.check_pre_receive(sys.stdin.read()), as_json)


def _verdict(ctx: click.Context, report: PushReport, as_json: bool) -> None:
    if as_json:
        emit_json(report)
    for line in push_lines(report):
        note(line)
    ctx.exit(int(report.exit_code))


@click.command("lint-commits")
@click.argument("rev_range", metavar="BASE..HEAD")
@json_option
@pass_app
@click.pass_context
def lint_commits(ctx: click.Context, app: AppContext, rev_range: str, as_json: bool) -> None:
    """Lint the message of every commit in a range (pull request checks)."""
    report = app.catalog.lint_commits(rev_range)
    if as_json:
        emit_json(report)
    else:
        show_range_lint(report)
    ctx.exit(int(report.exit_code))


def show_range_lint(report: RangeLint) -> None:
    """The human report of `lint-commits`."""
    for commit in report.commits:
        if commit.lint.issues:
            note(f"{commit.sha[:12]} {commit.subject}")
            for line in lint_lines(commit.lint):
                note(f"  {line}")
    failed = sum(1 for commit in report.commits if not commit.lint.ok)
    note(f"{len(report.commits)} commit(s) checked, {failed} with errors")


@click.group()
def hooks() -> None:
    """Install the git hooks."""


@hooks.command("install")
@click.option("--server", is_flag=True, help="Install pre-receive (for a bare repository).")
@click.option(
    "--force", is_flag=True, help="Keep foreign hooks as <hook>.pre-gitops-templates, run first."
)
@json_option
@pass_app
def install(app: AppContext, server: bool, force: bool, as_json: bool) -> None:
    """Install commit-msg and pre-push hooks (honours core.hooksPath)."""
    result = app.catalog.install_hooks(server=server, force=force)
    if as_json:
        emit_json(result)
        return
    for item in result.hooks:
        out(f"{item.action:9} {item.path}")
