"""The composite action's annotations and job summary, from the API's result objects.

Text that comes from commits or files is escaped for Markdown table cells; annotation
escaping is `_github.Annotations`'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gitops_templates.core.markdown import inline_code, markdown_cell

if TYPE_CHECKING:
    from gitops_templates.cli._github import Annotations
    from gitops_templates.errors import GitOpsTemplatesError, Problem


def annotate(notes: Annotations, result: Any, error: GitOpsTemplatesError | None) -> None:
    """Problems, stale files, commit-lint issues, warnings and the error, as annotations."""
    for problem in _problems(result, error):
        hint = f" (hint: {problem.hint})" if problem.hint else ""
        where = f"{problem.pointer}: " if problem.pointer else ""
        notes.add("error", where + problem.message + hint, file=problem.file,
                  line=problem.line, title=problem.rule or "gitops-templates")  # fmt: skip
    for path in _stale(result):
        notes.add("error", "generated docs are out of date: run `gitops-templates docs`",
                  file=path, title="docs")  # fmt: skip
    for commit in getattr(result, "commits", ()):
        for issue in getattr(getattr(commit, "lint", None), "issues", ()):
            level = "error" if issue.level == "error" else "warning"
            notes.add(level, f"{commit.sha[:12]} {commit.subject}: {issue.message}",
                      title=issue.rule)  # fmt: skip
    for notice in _notices(result):
        notes.add("warning", notice.message, title=notice.code)
    if error is not None:
        hint = f" (hint: {error.hint})" if error.hint else ""
        notes.add("error", error.message + hint, title="gitops-templates")


def summary(command: str, code: int, result: Any, error: GitOpsTemplatesError | None) -> str:
    """The job summary in Markdown (GitHub renders it; text from commits is escaped)."""
    verdict = "passed" if code == 0 else f"failed (exit {code})"
    lines = [f"### gitops-templates `{command}`: {verdict}", ""]
    if result is not None:
        lines += _body(command, result)
    for problem in _problems(result, error):
        where = ":".join(str(x) for x in (problem.file, problem.line) if x)
        pointer = f" {inline_code(problem.pointer)}" if problem.pointer else ""
        lines.append(f"- {markdown_cell(where)}{pointer} {markdown_cell(problem.message)}")
    if error is not None:
        lines.append(f"**Error:** {markdown_cell(error.message)}")
        if error.hint:
            lines.append(f"hint: {markdown_cell(error.hint)}")
    return "\n".join(lines) + "\n"


def _body(command: str, result: Any) -> list[str]:
    if command == "plan":
        if not result.releases:
            return ["Nothing to release."]
        rows = [f"| {r.id} | {r.current or '-'} | {r.next} | {r.level.label} | "
                f"{markdown_cell(r.reason)} |" for r in result.releases]  # fmt: skip
        return ["| Template | Current | Next | Level | Why |", "|---|---|---|---|---|", *rows]
    if command == "release":
        return [f"- `{t.tag}` at `{t.commit[:12]}`" for t in result.released] or ["No new tags."]
    if command == "release-pr":
        return [result.body or "Nothing to release."]
    if command == "status":
        rows = [f"| {s.component.id} | {s.line.current or '-'} | "
                f"{s.next.version if s.next else '-'} | {len(s.changes)} |"
                for s in result.states]  # fmt: skip
        return ["| Template | Current | Next | Unreleased commits |", "|---|---|---|---|", *rows]
    if command == "docs --check":
        stale = [f"- {inline_code(path)} is out of date" for path in _stale(result)]
        return [*stale, "Run `gitops-templates docs` and commit the result."] if stale else []
    if command == "health check":
        rows = [f"| {markdown_cell(v.template)} | {markdown_cell(v.version or '-')} | {v.status} | "
                f"{'-' if v.score is None else v.score} |" for v in result.versions]  # fmt: skip
        return ["| Template | Version | Status | Score |", "|---|---|---|---|", *rows]
    if command == "test":
        from gitops_templates.testing.reports import summary_markdown

        return summary_markdown(result).splitlines()[2:]
    if command == "lint-commits":
        return [
            f"- `{c.sha[:12]}` {markdown_cell(c.subject)}: {i.level} "
            f"{markdown_cell(i.message)} ({i.rule})"
            for c in result.commits
            for i in c.lint.issues
        ] or [f"{len(result.commits)} commit(s) checked, no findings."]
    return []


def _problems(result: Any, error: GitOpsTemplatesError | None) -> tuple[Problem, ...]:
    if error is not None:
        return tuple(error.problems)
    return tuple(getattr(result, "problems", ()))


def _stale(result: Any) -> list[str]:
    return [f.path for f in getattr(result, "stale", ())]


def _notices(result: Any) -> tuple[Any, ...]:
    plan = getattr(result, "plan", None)
    return tuple(getattr(result, "notices", ()) or getattr(plan, "notices", ()))
