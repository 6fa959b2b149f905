"""Every tag of the repository, with annotated tags peeled through the object facts.

Peeling (reading each tag object for the commit it points at) is most of what listing
thousands of tags costs. A tag object never changes, so where it points and when it was
made are remembered by its id: a warm run lists refs only and reads the objects of new
tags, a few directly, many through one peeling `for-each-ref`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitops_templates.core.models import TagRecord
from gitops_templates.git.object_facts import is_object_id

if TYPE_CHECKING:
    from collections.abc import Callable

    from gitops_templates.git.object_facts import ObjectFacts
    from gitops_templates.git.repo import GitRepo

PEEL_DIRECTLY = 200  # unknown tag objects read with cat-file; more: for-each-ref peels all


def read_tags(
    repo: GitRepo, facts: ObjectFacts, listing: Callable[[], list[tuple[str, str, str]]]
) -> list[TagRecord]:
    """Tags as `GitRepo.tags(details=False)` gives them, mostly from remembered facts.

    `listing` gives `GitRepo.tag_listing()` (which the caller may have read already).
    """
    refs = listing()  # every record comes from this one listing (a plan is keyed by it)
    annotated = [oid for _, oid, kind in refs if kind == "tag"]
    peeled = facts.lookup("tag", annotated, lambda oids: _peel(repo, oids), valid=_is_peel)
    facts.save()
    return [
        TagRecord(name, oid, peeled[oid][0], annotated=True, signed=None,
                  tagger_time=peeled[oid][1], message=None)
        if kind == "tag"
        else TagRecord(name, oid, oid if kind == "commit" else None, annotated=False,
                       signed=None, tagger_time=None, message=None)
        for name, oid, kind in refs
        if kind != "tag" or oid in peeled  # a tag deleted between the two reads
    ]  # fmt: skip


def _peel(repo: GitRepo, oids: list[str]) -> dict[str, list[str | int | None]]:
    """`[commit, tagger time]` of tag objects."""
    wanted = set(oids)
    if len(oids) > PEEL_DIRECTLY:
        records = repo.tags(details=False)
    else:
        records = repo.tag_objects({oid: oid for oid in oids})
    return {
        r.object_sha: [r.commit_sha, r.tagger_time]
        for r in records
        if r.annotated and r.object_sha in wanted
    }


def _is_peel(value: object) -> bool:
    """A remembered `[commit id or None, tagger time or None]`."""
    if not isinstance(value, list) or len(value) != 2:
        return False
    commit, when = value
    return (commit is None or (isinstance(commit, str) and is_object_id(commit))) and (
        when is None or type(when) is int
    )
