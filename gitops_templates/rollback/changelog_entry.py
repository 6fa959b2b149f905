"""The changelog files a rollback or roll-forward keeps, each with its own entry.

A restore brings back the target's content, not its history: the template's changelog
file stays as HEAD has it, with an entry for the new version above the others, and the
catalog-wide file (when configured) gets one too. Entries say what the tag message says.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitops_templates.core.changelog import ChangeItem, ChangeSection
from gitops_templates.core.changelog_file import FileEntry, add_entries, compare_link, github_url

if TYPE_CHECKING:
    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.core.models import Component

LINK_REMOTE = "origin"


def changelog_paths(ws: Workspace, component: Component) -> list[str]:
    """The changelog files a restore of `component` writes (none when not configured)."""
    found = ws.changelog_files
    return [path for key, path in found.items() if key in (component.id, "")]


def restored_changelogs(
    ws: Workspace,
    component: Component,
    *,
    title: str,
    version: str,
    tags: tuple[str, str],
    lines: list[str],
    day: str,
) -> dict[str, bytes | None]:
    """Path -> new text of each changelog file, HEAD's with the restore's entry added.

    `tags`: (the new version's tag, the tag it follows); `lines`: the entry's items.
    """
    files = ws.changelog_files
    base = github_url(ws.repo.config(f"remote.{LINK_REMOTE}.url"))
    new_tag, previous = tags
    section = ChangeSection(title, tuple(ChangeItem(None, line, "") for line in lines))
    link = compare_link(base, new_tag, previous) if base else None
    found: dict[str, bytes | None] = {}
    for key, path in files.items():
        if key not in (component.id, ""):
            continue
        raw = ws.repo.read_file(ws.head, path)
        text = raw.decode("utf-8", errors="replace") if raw is not None else None
        entry = FileEntry(version if key else new_tag, day, (section,), link=link,
                          commits_url=f"{base}/commit" if base else None)  # fmt: skip
        found[path] = add_entries(text, [entry], by_version=bool(key)).encode()
    return found
