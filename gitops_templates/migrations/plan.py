"""Use-case `migrate plan ID --from A --to B`: the ordered migrations between two versions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitops_templates.errors import NotFoundError
from gitops_templates.migrations.releases import Releases, parse_version

if TYPE_CHECKING:
    from semver import Version

    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.migrations.core.paths import MigrationPath


def migrate_plan(ws: Workspace, tid: str, source: str, target: str) -> MigrationPath:
    """The path from `source` to `target` (versions, or `latest`).

    A version above every release is the template's next one: its migrations are read
    from the work tree's template.yaml, so authors can check a path before releasing.
    """
    from dataclasses import replace

    from gitops_templates.migrations.core.paths import parse_migrations, plan_path
    from gitops_templates.rendering.render import load_source, read_metadata

    releases = Releases(ws)
    ends = [_version(releases, tid, text) for text in (source, target)]
    released = releases.versions(tid)
    if max(ends) <= max(released, default=ends[0]) or ws.repo.bare:
        return releases.path(tid, ends[0], ends[1])
    metadata, _ = read_metadata(load_source(ws, tid, None))
    path = plan_path(
        tid,
        parse_migrations(metadata.get("migrations") or []),
        ends[0],
        ends[1],
        yanked=releases.yanked(tid),
        schema_before=lambda v: releases.schema_before(tid, v),
    )
    note = f"{max(ends)} is not released: migrations read from the work tree"
    return replace(path, notes=(*path.notes, note))


def _version(releases: Releases, tid: str, text: str) -> Version:
    if text == "latest":
        latest = releases.latest(tid)
        if latest is None:
            raise NotFoundError(f"{tid} has no installable version", hint="release one first")
        return latest
    return parse_version(text)
