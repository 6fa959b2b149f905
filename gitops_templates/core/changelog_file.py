"""Changelog files (Keep a Changelog), kept up to date one version at a time. Pure.

`add_entries(existing, entries)` returns the file with the new versions inserted and
everything else byte for byte as it was: hand edits to older entries, an
`## [Unreleased]` section the user keeps, text before the first version and link
reference definitions at the bottom all survive. A version already in the file is
left alone (re-running a release changes nothing). In a template's file a version
goes in its semver place (newest first); in the catalog's file (`[web@1.2.0]`) new
entries go above older dates. Commit subjects are untrusted: they are escaped for
Markdown, so a subject cannot add links, HTML or headings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gitops_templates.core.markdown import markdown_text
from gitops_templates.core.version_rules import parse_version, precedence

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

    from gitops_templates.core.changelog import ChangeItem, ChangeSection

TITLE = "# Changelog"
INTRO = (
    "Generated from Conventional Commits by gitops-templates, newest first "
    "([Keep a Changelog](https://keepachangelog.com/en/1.1.0/)); "
    "hand edits to older entries are kept."
)
_HEADING = re.compile(r"^## +\[?(?P<key>[^\]\s]+)\]?")
_DAY = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
_LINK_DEF = re.compile(r"^ {0,3}\[(?P<label>[^\]]+)\]:\s*\S")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_GITHUB = re.compile(
    r"^(?:(?:https?|ssh|git)://(?:[^@/]+@)?github\.com(?::\d+)?/|[^@/]+@github\.com:)"
    r"(?P<owner>[A-Za-z0-9_.-]+)/(?P<repo>[A-Za-z0-9_.-]+?)(?:\.git)?/?$"
)


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One version as a changelog file shows it."""

    key: str  # the heading's label: `1.2.0` (a template's file) or `web@1.2.0`
    day: str  # YYYY-MM-DD
    sections: tuple[ChangeSection, ...]
    notes: tuple[str, ...] = ()  # compatibility findings, as the tag message lists them
    link: str | None = None  # target of the `[key]:` link reference definition
    commits_url: str | None = None  # `<base>/commit`: each commit id links there


def github_url(remote_url: str | None) -> str | None:
    """`https://github.com/OWNER/REPO` for a GitHub remote (https, ssh or scp form).

    Credentials in the URL are dropped; any other host gives None (no links).
    """
    match = _GITHUB.match((remote_url or "").strip())
    if match is None or match["repo"] in (".", ".."):
        return None
    return f"https://github.com/{match['owner']}/{match['repo']}"


def compare_link(base: str, tag: str, previous_tag: str | None) -> str:
    """The compare view from the previous version's tag, or the tag itself for a first one."""
    if previous_tag is None:
        return f"{base}/releases/tag/{tag}"
    return f"{base}/compare/{previous_tag}...{tag}"


def render_entry(entry: FileEntry) -> str:
    """`## [1.2.0] - 2026-01-16` and its sections (no trailing blank line)."""
    lines = [f"## [{entry.key}] - {entry.day}"]
    for section in entry.sections:
        lines += ["", f"### {section.title}", ""]
        lines += [f"- {_item(item, entry.commits_url)}" for item in section.items]
    if entry.notes:
        lines += ["", "### Compatibility findings", ""]
        lines += [f"- {markdown_text(_one_line(note))}" for note in entry.notes]
    return "\n".join(lines)


def _item(item: ChangeItem, commits_url: str | None) -> str:
    scope = f"**{markdown_text(_one_line(item.scope))}:** " if item.scope else ""
    text = markdown_text(_one_line(item.text))
    if not item.sha:
        return f"{scope}{text}"
    short = item.sha[:7]
    sha = f"[{short}]({commits_url}/{item.sha})" if commits_url else short
    return f"{scope}{text} ({sha})"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def new_file() -> str:
    """The text of a changelog file before its first version."""
    return f"{TITLE}\n\n{INTRO}\n"


def add_entries(
    existing: str | None,
    entries: Sequence[FileEntry],
    *,
    by_version: bool = True,
    provisional: Collection[str] = (),
) -> str:
    """`existing` (None: a new file) with the entries it lacks inserted.

    `by_version`: a template's file, ordered by semver; otherwise the catalog's,
    ordered by day (entries of one call keep their order). `provisional`: labels of
    versions never tagged (a release pull request merged but refused): their entries are
    removed, unless one says exactly what its new entry says (the date aside).
    """
    text = new_file() if existing is None else existing
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines()
    changed = existing is None
    wanted = {entry.key: entry for entry in entries}
    for key in provisional:
        start = _headings(lines).get(key)
        if start is not None and not _says(lines, start, wanted.get(key)):
            lines = _remove(lines, key, start)
            changed = True
    for entry in reversed(entries) if not by_version else entries:
        if entry.key not in _headings(lines):
            lines = _insert(lines, entry, by_version=by_version)
            changed = True
    return newline.join(lines) + newline if changed else text


def _says(lines: Sequence[str], start: int, entry: FileEntry | None) -> bool:
    """Whether the entry at `start` has the body `entry` would have."""
    if entry is None:
        return False
    end = _end_of(lines, start)
    body = [line for line in lines[start + 1 : end] if line.strip()]
    return body == [line for line in render_entry(entry).split("\n")[1:] if line.strip()]


def _end_of(lines: Sequence[str], start: int) -> int:
    """Where the entry whose heading is at `start` ends (the next heading or the links)."""
    later = [index for index in _headings(lines).values() if index > start]
    return min([*later, _link_block(lines)])


def _remove(lines: list[str], key: str, start: int) -> list[str]:
    """`lines` without the entry of `key` and its link definition."""
    end = _end_of(lines, start)
    kept = [*lines[:start], *lines[end:]]
    return [line for line in kept if not ((m := _LINK_DEF.match(line)) and m["label"] == key)]


def versions_in(text: str) -> list[str]:
    """The labels of the version headings of a changelog file, in file order."""
    return [key for key in _headings(text.splitlines()) if key.lower() != "unreleased"]


def _headings(lines: Sequence[str]) -> dict[str, int]:
    """Heading label -> line index of every `## ` heading outside code fences."""
    found: dict[str, int] = {}
    fenced = False
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and (match := _HEADING.match(line)):
            found.setdefault(match["key"], index)
    return found


def _insert(lines: list[str], entry: FileEntry, *, by_version: bool) -> list[str]:
    block = _link_block(lines)
    before = _place(lines, entry, by_version=by_version)
    body = render_entry(entry).split("\n")
    if before is not None:
        lines = [*lines[:before], *body, "", *lines[before:]]
    else:
        end = block
        while end > 0 and not lines[end - 1].strip():
            end -= 1
        tail = ["", *lines[block:]] if block < len(lines) else []
        lines = [*lines[:end], "", *body, *tail]
    if entry.link is None:
        return lines
    return _add_link(lines, entry, next_key=_key_at(lines, before, len(body)))


def _place(lines: Sequence[str], entry: FileEntry, *, by_version: bool) -> int | None:
    """The line of the first heading the entry goes above (None: after the last one)."""
    new = _precedence(entry.key) if by_version else None
    for key, index in _headings(lines).items():
        if key.lower() == "unreleased":
            continue
        if by_version:
            old = _precedence(key)
            if new is not None and old is not None and old < new:
                return index
        else:
            day = _DAY.search(lines[index])
            if day is None or day[1] <= entry.day:
                return index
    return None


def _key_at(lines: Sequence[str], before: int | None, inserted: int) -> str | None:
    """The label of the heading the new entry was put above, if any."""
    if before is None:
        return None
    match = _HEADING.match(lines[before + inserted + 1])
    return match["key"] if match else None


def _add_link(lines: list[str], entry: FileEntry, *, next_key: str | None) -> list[str]:
    """Add `[key]: link` to the link definitions at the bottom (unless it is there)."""
    block = _link_block(lines)
    labels = {
        m["label"]: block + i
        for i, line in enumerate(lines[block:])
        if (m := _LINK_DEF.match(line))
    }
    if entry.key in labels:
        return lines
    definition = f"[{entry.key}]: {entry.link}"
    if next_key in labels:
        at = labels[next_key]
        return [*lines[:at], definition, *lines[at:]]
    if labels:
        last = max(labels.values()) + 1
        return [*lines[:last], definition, *lines[last:]]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return [*lines, "", definition]


def _link_block(lines: Sequence[str]) -> int:
    """Where the trailing link reference definitions start (len(lines) when none)."""
    start = len(lines)
    index = len(lines) - 1
    while index >= 0 and (not lines[index].strip() or _LINK_DEF.match(lines[index])):
        if lines[index].strip():
            start = index
        index -= 1
    return start


def _precedence(key: str) -> tuple[int, int, int, int, tuple[tuple[int, int, str], ...]] | None:
    """The semver sort key of a heading label (None: not a version)."""
    try:
        return precedence(parse_version(key.removeprefix("v").removeprefix("V")))
    except ValueError:
        return None
