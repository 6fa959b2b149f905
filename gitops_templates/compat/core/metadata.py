"""Findings outside the parameter schema: identity, outputs, tool version, files. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from semver import Version

from gitops_templates.compat.core.rules import Finding, finding

_DESCRIPTIVE = ("name", "description", "owners", "category", "tags", "examples")


@dataclass(frozen=True, slots=True)
class FileChanges:
    """Files of a template directory that differ between two versions."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    modified: tuple[str, ...]


def file_changes(old: dict[str, str], new: dict[str, str]) -> FileChanges:
    """Compare `path -> content id` maps."""
    return FileChanges(
        added=tuple(sorted(new.keys() - old.keys())),
        removed=tuple(sorted(old.keys() - new.keys())),
        modified=tuple(sorted(p for p in old.keys() & new.keys() if old[p] != new[p])),
    )


def diff_metadata(
    old: dict[str, Any], new: dict[str, Any], files: FileChanges, profile: str = "template"
) -> list[Finding]:
    """Findings about template.yaml outside `parameters`, and about the body files."""
    found: list[Finding] = []

    def add(rule: str, pointer: str, message: str) -> None:
        found.append(finding(rule, profile, pointer, message))

    if old.get("id") != new.get("id"):
        add("template-id-changed", "/id", f"id {old.get('id')!r} -> {new.get('id')!r}")
    if bool(old.get("deprecated")) != bool(new.get("deprecated")):
        rule = "template-deprecated" if new.get("deprecated") else "template-undeprecated"
        add(
            rule,
            "/deprecated",
            "template deprecated" if new.get("deprecated") else "deprecation withdrawn",
        )
    before, after = _version(old.get("min_tool_version")), _version(new.get("min_tool_version"))
    if after is not None and (before is None or after > before):
        add(
            "min-tool-version-raised",
            "/min_tool_version",
            f"min_tool_version {before or 'none'} -> {after}",
        )
    for key in _DESCRIPTIVE:
        if old.get(key) != new.get(key):
            add("metadata-changed", f"/{key}", f"{key} changed")
    found.extend(_outputs(old.get("files") or [], new.get("files") or [], profile))
    bodies = [p for p in (*files.added, *files.removed, *files.modified) if p != "template.yaml"]
    if bodies:
        shown = ", ".join(bodies[:5]) + (f" and {len(bodies) - 5} more" if len(bodies) > 5 else "")
        add("body-changed", "/files", f"files changed: {shown}")
    return found


def _outputs(old: list[Any], new: list[Any], profile: str) -> list[Finding]:
    before = {e.get("target"): (i, e) for i, e in enumerate(old) if isinstance(e, dict)}
    after = {e.get("target"): (i, e) for i, e in enumerate(new) if isinstance(e, dict)}
    new_by_source = {e.get("source"): t for t, (_, e) in after.items() if t not in before}
    found = []
    for target, (i, entry) in before.items():
        if target in after:
            j, other = after[target]
            if entry.get("output_schema") != other.get("output_schema"):
                found.append(
                    finding(
                        "output-schema-changed",
                        profile,
                        f"/files/{j}/output_schema",
                        f"output_schema of {target!r} changed",
                    )
                )
            continue
        renamed = new_by_source.pop(entry.get("source"), None)
        if renamed is not None:
            found.append(
                finding(
                    "output-renamed",
                    profile,
                    f"/files/{after[renamed][0]}/target",
                    f"output {target!r} renamed to {renamed!r}",
                )
            )
        else:
            found.append(
                finding(
                    "output-removed", profile, f"/files/{i}/target", f"output {target!r} removed"
                )
            )
    for target, (j, _) in after.items():
        if target not in before and target in new_by_source.values():
            found.append(
                finding("output-added", profile, f"/files/{j}/target", f"output {target!r} added")
            )
    return found


def _version(value: Any) -> Version | None:
    try:
        return Version.parse(str(value)) if value is not None else None
    except ValueError:
        return None
