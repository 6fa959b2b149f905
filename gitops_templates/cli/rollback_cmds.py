"""`rollback`, `rollforward`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from gitops_templates.cli._complete import template_ids, versions
from gitops_templates.cli._context import AppContext, json_option, pass_app
from gitops_templates.cli._output import emit_json, note, out, show_notices

if TYPE_CHECKING:
    from gitops_templates.rollback.checks import Check
    from gitops_templates.rollback.execute import RestoreResult
    from gitops_templates.rollback.restore_plan import RestorePlan

dry_run_option = click.option(
    "--dry-run", is_flag=True, help="Print the plan and the checks; change nothing."
)
push_option = click.option(
    "--push", is_flag=True, help="Push the commit and the tag with `git push --atomic`."
)
remote_option = click.option("--remote", default="origin", show_default=True, help="Remote.")

_COLOURS = {"passed": "green", "warning": "yellow", "skipped": "yellow", "planned": "cyan"}


@click.command()
@click.argument("cid", metavar="ID", shell_complete=template_ids)
@click.option("--to", "to", required=True, metavar="VERSION", help="Version to restore.",
              shell_complete=versions)  # fmt: skip
@click.option("--reason", default="", help="Why (recorded in a trailer and yanked.yaml).")
@click.option("--version", "version", metavar="X.Y.Z", help="New version (default: patch bump).")
@click.option("--emergency", is_flag=True, help="Skip slow checks (never the safety ones).")
@click.option("--abort-rollout", is_flag=True, help="Abort a rollout of ID in the same commit.")
@dry_run_option
@push_option
@remote_option
@json_option
@pass_app
def rollback(
    app: AppContext,
    cid: str,
    to: str,
    reason: str,
    version: str | None,
    emergency: bool,
    abort_rollout: bool,
    dry_run: bool,
    push: bool,
    remote: str,
    as_json: bool,
) -> None:
    """Restore ID's directory to VERSION in one commit and tag it as a new version."""
    plan = app.catalog.plan_rollback(
        cid, to, reason=reason, version=version, emergency=emergency,
        abort_rollout=abort_rollout,
    )  # fmt: skip
    _carry_out(app, plan, dry_run=dry_run, push=push, remote=remote, as_json=as_json)


@click.command()
@click.argument("cid", metavar="ID")
@dry_run_option
@push_option
@remote_option
@json_option
@pass_app
def rollforward(
    app: AppContext, cid: str, dry_run: bool, push: bool, remote: str, as_json: bool
) -> None:
    """Undo ID's latest rollback: its content comes back as a new version."""
    plan = app.catalog.plan_rollforward(cid)
    _carry_out(app, plan, dry_run=dry_run, push=push, remote=remote, as_json=as_json)


@click.command()
@click.option("--dry-run", is_flag=True, help="Say what would be done; change nothing.")
@json_option
@pass_app
def recover(app: AppContext, dry_run: bool, as_json: bool) -> None:
    """Finish or undo a rollback/roll-forward that was killed; free its stale lock."""
    result = app.catalog.recover(dry_run=dry_run)
    if as_json:
        emit_json(result)
        return
    colour = {"none": None, "unlocked": "green", "finished": "green", "undone": "yellow"}
    out(click.style(result.detail, fg=colour[result.action]))
    if result.backup_ref and result.action == "finished":
        out(f"  backup: {result.backup_ref} (the state before; `git reset --keep` to it)")
    if dry_run:
        note("dry run: nothing was changed")
    elif result.action != "none":
        note("the repository lock is free again")


def _carry_out(
    app: AppContext, plan: RestorePlan, *, dry_run: bool, push: bool, remote: str, as_json: bool
) -> None:
    if not as_json:
        _print_plan(plan)
    result = app.catalog.restore(plan, push=push, remote=remote, dry_run=dry_run)
    if as_json:
        emit_json(result)
        return
    _print_result(result)


def _print_plan(plan: RestorePlan) -> None:
    what = "Rollback" if plan.kind == "rollback" else "Roll-forward"
    out(click.style(f"{what} of {plan.id}: {plan.current} -> content of {plan.target}", bold=True))
    out(f"  new version   {plan.new_tag}" + ("  (emergency)" if plan.emergency else ""))
    out(f"  reason        {plan.reason}")
    out(f"  compatibility {plan.compatibility}")
    for line in plan.findings[:10]:
        out(f"    {line}")
    if plan.yank:
        out(f"  yank          {', '.join(plan.yank)}")
    if plan.unyank:
        out(f"  un-yank       {', '.join(plan.unyank)}")
    out(f"  undoes {len(plan.commits)} commit(s) in {plan.path}/:")
    for commit in plan.commits[:20]:
        also = f"  (also touched {', '.join(commit.others)}: left as is)" if commit.others else ""
        out(f"    {commit.sha[:12]} {commit.subject}{also}")
    if len(plan.commits) > 20:
        out(f"    … and {len(plan.commits) - 20} more")
    if plan.untouched:
        out(f"  untouched     {', '.join(plan.untouched)}")
    show_notices(plan.notices)


def _print_checks(checks: tuple[Check, ...]) -> None:
    for check in checks:
        colour = _COLOURS.get(check.status, "red")
        out(f"  {click.style(f'{check.status:<8}', fg=colour)} {check.stage:<4} "
            f"{check.name}: {check.detail}")  # fmt: skip


def _print_result(result: RestoreResult) -> None:
    out("checks:")
    _print_checks(result.checks)
    plan = result.plan
    if result.dry_run:
        note("dry run: nothing was changed")
        return
    out(click.style(f"{plan.new_tag} created on {str(result.commit)[:12]}", fg="green"))
    out(f"  backup: {result.backup_ref} (the state before; `git reset --keep` to it)")
    if result.pushed_to:
        out(f"  pushed to {result.pushed_to}")
