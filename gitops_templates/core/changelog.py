"""Changelog text and tag messages. Pure.

A version tag's message is `<id> <version>`, a blank line, the Markdown changelog of
that version, a blank line, and machine-readable trailers in the final paragraph:
`Template-Digest`, `Template-Tree`, `Compatibility` (and others a use-case adds).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from gitops_templates.core.conventional import parse_message
from gitops_templates.core.models import Level

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

SECTION_TITLES: Mapping[str, str] = {
    "feat": "Features",
    "fix": "Bug Fixes",
    "perf": "Performance Improvements",
    "revert": "Reverts",
    "refactor": "Code Refactoring",
    "deps": "Dependencies",
    "docs": "Documentation",
    "build": "Build System",
}


@dataclass(frozen=True, slots=True)
class ChangeEntry:
    """One commit as it appears in a changelog."""

    sha: str
    type: str | None
    scope: str | None
    subject: str
    level: Level
    breaking: bool
    breaking_notes: tuple[str, ...]


def render_changelog(
    component_id: str,
    version: str,
    timestamp: int,
    entries: Sequence[ChangeEntry],
    *,
    waived: Sequence[str] = (),
) -> str:
    """Markdown changelog of one version: breaking changes first, then by type.

    `waived` lists compatibility findings a `Compatibility-Waiver:` footer accepted.
    """
    day = datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d")
    lines = [f"## {component_id} {version} ({day})"]
    breaking = [e for e in entries if e.breaking]
    if breaking:
        lines += ["", "### ⚠ BREAKING CHANGES", ""]
        for entry in breaking:
            for note in entry.breaking_notes or (entry.subject,):
                lines.append(f"- {_prefix(entry)}{_one_line(note)} ({entry.sha[:7]})")
    groups: dict[str, list[ChangeEntry]] = {}
    for entry in entries:
        if entry.type is not None and (entry.level > Level.NONE or entry.breaking):
            groups.setdefault(entry.type, []).append(entry)
    for type_ in sorted(groups, key=_section_order):
        lines += ["", f"### {SECTION_TITLES.get(type_, type_.capitalize())}", ""]
        lines += [f"- {_prefix(e)}{_one_line(e.subject)} ({e.sha[:7]})" for e in groups[type_]]
    if waived:
        lines += ["", "### Compatibility waivers", ""]
        lines += [f"- {_one_line(item)}" for item in waived]
    return "\n".join(lines) + "\n"


def _section_order(type_: str) -> tuple[int, str]:
    order = list(SECTION_TITLES)
    return (order.index(type_) if type_ in order else len(order), type_)


def _prefix(entry: ChangeEntry) -> str:
    return f"**{_one_line(entry.scope)}:** " if entry.scope else ""


def _one_line(text: str) -> str:
    return " ".join(text.split())


def tag_message(subject: str, changelog: str, trailers: Sequence[tuple[str, str]]) -> str:
    """Compose an annotated tag message with trailers in the final paragraph."""
    block = "\n".join(f"{key}: {_one_line(value)}" for key, value in trailers)
    return f"{subject}\n\n{changelog.strip()}\n\n{block}\n"


@dataclass(frozen=True, slots=True)
class TagNote:
    """What a version tag's message says about itself."""

    changelog: str
    trailers: Mapping[str, str]

    @property
    def digest(self) -> str | None:
        """`Template-Digest` value (`sha256:<hex>`)."""
        return self.trailers.get("template-digest")

    @property
    def tree(self) -> str | None:
        """`Template-Tree` value (a Git tree id)."""
        return self.trailers.get("template-tree")

    @property
    def compatibility(self) -> str | None:
        """`Compatibility` value (`breaking|minor|patch|none`)."""
        return self.trailers.get("compatibility")


def read_tag_message(message: str) -> TagNote:
    """Split a tag message into its changelog and its trailers (keys lower-cased)."""
    parsed = parse_message(message)
    trailers = {f.token.lower(): f.value for f in parsed.footers}
    return TagNote(changelog=parsed.body, trailers=trailers)
