"""The changelog files a release updates (`changelog:` in the config).

Each planned component's file (`<its directory>/<changelog.file>`) gets the new
version's entry, and the catalog's file (`changelog.catalog`) an entry per tag; the
text is read from HEAD and only files that change are returned. Links go to GitHub
when the `origin` remote is there (read from the config: no network).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitops_templates.core.changelog_file import FileEntry, add_entries, compare_link, github_url
from gitops_templates.core.version_rules import TagFormat
from gitops_templates.errors import InvalidInputError

if TYPE_CHECKING:
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
        after[path] = add_entries(after[path], [_entry(ws, release, base, release.next)])
    if catalog:
        entries = [_entry(ws, r, base, r.tag) for r in plan.releases]
        after[catalog] = add_entries(after[catalog], entries, by_version=False)
    return {
        path: text.encode()
        for path, text in after.items()
        if text is not None and text != before[path]
    }


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
