"""Use-case `diff ID [A] [B]`: compatibility findings and files changed between two versions.

A and B may be versions of the template (`1.2.0` or the tag name) or any Git revision;
A defaults to the latest version, B to the work tree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitops_templates.compat.check import (
    compare,
    load_overrides,
    profile_for,
    snapshots,
    work_tree_snapshot,
)
from gitops_templates.errors import NotFoundError

if TYPE_CHECKING:
    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.compat.check import CompatibilityReport, Snapshot
    from gitops_templates.core.models import Component
    from gitops_templates.core.tags import VersionTag


def diff(
    ws: Workspace,
    cid: str,
    old: str | None = None,
    new: str | None = None,
    *,
    profile: str | None = None,
) -> CompatibilityReport:
    """Compare two versions (or revisions) of a template."""
    component = ws.component(cid)
    versions = ws.versions.of(cid)
    if old is None:
        released = [v for v in versions if v.reachable]
        if not released:
            raise NotFoundError(
                f"{cid} has no released version to compare with",
                hint=f"name a revision: `gitops-templates diff {cid} main`",
            )
        old = str(released[0].version)
    places = [_place(ws, component, versions, old)]
    if new is not None:
        places.append(_place(ws, component, versions, new))
    found = snapshots(ws, places)
    before = found[(cid, places[0][1])]
    after: Snapshot = (
        found[(cid, places[1][1])] if new is not None else work_tree_snapshot(ws, component)
    )
    chosen = profile or profile_for(ws, after if after.metadata else before)
    return compare(before, after, cid=cid, profile=chosen, overrides=load_overrides(ws))


def _place(
    ws: Workspace, component: Component, versions: list[VersionTag], spec: str
) -> tuple[Component, str, str]:
    for version in versions:
        if spec in (str(version.version), version.tag.name) and version.tag.commit_sha:
            return component, spec, version.tag.commit_sha
    return component, spec, ws.repo.resolve(spec)
