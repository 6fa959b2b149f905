"""Pushing released tags so that two clones releasing the same commits converge.

Before the atomic push, the remote's tags of those names are looked at. One that is
this very tag object is already there. One made by another clone for the same commit
(same name, same commit, another tag object: the tagger time differs) is adopted:
the local tag is moved to the remote's, so both clones agree and the next run has
nothing to do. One at another commit is a conflict (exit 4): two histories released
the same version. And a tag is pushed only for a commit some branch of the remote
already contains, so no release points at a commit the server does not have on a
branch (push the branch first; the release workflow runs after it is pushed), unless
the branch goes in the same atomic push (`release --commit --push`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from gitops_templates.errors import GitStateError, TagConflictError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.versioning.release import CreatedTag

PROBE = "refs/gitops-templates/probe/"


def push_tags(
    ws: Workspace, remote: str, tags: Sequence[CreatedTag], *, branch: str | None = None
) -> tuple[CreatedTag, ...]:
    """Push what the remote lacks; adopt its identical releases; refuse conflicts.

    With `branch` (`release --commit`: the tags are on its new release commit), the
    branch goes in the same atomic push: both land, or neither.
    """
    theirs = ws.repo.remote_tags(remote, [t.tag for t in tags])
    final: list[CreatedTag] = []
    missing: list[CreatedTag] = []
    for tag in tags:
        oid = theirs.get(tag.tag)
        if oid is None:
            missing.append(tag)
            final.append(tag)
        elif oid == tag.object:
            final.append(tag)
        else:
            final.append(_adopt(ws, remote, tag, oid))
    if missing:
        if branch is None:
            _contained(ws, remote, missing)
        refs = [*([branch] if branch else []), *(f"refs/tags/{t.tag}" for t in missing)]
        ws.repo.push_atomic(remote, refs)
    return tuple(final)


def _adopt(ws: Workspace, remote: str, tag: CreatedTag, oid: str) -> CreatedTag:
    """Take the remote's tag object for `tag` when it names the same commit."""
    probe = f"{PROBE}tags/{tag.tag}"
    ws.repo.fetch_probe(remote, [f"+refs/tags/{tag.tag}:{probe}"])
    try:
        commit = ws.repo.resolve(probe)
    finally:
        ws.repo.update_refs([f"delete {probe}"])
    if commit != tag.commit:
        raise TagConflictError(
            f"{remote} already has {tag.tag} at {commit[:12]}, not at {tag.commit[:12]}: "
            "the same version was released from another history",
            hint=f"fetch ({'git fetch --tags ' + remote}), look at both, and re-plan",
        )
    current = f" {tag.object}" if tag.object else ""
    ws.repo.update_refs([f"update refs/tags/{tag.tag} {oid}{current}"])
    return replace(tag, object=oid, existed=True)


def _contained(ws: Workspace, remote: str, tags: Sequence[CreatedTag]) -> None:
    """Refuse when a commit to tag is on no branch of the remote."""
    heads = f"{PROBE}heads/"
    ws.repo.fetch_probe(remote, [f"+refs/heads/*:{heads}*"])
    try:
        lacking = [t for t in tags if not ws.repo.refs_containing(t.commit, heads)]
    finally:
        probes = ws.repo.refs_with_prefix(heads)
        if probes:
            ws.repo.update_refs([f"delete {ref}" for ref in probes])
    if lacking:
        first = lacking[0]
        raise GitStateError(
            f"{first.tag} would point at {first.commit[:12]}, which no branch of {remote} "
            "contains: nothing was pushed",
            hint=f"push the branch first (`git push {remote} HEAD`), then `release --push`",
        )
