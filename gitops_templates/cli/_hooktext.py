"""Hook reports as text lines, shared by the click commands and the fast hook entry.

No click here: the installed hooks run `python -m gitops_templates.cli.githook`,
which must start without importing it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gitops_templates.hooks.handlers import MessageLint
    from gitops_templates.hooks.pushcheck import PushReport


def lint_lines(report: MessageLint) -> list[str]:
    """One line per issue, and its hint."""
    lines = []
    for issue in report.issues:
        lines.append(f"{issue.level}: line {issue.line}: {issue.message} [{issue.rule}]")
        if issue.hint:
            lines.append(f"  hint: {issue.hint}")
    return lines


def commit_msg_lines(report: MessageLint) -> list[str]:
    """What the commit-msg hook says: the issues, then why the commit stopped."""
    aborted = f"commit aborted; the message is kept in {report.file}"
    return lint_lines(report) + ([aborted] if report.exit_code else [])


def push_lines(report: PushReport) -> list[str]:
    """Each refusal with its ref, place and hint; a one-line verdict."""
    lines = []
    for refusal in report.refusals:
        problem = refusal.problem
        where = problem.location()
        rule = f" [{problem.rule}]" if problem.rule else ""
        lines.append(f"refused: {refusal.ref}: {where + ': ' if where else ''}"
                     f"{problem.message}{rule}")  # fmt: skip
        if problem.hint:
            lines.append(f"  hint: {problem.hint}")
    if report.refusals:
        lines.append(f"push refused ({len(report.refusals)} problem(s)); nothing was sent")
    return lines
