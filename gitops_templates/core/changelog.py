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


@dataclass(frozen=True, slots=True)
class ChangeItem:
    """One line of a changelog section (`sha` empty for a waiver)."""

    scope: str | None
    text: str
    sha: str


@dataclass(frozen=True, slots=True)
class ChangeSection:
    """`### <title>` and its items."""

    title: str
    items: tuple[ChangeItem, ...]


def changelog_sections(
    entries: Sequence[ChangeEntry], *, waived: Sequence[str] = ()
) -> tuple[ChangeSection, ...]:
    """The sections of one version: breaking changes first, then by type, then waivers.

    What the tag message and the changelog files both show, each in its own form.
    """
    sections = []
    breaking = [
        ChangeItem(entry.scope, note, entry.sha)
        for entry in entries
        if entry.breaking
        for note in entry.breaking_notes or (entry.subject,)
    ]
    if breaking:
        sections.append(ChangeSection("⚠ BREAKING CHANGES", tuple(breaking)))
    groups: dict[str, list[ChangeEntry]] = {}
    for entry in entries:
        if entry.type is not None and (entry.level > Level.NONE or entry.breaking):
            groups.setdefault(entry.type, []).append(entry)
    for type_ in sorted(groups, key=_section_order):
        items = tuple(ChangeItem(e.scope, e.subject, e.sha) for e in groups[type_])
        sections.append(ChangeSection(SECTION_TITLES.get(type_, type_.capitalize()), items))
    if waived:
        waivers = tuple(ChangeItem(None, item, "") for item in waived)
        sections.append(ChangeSection("Compatibility waivers", waivers))
    return tuple(sections)


def release_day(timestamp: int) -> str:
    """`YYYY-MM-DD` (UTC) of a release's commit time."""
    return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d")


def render_changelog(
    component_id: str,
    version: str,
    timestamp: int,
    entries: Sequence[ChangeEntry],
    *,
    waived: Sequence[str] = (),
) -> str:
    """Markdown changelog of one version (a tag message's): breaking changes first.

    `waived` lists compatibility findings a `Compatibility-Waiver:` footer accepted.
    """
    lines = [f"## {component_id} {version} ({release_day(timestamp)})"]
    for section in changelog_sections(entries, waived=waived):
        lines += ["", f"### {section.title}", ""]
        lines += [f"- {_plain(item)}" for item in section.items]
    return "\n".join(lines) + "\n"


def _plain(item: ChangeItem) -> str:
    scope = f"**{_one_line(item.scope)}:** " if item.scope else ""
    sha = f" ({item.sha[:7]})" if item.sha else ""
    return f"{scope}{_one_line(item.text)}{sha}"


def _section_order(type_: str) -> tuple[int, str]:
    order = list(SECTION_TITLES)
    return (order.index(type_) if type_ in order else len(order), type_)


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
