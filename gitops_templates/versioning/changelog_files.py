"""The changelog files a release updates (`changelog:` in the config).

Each planned component's file (`<its directory>/<changelog.file>`) gets the new
version's entry, and the catalog's file (`changelog.catalog`) an entry per tag; the
text is read from HEAD and only files that change are returned. Links go to GitHub
when the `origin` remote is there (read from the config: no network).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitops_templates.core.changelog_file import (
    FileEntry,
    add_entries,
    compare_link,
    github_url,
    versions_in,
)
from gitops_templates.core.version_rules import TagFormat, parse_version, precedence
from gitops_templates.errors import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Callable

    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.versioning.plan import PlannedRelease, ReleasePlan

LINK_REMOTE = "origin"


def changelog_updates(ws: Workspace, plan: ReleasePlan) -> dict[str, bytes]:
    """Repository path -> new content of every changelog file the plan changes."""
    files = ws.changelog_files
    if not files or not plan.releases:
        return {}
    base = github_url(ws.repo.config(f"remote.{LINK_REMOTE}.url"))
    own = [(r, files[r.id]) for r in plan.releases if r.id in files]
    catalog = files.get("")
    paths = {path for _, path in own} | ({catalog} if catalog else set())
    before = {path: _read(ws, plan.head, path) for path in sorted(paths)}
    after = dict(before)
    for release, path in own:
        entry = _entry(ws, release, base, release.next)
        stale = _untagged(after[path], release.current, lambda label: label)
        after[path] = add_entries(after[path], [entry], provisional=stale)
    if catalog:
        entries = [_entry(ws, r, base, r.tag) for r in plan.releases]
        text = after[catalog]
        stale = [key for r in plan.releases
                 for key in _untagged(text, r.current, _version_of(ws, r.id))]  # fmt: skip
        after[catalog] = add_entries(after[catalog], entries, by_version=False,
                                     provisional=stale)  # fmt: skip
    return {
        path: text.encode()
        for path, text in after.items()
        if text is not None and text != before[path]
    }


def _untagged(
    text: str | None, current: str | None, version_of: Callable[[str], str | None]
) -> list[str]:
    """Labels of entries for versions above the current one: never tagged (provisional)."""
    if text is None or current is None:
        return []  # a first release: older entries are history from before
    floor = precedence(parse_version(current))
    found = []
    for label in versions_in(text):
        version = version_of(label)
        try:
            newer = version is not None and precedence(parse_version(version)) > floor
        except ValueError:  # a label of the user's own (`1.0`, `2024-01`): history
            newer = False
        if newer:
            found.append(label)
    return found


def _version_of(ws: Workspace, tid: str) -> Callable[[str], str | None]:
    """The version a catalog changelog label (a tag name) gives for `tid`, if any."""
    fmt = TagFormat.compile(ws.component(tid).tag_format)

    def version(label: str) -> str | None:
        parsed = fmt.parse(label)
        return parsed[1] if parsed and parsed[0] == tid else None

    return version


def _entry(ws: Workspace, release: PlannedRelease, base: str | None, key: str) -> FileEntry:
    link = None
    if base is not None:
        component = ws.component(release.id)
        fmt = TagFormat.compile(component.tag_format)
        previous = fmt.render(release.id, release.current) if release.current else None
        link = compare_link(base, release.tag, previous)
    return FileEntry(
        key=key,
        day=release.day,
        sections=release.sections,
        notes=tuple(line.strip() for line in release.compatibility_summary.splitlines()),
        link=link,
        commits_url=f"{base}/commit" if base else None,
    )


def _read(ws: Workspace, head: str, path: str) -> str | None:
    listed = ws.repo.try_run(["ls-tree", "-z", head, "--", path]) or b""
    if listed and not listed.startswith(b"100"):  # a symbolic link, a directory, a submodule
        raise InvalidInputError(
            f"{path} is not a regular file (mode {listed.split(b' ')[0].decode()}): "
            "the release does not write a changelog through it",
            hint="make it a plain Markdown file and commit that first",
        )
    data = ws.repo.read_file(head, path)
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInputError(
            f"{path} is not UTF-8 text: the release cannot add to it",
            hint="convert it to UTF-8 (or move it away) and commit that first",
        ) from None
