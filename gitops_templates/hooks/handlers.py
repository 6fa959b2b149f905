"""Use-cases behind git hooks: `commit-msg FILE`, `pre-push REMOTE URL`, `pre-receive`.

The commit-msg hook runs on every commit, so it reads only what the lint needs: the
message file, `core.commentChar`, the configured commit types (the config is not
schema-checked here) and the template ids at HEAD (one `ls-tree`). The push hooks
hand the ref updates to `pushcheck`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from gitops_templates.catalog.discovery import discover_templates
from gitops_templates.core.jsonform import JsonDocument
from gitops_templates.errors import (
    ExitCode,
    GitOpsTemplatesError,
    InvalidInputError,
    NotFoundError,
)
from gitops_templates.hooks.core.commitlint import lint_message, strip_comments

if TYPE_CHECKING:
    from pathlib import Path

    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.git.repo import GitRepo
    from gitops_templates.hooks.core.commitlint import LintIssue
    from gitops_templates.hooks.pushcheck import PushReport


@dataclass(frozen=True, slots=True)
class MessageLint(JsonDocument):
    """The lint of one commit message."""

    json_fields: ClassVar[tuple[str, ...]] = ("schema_version", "file", "ok", "issues")

    file: str
    issues: tuple[LintIssue, ...]

    @property
    def exit_code(self) -> ExitCode:
        """3 when an error was found (warnings pass)."""
        failed = any(i.level == "error" for i in self.issues)
        return ExitCode.INVALID_INPUT if failed else ExitCode.OK

    @property
    def ok(self) -> bool:
        """No errors (warnings pass)."""
        return self.exit_code is ExitCode.OK


def lint_commit_file(ws: Workspace, path: Path) -> MessageLint:
    """Lint the message git is about to commit (comments and scissors removed)."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise NotFoundError(f"{path}: cannot read the commit message ({err.strerror})") from None
    text = strip_comments(raw.decode("utf-8", errors="replace"), _comment_char(ws.repo))
    settings = ws.quick_settings
    try:
        found, _ = discover_templates(ws.repo.ls_tree("HEAD", settings.templates_dir), settings)
    except GitOpsTemplatesError:
        found = []  # no commit yet, or no catalog: lint the shape only
    templates = [c.id for c in found] + [c.id for c in settings.components]
    types = settings.rules.bump_types.keys()
    return MessageLint(str(path), tuple(lint_message(text, types=types, templates=templates)))


@dataclass(frozen=True, slots=True)
class LintedCommit:
    """One commit of a range and the lint of its message."""

    json_fields: ClassVar[tuple[str, ...]] = ("sha", "subject", "ok=lint.ok", "issues=lint.issues")

    sha: str
    subject: str
    lint: MessageLint


@dataclass(frozen=True, slots=True)
class RangeLint(JsonDocument):
    """The lint of every commit in a range (`lint-commits BASE..HEAD`, PR checks)."""

    json_fields: ClassVar[tuple[str, ...]] = ("schema_version", "range", "ok", "commits")

    range: str
    commits: tuple[LintedCommit, ...]

    @property
    def exit_code(self) -> ExitCode:
        """3 when any commit has an error."""
        failed = any(not c.lint.ok for c in self.commits)
        return ExitCode.INVALID_INPUT if failed else ExitCode.OK

    @property
    def ok(self) -> bool:
        """No commit has an error."""
        return self.exit_code is ExitCode.OK


def lint_commit_range(ws: Workspace, rev_range: str) -> RangeLint:
    """Lint the messages of the commits in `BASE..HEAD` (one `git log` pass).

    Merge commits are skipped: git writes their messages.
    """
    base, dots, tip = rev_range.partition("..")
    if not dots or not base or not tip or tip.startswith("."):
        raise InvalidInputError(
            f"{rev_range!r} is not a BASE..HEAD range",
            hint="e.g. origin/main..HEAD (three dots are not supported)",
        )
    log = ws.repo.log([ws.repo.resolve(tip)], [ws.repo.resolve(base)])
    settings = ws.settings
    templates = [c.id for c in ws.components]
    types = settings.rules.bump_types.keys()
    linted = []
    for commit in reversed(log.commits):
        if len(commit.parents) > 1:
            continue
        issues = tuple(lint_message(commit.message, types=types, templates=templates))
        subject = commit.message.split("\n", 1)[0]
        linted.append(LintedCommit(commit.sha, subject, MessageLint(commit.sha[:12], issues)))
    return RangeLint(rev_range, tuple(linted))


def _comment_char(repo: GitRepo) -> str:
    value = repo.config("core.commentchar") or "#"
    return "#" if value == "auto" else value[:1]


def check_pre_push(ws: Workspace, remote: str, updates_text: str) -> PushReport:
    """`pre-push REMOTE URL`: the lines git writes on stdin, checked before anything is sent.

    Commits the remote already has are those of its remote-tracking refs (all of
    them when the push names a URL instead of a remote).
    """
    from gitops_templates.hooks.core.pushrefs import parse_pre_push
    from gitops_templates.hooks.pushcheck import check_push

    named = remote in ws.repo.remotes()
    known = [f"--remotes={remote}"] if named else ["--remotes"]
    return check_push(ws, parse_pre_push(updates_text), known=known)


def check_pre_receive(ws: Workspace, updates_text: str) -> PushReport:
    """`pre-receive` on the server: the refs before the push are what it already has.

    The pushed objects sit in git's quarantine until the hook accepts them, so no
    cache is read or written here: a refused push must leave nothing behind.
    """
    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.hooks.core.pushrefs import parse_pre_receive
    from gitops_templates.hooks.pushcheck import check_push

    fresh = Workspace(ws.path, config=ws.config_path, use_cache=False)
    return check_push(fresh, parse_pre_receive(updates_text), known=["--all"])
