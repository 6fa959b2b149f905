"""The click application: global options, lazily imported subcommands, error handling.

Subcommands are imported on demand (`LazyGroup`) so hooks and `--help` start fast.
Errors are handled once here: a `GitOpsTemplatesError` prints its message, problems and
hint on stderr and exits with its code; `--debug` shows the traceback instead.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

import click

from gitops_templates import __version__
from gitops_templates.cli._context import AppContext

COMMANDS = {
    "init": "gitops_templates.cli.catalog_cmds:init",
    "new": "gitops_templates.cli.catalog_cmds:new",
    "validate": "gitops_templates.cli.catalog_cmds:validate",
    "status": "gitops_templates.cli.version_cmds:status",
    "plan": "gitops_templates.cli.version_cmds:plan",
    "release": "gitops_templates.cli.version_cmds:release",
    "release-pr": "gitops_templates.cli.release_pr_cmds:release_pr",
    "history": "gitops_templates.cli.inspect_cmds:history",
    "show": "gitops_templates.cli.inspect_cmds:show",
    "stats": "gitops_templates.cli.inspect_cmds:stats",
    "verify": "gitops_templates.cli.inspect_cmds:verify",
    "release-notes": "gitops_templates.cli.inspect_cmds:release_notes",
    "diff": "gitops_templates.cli.diff_cmds:diff",
    "render": "gitops_templates.cli.render_cmds:render",
    "test": "gitops_templates.cli.testing_cmds:test",
    "shadow": "gitops_templates.cli.testing_cmds:shadow",
    "bench": "gitops_templates.cli.testing_cmds:bench",
    "migrate": "gitops_templates.cli.migration_cmds:migrate",
    "upgrade": "gitops_templates.cli.migration_cmds:upgrade",
    "check-update": "gitops_templates.cli.migration_cmds:check_update",
    "rollback": "gitops_templates.cli.rollback_cmds:rollback",
    "rollforward": "gitops_templates.cli.rollback_cmds:rollforward",
    "recover": "gitops_templates.cli.rollback_cmds:recover",
    "health": "gitops_templates.cli.health_cmds:health",
    "metrics": "gitops_templates.cli.health_cmds:metrics",
    "docs": "gitops_templates.cli.docs_cmds:docs",
    "lint-commits": "gitops_templates.cli.hook_cmds:lint_commits",
    "hooks": "gitops_templates.cli.hook_cmds:hooks",
    "hook": "gitops_templates.cli.hook_cmds:hook",
}

EPILOG = """\b
Exit codes: 0 ok, 1 failure, 2 usage, 3 invalid input, 4 Git state,
5 not found, 6 compatibility policy violated, 7 unhealthy."""


class LazyGroup(click.Group):
    """A group whose subcommands are imported when used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every subcommand name, in the order of the README's reference."""
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Import a subcommand's module on demand."""
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, attr = target.partition(":")
        command: click.Command = getattr(importlib.import_module(module), attr)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        """Run the subcommand; turn our errors into messages and exit codes."""
        from gitops_templates.errors import GitOpsTemplatesError

        try:
            return super().invoke(ctx)
        except GitOpsTemplatesError as err:
            app = ctx.find_object(AppContext)
            if app is not None and app.debug:
                raise
            from gitops_templates.cli._output import report_error

            report_error(err)
            ctx.exit(int(err.exit_code))


@click.group(
    cls=LazyGroup,
    epilog=EPILOG,
    # help as wide as the terminal (click stops at 80 columns by default)
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 160},
)
@click.option(
    "--repo",
    "repo_path",
    type=click.Path(file_okay=False),
    default=".",
    show_default=True,
    help="Catalog repository (any directory inside it).",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="Configuration file (default: gitops-templates.yaml at the repository root).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.option("--no-cache", is_flag=True, help="Ignore and do not write the parse cache.")
@click.version_option(__version__, prog_name="gitops-templates")
@click.pass_context
def main(
    ctx: click.Context,
    repo_path: str,
    config_path: str | None,
    debug: bool,
    no_cache: bool,
) -> None:
    """Git-native lifecycle for catalogs of Jinja2 templates.

    Versions are annotated tags `<id>@<semver>`, changelogs come from Conventional
    Commits, releases are atomic and idempotent.
    """
    ctx.obj = AppContext(repo_path, config_path, debug=debug, use_cache=not no_cache)
    if os.environ.get("NO_COLOR"):  # https://no-color.org: any non-empty value
        ctx.color = False
