"""`status`, `plan`, `release`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from gitops_templates.cli._context import AppContext, json_option, pass_app
from gitops_templates.cli._output import emitted_json, note, out, show_notices

if TYPE_CHECKING:
    from gitops_templates.core.planning import Analysis, ComponentState
    from gitops_templates.versioning.plan import ReleasePlan
    from gitops_templates.versioning.release import ReleaseResult

pre_option = click.option(
    "--pre", "pre", metavar="TOKEN", help="Make prereleases X.Y.Z-TOKEN.N (e.g. rc)."
)
ids_argument = click.argument("ids", nargs=-1, metavar="[ID]...")


@click.command()
@ids_argument
@pre_option
@json_option
@pass_app
def status(app: AppContext, ids: tuple[str, ...], pre: str | None, as_json: bool) -> None:
    """Current version, unreleased commits and next version per template."""
    analysis = app.catalog.status(ids, pre=pre)
    if not emitted_json(analysis, as_json):
        show_status(analysis)


def show_status(analysis: Analysis) -> None:
    """The human report of `status`."""
    show_notices(analysis.notices)
    for state in analysis.states:
        _print_state(state)


def _print_state(state: ComponentState) -> None:
    current = state.line.current
    head = f"{state.component.id}  {current or '(unreleased)'}"
    if state.next is not None:
        head += f" -> {state.next.version} ({state.next.level.label})"
    elif state.changes:
        head += "  (nothing to release)"
    else:
        head += "  (up to date)"
    out(click.style(head, bold=True))
    for change in state.changes:
        kind = f"{change.type}{f'({change.scope})' if change.scope else ''}" if change.type else "-"
        flag = " BREAKING" if change.breaking else ""
        why = f"{change.level.label}{flag}: {change.rule}"
        out(f"    {change.sha[:7]} {kind}: {change.subject}  [{why}]")
    if state.next is not None:
        out(f"    why: {state.next.reason}")


@click.command()
@ids_argument
@pre_option
@json_option
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write the plan as JSON to this file.")  # fmt: skip
@click.option("--github-matrix", is_flag=True,
              help="Print the changed templates as a strategy.matrix (JSON) and exit.")  # fmt: skip
@pass_app
def plan(
    app: AppContext,
    ids: tuple[str, ...],
    pre: str | None,
    as_json: bool,
    output: str | None,
    github_matrix: bool,
) -> None:
    """The release plan: which tags `release` would create, and why."""
    if github_matrix:
        import json

        from gitops_templates.testing.core.shards import github_matrix as matrix

        out(json.dumps(matrix(app.catalog.changed_templates(ids)), separators=(",", ":")))
        return
    result = app.catalog.plan(ids, pre=pre)
    if output is not None:
        from pathlib import Path

        result.save(Path(output))
    if emitted_json(result, as_json):
        return
    show_plan(result)
    if output is not None:
        note(f"plan written to {output}")


def show_plan(result: ReleasePlan) -> None:
    """The human report of `plan`."""
    show_notices(result.notices)
    if not result.releases:
        out("nothing to release")
        return
    out(f"release plan at {result.head[:12]}:")
    for item in result.releases:
        out(f"  {item.tag}  ({item.current or 'first release'} -> {item.next}, {item.level.label})")
        out(f"    why: {item.reason}")
        if item.proposed_migration:
            out("    no migration carries consumers' values over the breaking changes; "
                "proposed for template.yaml:")  # fmt: skip
            text = item.proposed_migration
            out("".join(f"      {line}" for line in text.splitlines(keepends=True)), nl=False)


@click.command()
@ids_argument
@click.option("--plan", "plan_file", type=click.Path(exists=True, dir_okay=False),
              help="Release exactly this plan (refused if HEAD or tags moved).")  # fmt: skip
@pre_option
@click.option("--push", is_flag=True, help="Push the tags with `git push --atomic`.")
@click.option("--remote", default="origin", show_default=True, help="Remote to push to.")
@click.option("--sign/--no-sign", default=None,
              help="Sign tags (default: git config tag.gpgSign / sign_tags).")  # fmt: skip
@click.option("--commit", "commit", is_flag=True,
              help="First write the changelog files (config `changelog:`) in one release "
              "commit, and tag it.")  # fmt: skip
@click.option("--from-pr", "from_pr", is_flag=True,
              help="Tag the plan of the merged release pull request (`release-pr`) on the "
              "commit that carries it; refused when its base moved in a way that changes "
              "it.")  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Show what would be tagged; change nothing.")
@json_option
@pass_app
def release(
    app: AppContext,
    ids: tuple[str, ...],
    plan_file: str | None,
    pre: str | None,
    push: bool,
    remote: str,
    sign: bool | None,
    commit: bool,
    from_pr: bool,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Create every planned tag in one atomic transaction; idempotent."""
    from pathlib import Path

    from gitops_templates.versioning.plan import ReleasePlan

    loaded = ReleasePlan.load(Path(plan_file)) if plan_file is not None else None
    result = app.catalog.release(loaded, ids=ids, pre=pre, push=push, remote=remote,
                                 sign=sign, dry_run=dry_run, commit=commit,
                                 from_pr=from_pr)  # fmt: skip
    if not emitted_json(result, as_json):
        show_release(result)


def show_release(result: ReleaseResult) -> None:
    """The human report of `release`."""
    show_notices(result.plan.notices)
    if not result.tags:
        out("nothing to release")
    verb = "would create" if result.dry_run else "created"
    if result.changelog_files:
        done = f"release commit {result.commit[:12]}" if result.commit else "wrote"
        out(f"{'would write' if result.dry_run else done}: {', '.join(result.changelog_files)}")
    for tag in result.tags:
        if tag.existed:
            out(f"already released: {tag.tag}")
        else:
            out(f"{verb} {tag.tag} at {tag.commit[:12]}")
            if result.dry_run:
                out("\n".join(f"    {line}" for line in tag.message.splitlines()))
    if result.pushed_to:
        branch = " and the branch" if result.commit else ""
        out(f"pushed {len(result.tags)} tag(s){branch} to {result.pushed_to} (atomic)")
