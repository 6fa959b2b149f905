"""The release pull request's description: breaking changes first, then the plan table.

Commit subjects and ids are untrusted: escaped with `core/markdown.py`, so a subject
adds no link, HTML, heading or table cell to the description.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitops_templates.core.markdown import inline_code, markdown_cell, markdown_text

if TYPE_CHECKING:
    from collections.abc import Mapping

    from gitops_templates.versioning.plan import ReleasePlan

HEADER = "| template | from | to | level |\n|---|---|---|---|\n"


def pull_request_body(plan: ReleasePlan) -> str:
    """Markdown: `⚠ Breaking changes`, the table (breaking rows first), how it releases.

    Breaking changes are the commits that declare one, then what the compatibility check
    found (unwaived), whether or not a commit declared it.
    """
    parts = ["## Release plan\n"]
    breaking = [f"- **{markdown_text(r.id)}**: {markdown_text(c.subject)} "
                f"({inline_code(c.sha[:12])})\n"
                for r in plan.releases for c in r.commits if c.breaking]  # fmt: skip
    breaking += [f"- **{markdown_text(r.id)}**: {markdown_text(str(f.get('message', '')))} "
                 f"at {inline_code(str(f.get('pointer', '')))} (found by the compatibility "
                 "check)\n"
                 for r in plan.releases for f in r.findings if _unwaived_breaking(f)]  # fmt: skip
    if breaking:
        parts.append("### ⚠ Breaking changes\n")
        parts.append("".join(breaking))
    # versions are semver and levels ours: only the id is escaped
    order = sorted(plan.releases, key=lambda r: (-int(r.level), r.id))
    rows = "".join(
        f"| {markdown_cell(r.id)} | {r.current or '-'} | {r.next} | {r.level.label} |\n"
        for r in order
    )
    parts.append(HEADER + rows)
    parts.append(
        f"Base: {inline_code(plan.head[:12])}. Merging this pull request tags these versions "
        "(`gitops-templates release --from-pr`); a new commit on the base updates it.\n"
    )
    return "\n".join(parts)


def _unwaived_breaking(finding: Mapping[str, object]) -> bool:
    return finding.get("class") == "breaking" and not finding.get("waived")
