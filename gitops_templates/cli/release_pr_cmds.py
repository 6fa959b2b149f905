"""`release-pr`: the release proposed as a branch (and the pull request's body)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from gitops_templates.cli._context import AppContext, json_option, pass_app
from gitops_templates.cli._output import emitted_json, note, out, show_notices
from gitops_templates.cli.version_cmds import pre_option

if TYPE_CHECKING:
    from gitops_templates.versioning.release_pr import ReleasePrResult


@click.command("release-pr")
@click.option("--branch", default="gitops-templates/release", show_default=True,
              help="The release branch to write (and push).")  # fmt: skip
@click.option(
    "--base",
    default="HEAD",
    show_default=True,
    help="The commit (branch) the release is planned at and the branch based on.",
)
@click.option(
    "--push",
    is_flag=True,
    help="Push the branch with --force-with-lease (refused if it moved there).",
)
@click.option("--remote", default="origin", show_default=True, help="Remote to push to.")
@pre_option
@click.option("--sign/--no-sign", default=None,
              help="Sign the commit (default: git config commit.gpgSign).")  # fmt: skip
@click.option(
    "--body-file",
    type=click.Path(dir_okay=False),
    help="Write the pull request's description (Markdown) to this file (`-`: stdout).",
)
@json_option
@pass_app
def release_pr(
    app: AppContext,
    branch: str,
    base: str,
    push: bool,
    remote: str,
    pre: str | None,
    sign: bool | None,
    body_file: str | None,
    as_json: bool,
) -> None:
    """Write the next release (changelogs, docs, plan) on a branch; merging it releases."""
    result = app.catalog.release_pr(branch=branch, base=base, push=push, remote=remote,
                                    pre=pre, sign=sign)  # fmt: skip
    if body_file == "-" and not as_json:  # the description alone on stdout, for a pipe
        out(result.body, nl=False)
        note(f"release-pr: {result.status} ({result.branch})")
        return
    if body_file is not None and body_file != "-":
        from pathlib import Path

        from gitops_templates.errors import InvalidInputError

        try:
            Path(body_file).write_text(result.body, encoding="utf-8")
        except OSError as err:
            raise InvalidInputError(
                f"cannot write {body_file}: {err.strerror}",
                hint="pass a path in a writable directory",
            ) from None
    if emitted_json(result, as_json):
        return
    show_release_pr(result)
    if body_file is not None and body_file != "-":
        note(f"pull request body written to {body_file}")


def show_release_pr(result: ReleasePrResult) -> None:
    """The human report of `release-pr`."""
    show_notices(result.plan.notices)
    if result.status == "nothing-planned":
        out(f"nothing to release at {result.plan.head[:12]}; {result.branch} left as it is")
        return
    assert result.commit is not None
    what = {"created": "created", "updated": "updated", "unchanged": "already up to date:"}
    out(f"{what[result.status]} {result.branch} at {result.commit[:12]} "
        f"(base {result.plan.head[:12]})")  # fmt: skip
    for item in result.plan.releases:
        out(f"  {item.tag}  ({item.current or 'first release'} -> {item.next}, {item.level.label})")
    out(f"  files: {', '.join(result.files)}")
    if result.pushed_to:
        out(f"pushed {result.branch} to {result.pushed_to}")
