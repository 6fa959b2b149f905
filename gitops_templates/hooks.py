"""Use-cases behind git hooks: `hook commit-msg FILE`.

The commit-msg hook runs on every commit, so it reads only what the lint needs: the
message file, `core.commentChar`, the configured commit types and the template ids at
HEAD (one `ls-tree`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gitops_templates.commitlint import lint_message, strip_comments
from gitops_templates.errors import ExitCode, GitOpsTemplatesError, NotFoundError
from gitops_templates.models import SCHEMA_VERSION

if TYPE_CHECKING:
    from pathlib import Path

    from gitops_templates.commitlint import LintIssue
    from gitops_templates.workspace import Workspace


@dataclass(frozen=True, slots=True)
class MessageLint:
    """The lint of one commit message."""

    file: str
    issues: tuple[LintIssue, ...]

    @property
    def exit_code(self) -> ExitCode:
        """3 when an error was found (warnings pass)."""
        failed = any(i.level == "error" for i in self.issues)
        return ExitCode.INVALID_INPUT if failed else ExitCode.OK

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "schema_version": SCHEMA_VERSION,
            "file": self.file,
            "ok": self.exit_code is ExitCode.OK,
            "issues": [
                {"level": i.level, "line": i.line, "rule": i.rule, "message": i.message,
                 "hint": i.hint}
                for i in self.issues
            ],
        }  # fmt: skip


def lint_commit_file(ws: Workspace, path: Path) -> MessageLint:
    """Lint the message git is about to commit (comments and scissors removed)."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise NotFoundError(f"{path}: cannot read the commit message ({err.strerror})") from None
    text = strip_comments(raw.decode("utf-8", errors="replace"), _comment_char(ws))
    try:
        templates = [c.id for c in ws.components]
    except GitOpsTemplatesError:
        templates = []  # no commit yet, or no catalog: lint the shape only
    types = ws.settings.rules.bump_types.keys()
    return MessageLint(str(path), tuple(lint_message(text, types=types, templates=templates)))


def _comment_char(ws: Workspace) -> str:
    value = ws.repo.config("core.commentchar") or "#"
    return "#" if value == "auto" else value[:1]
