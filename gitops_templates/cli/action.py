"""What the composite action (`action.yml`) runs: one command, reported the GitHub way.

Inputs arrive as environment variables (never interpolated into a script):
`GTPL_COMMAND` (validate | status | plan | release | docs --check | lint-commits |
health check | rollout analyze --auto), `GTPL_ARGS` (more arguments, split like a
shell would, never run by one), `GTPL_PUSH`, `GTPL_REMOTE`, `GTPL_DIRECTORY`. The
command runs with `--json`; its problems become annotations, its result a job summary,
and the step outputs `released` (JSON list of tags), `versions` (JSON map id ->
version) and `plan` (the plan file) are written. Its stderr, which quotes commit
messages, is printed with workflow commands disabled.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from gitops_templates.cli._github import Annotations, add_summary, set_output, untrusted_output

COMMANDS = {
    "validate": ["validate"],
    "status": ["status"],
    "plan": ["plan"],
    "release": ["release"],
    "docs --check": ["docs", "--check"],
    "lint-commits": ["lint-commits"],
    "health check": ["health", "check"],
    "rollout analyze --auto": ["rollout", "analyze", "--auto"],
}


def main() -> int:
    """Run the action's command; the exit code is the command's."""
    command = " ".join(os.environ.get("GTPL_COMMAND", "").split())
    notes = Annotations()
    if command not in COMMANDS:
        notes.add("error", f"unknown command {command!r}; use one of: " + ", ".join(COMMANDS),
                  title="gitops-templates")  # fmt: skip
        return 2
    directory = os.environ.get("GTPL_DIRECTORY") or "."
    argv = [*COMMANDS[command], *shlex.split(os.environ.get("GTPL_ARGS", ""))]
    plan_path = Path(os.environ.get("RUNNER_TEMP") or tempfile.gettempdir(), "gtpl-plan.json")
    if command == "plan":
        argv += ["-o", str(plan_path)]
    if command == "release" and os.environ.get("GTPL_PUSH", "false").lower() == "true":
        argv += ["--push", "--remote", os.environ.get("GTPL_REMOTE") or "origin"]
    code, data, stderr = _run(directory, argv)
    with untrusted_output():
        sys.stdout.write(stderr)
    _annotate(notes, data, stderr)
    notes.close()
    add_summary(summary(command, code, data, stderr))
    released = [r["tag"] for r in (data or {}).get("released", [])] if command == "release" else []
    set_output("released", json.dumps(released))
    if command == "plan" and code == 0:
        set_output("plan", str(plan_path))
    if command in ("status", "plan", "release") and code == 0:
        _, status, _ = _run(directory, ["status"])
        versions = {c["id"]: c["current"] for c in (status or {}).get("components", [])}
        set_output("versions", json.dumps(versions, sort_keys=True))
    return code


def _run(directory: str, argv: list[str]) -> tuple[int, dict[str, Any] | None, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "gitops_templates", "--repo", directory, *argv, "--json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    try:
        data = json.loads(proc.stdout) if proc.stdout.strip() else None
    except ValueError:
        data = None
    return proc.returncode, data if isinstance(data, dict) else None, proc.stderr


def _annotate(notes: Annotations, data: dict[str, Any] | None, stderr: str) -> None:
    for problem in (data or {}).get("problems", []):
        hint = f" (hint: {problem['hint']})" if problem.get("hint") else ""
        title = problem.get("rule") or "gitops-templates"
        notes.add("error", problem["message"] + hint, file=problem.get("file"),
                  line=problem.get("line"), title=title)  # fmt: skip
    for item in (data or {}).get("files", []):
        if item.get("status") == "stale":
            notes.add("error", "generated docs are out of date: run `gitops-templates docs`",
                      file=item["path"], title="docs")  # fmt: skip
    for commit in (data or {}).get("commits", []):
        for issue in commit.get("issues", []):
            level = "error" if issue["level"] == "error" else "warning"
            notes.add(level, f"{commit['sha'][:12]} {commit['subject']}: {issue['message']}",
                      title=issue["rule"])  # fmt: skip
    for warning in (data or {}).get("warnings", []):
        notes.add("warning", warning.get("message", ""), title=warning.get("code"))
    lines = stderr.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("Error: "):
            hint = next((x for x in lines[index + 1 :] if x.startswith("hint: ")), "")
            notes.add("error", line.removeprefix("Error: ") + (f" ({hint})" if hint else ""),
                      title="gitops-templates")  # fmt: skip


def summary(command: str, code: int, data: dict[str, Any] | None, stderr: str) -> str:
    """The job summary in Markdown (GitHub renders it; text from commits is escaped)."""
    from gitops_templates.docs.core.model import markdown_cell

    verdict = "passed" if code == 0 else f"failed (exit {code})"
    lines = [f"### gitops-templates `{command}`: {verdict}", ""]
    data = data or {}
    if command == "plan":
        releases = data.get("releases", [])
        lines += ["| Template | Current | Next | Level | Why |", "|---|---|---|---|---|"]
        lines += [f"| {r['id']} | {r.get('current') or '-'} | {r['next']} | {r['level']} | "
                  f"{markdown_cell(r.get('reason', ''))} |" for r in releases]  # fmt: skip
        if not releases:
            lines = [*lines[:2], "Nothing to release."]
    elif command == "release":
        created = data.get("released", [])
        lines += [f"- `{r['tag']}` at `{r['commit'][:12]}`" for r in created] or ["No new tags."]
    elif command == "status":
        lines += ["| Template | Current | Next | Unreleased commits |", "|---|---|---|---|"]
        for c in data.get("components", []):
            pending = len(c.get("unreleased", []))
            lines.append(f"| {c['id']} | {c.get('current') or '-'} | {c.get('next') or '-'} | "
                         f"{pending} |")  # fmt: skip
    for problem in data.get("problems", []):
        where = ":".join(str(x) for x in (problem.get("file"), problem.get("line")) if x)
        lines.append(f"- {markdown_cell(where)} {markdown_cell(problem['message'])}")
    if code and not data:
        lines += ["```text", stderr.strip().replace("```", "'''")[-4000:], "```"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
