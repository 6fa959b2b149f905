"""What the composite action (`action.yml`) runs: one command, reported the GitHub way.

Inputs arrive as environment variables (never interpolated into a script):
`GTPL_COMMAND` (one of `STEPS`), `GTPL_ARGS` (more arguments, split like a shell
would, never run by one, parsed by the CLI command's own options), `GTPL_PUSH`,
`GTPL_REMOTE`, `GTPL_DIRECTORY`. The command runs through the `Catalog` API in this
process; its report (which quotes commit messages) is printed with workflow commands
disabled, its problems become annotations, its result a job summary, and the step
outputs `released` (JSON list of tags), `pr-status` and `pr-body` (`release-pr`:
created, updated, unchanged or nothing-planned, and the path of the pull request's
description), `notes` (JSON map tag -> {notes, prerelease}),
`versions` (JSON map id -> version), `plan`
(the plan file) and `matrix` (the changed templates, for a test job's `strategy.matrix`)
are written.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import tempfile
from contextlib import redirect_stderr
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from gitops_templates.cli._github import Annotations, add_summary, set_output, untrusted_output
from gitops_templates.cli.action_report import annotate, summary
from gitops_templates.errors import ExitCode, GitOpsTemplatesError

if TYPE_CHECKING:
    from collections.abc import Callable

    from gitops_templates.api import Catalog


@dataclass(frozen=True, slots=True)
class Step:
    """One command the action runs: its CLI words, its API call, its human report."""

    words: tuple[str, ...]  # the command and fixed options, as the CLI spells them
    run: Callable[[Catalog, dict[str, Any]], Any]
    show: str  # `module:function` of the CLI printer for the result


def _plan(catalog: Catalog, params: dict[str, Any]) -> Any:
    result = catalog.plan(params["ids"], pre=params["pre"])
    result.save(Path(params["output"]))
    return result


def _release(catalog: Catalog, p: dict[str, Any]) -> Any:
    from gitops_templates.versioning.plan import ReleasePlan

    plan = ReleasePlan.load(Path(p["plan_file"])) if p["plan_file"] is not None else None
    return catalog.release(plan, ids=p["ids"], pre=p["pre"], push=p["push"],
                           remote=p["remote"], sign=p["sign"], dry_run=p["dry_run"],
                           commit=p.get("commit", False),
                           from_pr=p.get("from_pr", False))  # fmt: skip


def _release_pr(catalog: Catalog, p: dict[str, Any]) -> Any:
    result = catalog.release_pr(branch=p["branch"], base=p["base"], push=p["push"],
                                remote=p["remote"], pre=p["pre"], sign=p["sign"])  # fmt: skip
    Path(p["body_file"] or _body_path()).write_text(result.body, encoding="utf-8")
    return result


def _test(catalog: Catalog, p: dict[str, Any]) -> Any:
    from gitops_templates.cli.testing_cmds import load_timings, shard_option

    return catalog.test(p["ids"], simulate=p["simulate"], seed=p["seed"], ci=True,
                        update_snapshots=p["update_snapshots"],
                        min_confidence=p["min_confidence"], shard=shard_option(p["shard"]),
                        timings=load_timings(p["timings"]))  # fmt: skip


STEPS = {
    "validate": Step(
        ("validate",), lambda c, p: c.validate(p["ids"]), "catalog_cmds:show_validation"
    ),
    "status": Step(
        ("status",), lambda c, p: c.status(p["ids"], pre=p["pre"]), "version_cmds:show_status"
    ),
    "plan": Step(("plan",), _plan, "version_cmds:show_plan"),
    "release": Step(("release",), _release, "version_cmds:show_release"),
    "release-pr": Step(("release-pr",), _release_pr, "release_pr_cmds:show_release_pr"),
    "docs --check": Step(
        ("docs", "--check"),
        lambda c, p: c.docs(p["ids"], check=True, fmt=p["fmt"], strict=p["strict"]),
        "docs_cmds:show_docs",
    ),
    "lint-commits": Step(
        ("lint-commits",), lambda c, p: c.lint_commits(p["rev_range"]), "hook_cmds:show_range_lint"
    ),
    "test": Step(("test",), _test, "testing_cmds:show_tests"),
    "health check": Step(
        ("health", "check"),
        lambda c, p: c.health(
            p["ids"], version=p["version"], auto_rollback=p["after"], push=p["push"]
        ),
        "health_cmds:show_health",
    ),
}


def main() -> int:
    """Run the action's command; the exit code is the command's."""
    command = " ".join(os.environ.get("GTPL_COMMAND", "").split())
    notes = Annotations()
    step = STEPS.get(command)
    if step is None:
        from gitops_templates.errors import UsageError

        error: GitOpsTemplatesError | None = UsageError(
            f"unknown command {command!r}; use one of: " + ", ".join(STEPS)
        )
        code, result = int(ExitCode.USAGE), None
    else:
        directory = os.environ.get("GTPL_DIRECTORY") or "."
        code, result, error = _execute(step, directory, _arguments(command))
    annotate(notes, result, error)
    notes.close()
    add_summary(summary(command, code, result, error))
    released = list(result.released) if command == "release" and result else []
    set_output("released", json.dumps([t.tag for t in released]))  # every command has it
    set_output("notes", json.dumps(_notes(released)))
    if step is None:
        return code
    if command == "plan" and code == 0:
        set_output("plan", str(_plan_path()))
        _set_matrix(directory)
    if command == "release-pr" and code == 0 and result is not None:
        set_output("pr-status", result.status)
        set_output("pr-body", str(_body_path()))
    if command in ("status", "plan", "release") and code == 0:
        _set_versions(directory)
    return code


def _notes(released: list[Any]) -> dict[str, dict[str, Any]]:
    """Tag -> {notes (Markdown, from the tag message), prerelease} of the created tags."""
    from gitops_templates.core.changelog import read_tag_message
    from gitops_templates.core.markdown import changelog_notes

    return {t.tag: {"notes": changelog_notes(read_tag_message(t.message).changelog),
                    "prerelease": "-" in t.version.split("+")[0]}
            for t in released}  # fmt: skip


def _arguments(command: str) -> list[str]:
    extra = shlex.split(os.environ.get("GTPL_ARGS", ""))
    if command == "plan":
        extra += ["-o", str(_plan_path())]
    if command == "release-pr":
        extra += ["--body-file", str(_body_path())]
    pushing = os.environ.get("GTPL_PUSH", "false").lower() == "true"
    if command in ("release", "release-pr") and pushing:
        extra += ["--push", "--remote", os.environ.get("GTPL_REMOTE") or "origin"]
    return extra


def _body_path() -> Path:
    return Path(os.environ.get("RUNNER_TEMP") or tempfile.gettempdir(), "gtpl-release-pr.md")


def _plan_path() -> Path:
    return Path(os.environ.get("RUNNER_TEMP") or tempfile.gettempdir(), "gtpl-plan.json")


def _execute(
    step: Step, directory: str, extra: list[str]
) -> tuple[int, Any, GitOpsTemplatesError | None]:
    """Parse the arguments with the CLI's own options, call the API, print the report."""
    from gitops_templates.api import Catalog
    from gitops_templates.cli._output import report_error
    from gitops_templates.errors import UsageError

    with untrusted_output(), redirect_stderr(sys.stdout):
        try:
            params = _parse(step.words, extra)
            result = step.run(Catalog(directory), params)
        except click.UsageError as err:
            error: GitOpsTemplatesError = UsageError(err.format_message())
            report_error(error)
            return int(error.exit_code), None, error
        except click.exceptions.Exit as done:  # --help, --version: printed already
            return done.exit_code, None, None
        except GitOpsTemplatesError as err:
            report_error(err)
            return int(err.exit_code), None, err
        _printer(step.show)(result)
    return int(getattr(result, "exit_code", ExitCode.OK)), result, None


def _parse(words: tuple[str, ...], extra: list[str]) -> dict[str, Any]:
    from gitops_templates.cli.app import main as cli

    command = cli.get_command(click.Context(cli), words[0])
    assert command is not None, words
    rest = list(words[1:])
    if isinstance(command, click.Group):  # `health check`: the subcommand parses the rest
        command = command.get_command(click.Context(command), rest.pop(0))
        assert command is not None, words
    args = [*rest, *extra]  # the app's help names: click caches a command's help option
    with command.make_context(words[-1], args, help_option_names=["-h", "--help"]) as ctx:
        return dict(ctx.params)


def _printer(target: str) -> Callable[[Any], None]:
    import importlib

    module, _, name = target.partition(":")
    show: Callable[[Any], None] = getattr(
        importlib.import_module(f"gitops_templates.cli.{module}"), name
    )
    return show


def _set_matrix(directory: str) -> None:
    """`matrix`: the changed templates as a `strategy.matrix` for a test job."""
    from gitops_templates.api import Catalog
    from gitops_templates.testing.core.shards import github_matrix

    changed = Catalog(directory).changed_templates()
    set_output("matrix", json.dumps(github_matrix(changed), separators=(",", ":")))


def _set_versions(directory: str) -> None:
    """`versions`: every template's current version, read after the command ran."""
    from gitops_templates.api import Catalog

    analysis = Catalog(directory).status()
    versions = {s.component.id: str(s.line.current) if s.line.current else None
                for s in analysis.states}  # fmt: skip
    set_output("versions", json.dumps(versions, sort_keys=True))


if __name__ == "__main__":
    sys.exit(main())
