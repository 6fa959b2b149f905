"""`migrate plan`, `upgrade` and `check-update`: consumers' values across versions."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from gitops_templates.cli._complete import template_ids, versions
from gitops_templates.cli._context import AppContext, json_option, pass_app
from gitops_templates.cli._output import emit_json, note, out, show_problems

if TYPE_CHECKING:
    from gitops_templates.api import Catalog
    from gitops_templates.migrations.check_update import InstanceUpdate
    from gitops_templates.migrations.core.paths import MigrationPath, Step
    from gitops_templates.migrations.upgrade import InstanceUpgrade

catalog_option = click.option(
    "--catalog",
    "catalog_spec",
    metavar="PATH_OR_URL",
    help="The catalog: a local path or a URL git can clone (cached); default: --repo.",
)


def _catalog(app: AppContext, spec: str | None) -> Catalog:
    if spec is None:
        return app.catalog
    from gitops_templates.api import Catalog
    from gitops_templates.catalog.remote import catalog_notices
    from gitops_templates.cli._output import show_notices

    catalog = Catalog.open(spec, use_cache=app.use_cache)
    show_notices(catalog_notices(catalog.workspace))  # e.g. a fetch failed: the cached copy
    return catalog


@click.group()
def migrate() -> None:
    """Migrations of consumers' values between template versions."""


@migrate.command("plan")
@click.argument("template_id", metavar="ID", shell_complete=template_ids)
@click.option("--from", "source", required=True, metavar="VERSION", help="The version now.",
              shell_complete=versions)  # fmt: skip
@click.option("--to", "target", required=True, metavar="VERSION", shell_complete=versions,
              help="The version to reach (or `latest`); lower goes down.")  # fmt: skip
@catalog_option
@json_option
@pass_app
def plan(
    app: AppContext,
    template_id: str,
    source: str,
    target: str,
    catalog_spec: str | None,
    as_json: bool,
) -> None:
    """The ordered migrations from one version to another, lossy steps flagged.

    Up: every migration with FROM < version <= TO. Down: their inverses, newest first.
    Migrations of yanked versions are skipped with a note.
    """
    path = _catalog(app, catalog_spec).migrate_plan(template_id, source, target)
    if as_json:
        emit_json(path)
        return
    _show_path(path)


def _show_path(path: MigrationPath) -> None:
    lossy = " (lossy)" if path.lossy else ""
    out(
        f"{path.template} {path.source} -> {path.target}: {len(path.steps)} migration(s), "
        f"{path.direction}{lossy}"
    )
    for step in path.steps:
        _show_step(step)
    for text in path.notes:
        out(f"  note: {text}")


def _show_step(step: Step, indent: str = "  ") -> None:
    arrow = "up to" if step.direction == "up" else "down from"
    title = f": {step.description}" if step.description else ""
    out(f"{indent}{arrow} {step.version}{title}")
    for operation in step.operations:
        out(f"{indent}  - {operation.describe()}")
    for text in step.lost:
        out(f"{indent}  ! cannot undo: {text}")


@click.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option(
    "--to",
    metavar="VERSION|latest",
    help="Where to go (default: the highest version the pin allows).",
)
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--allow-lossy", is_flag=True, help="Go down through steps that lose values.")
@click.option("--no-diff", "no_diff", is_flag=True, help="Skip the value and output diffs.")
@catalog_option
@json_option
@pass_app
@click.pass_context
def upgrade(
    ctx: click.Context,
    app: AppContext,
    files: tuple[str, ...],
    to: str | None,
    dry_run: bool,
    allow_lossy: bool,
    no_diff: bool,
    catalog_spec: str | None,
    as_json: bool,
) -> None:
    """Upgrade instance files: migrate their values, check them, update the pin.

    Comments, key order and quoting are kept; each file is written in one rename, and
    a file whose migrated values do not validate stays byte-identical.
    """
    report = _catalog(app, catalog_spec).upgrade(
        files, to=to, dry_run=dry_run, allow_lossy=allow_lossy, diffs=not no_diff
    )
    if as_json:
        emit_json(report)
    else:
        for instance in report.instances:
            _show_upgrade(instance)
        counts = ", ".join(f"{n} {status}" for status, n in report.summary.items())
        note(f"{len(report.instances)} file(s): {counts}")
    ctx.exit(int(report.exit_code))


def _show_upgrade(instance: InstanceUpgrade) -> None:
    if instance.status == "failed":
        out(f"{instance.file}: FAILED {instance.message}")
        show_problems(instance.problems)
        return
    if instance.status == "current":
        out(f"{instance.file}: {instance.template} {instance.pin} is current")
        return
    verb = "would upgrade" if instance.status == "planned" else "upgraded"
    out(f"{instance.file}: {verb} {instance.template} {instance.pin} -> {instance.new_pin}")
    for step in instance.steps:
        _show_step(step, "    ")
    for text in (*instance.notes, *(f"dropped {d}" for d in instance.dropped)):
        out(f"    note: {text}")
    for diff in (instance.values_diff, instance.output_diff):
        if diff:
            out("".join(f"    {line}" for line in diff.splitlines(keepends=True)), nl=False)


@click.command("check-update")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--exit-code", "exit_code", is_flag=True, help="Exit 1 when any update exists.")
@catalog_option
@json_option
@pass_app
@click.pass_context
def check_update(
    ctx: click.Context,
    app: AppContext,
    files: tuple[str, ...],
    exit_code: bool,
    catalog_spec: str | None,
    as_json: bool,
) -> None:
    """Which update each instance file can take: kind, breaking changes, migrations."""
    report = _catalog(app, catalog_spec).check_update(files)
    if as_json:
        emit_json(report)
    else:
        for instance in report.instances:
            _show_update(instance)
        note(f"{len(report.instances)} file(s): {report.updates} with an update")
    if report.exit_code:
        ctx.exit(int(report.exit_code))
    ctx.exit(1 if exit_code and report.updates else 0)


def _show_update(instance: InstanceUpdate) -> None:
    if instance.update == "error":
        out(f"{instance.file}: ERROR {instance.message}")
        show_problems(instance.problems)
        return
    if instance.update == "none":
        now = f" ({instance.current})" if instance.current else ""
        out(f"{instance.file}: {instance.template} {instance.pin} is up to date{now}")
    else:
        within = " (the pin allows it)" if instance.within_pin else ""
        start = instance.current or instance.pin
        out(f"{instance.file}: {instance.template} {start} -> {instance.latest} "
            f"({instance.update}){within}")  # fmt: skip
    for finding in instance.breaking:
        out(f"    breaking: {finding.message} [{finding.rule}]")
    for step in instance.migrations:
        _show_step(step, "    ")
    for text in instance.notes:
        out(f"    note: {text}")
