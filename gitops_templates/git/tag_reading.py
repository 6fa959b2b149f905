"""Every tag of the repository, with annotated tags peeled through the object facts.

Peeling (reading each tag object for the commit it points at) is most of what listing
thousands of tags costs. A tag object never changes, so where it points and when it was
made are remembered by its id: a warm run lists refs only and reads the objects of new
tags, a few directly, many through one peeling `for-each-ref`; a first run makes that
peeling listing alone and takes the refs from it too.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from gitops_templates.core.models import TagRecord
from gitops_templates.git.object_facts import is_object_id

if TYPE_CHECKING:
    from gitops_templates.git.object_facts import ObjectFacts
    from gitops_templates.git.repo import GitRepo

PEEL_DIRECTLY = 200  # unknown tag objects read with cat-file; more: for-each-ref peels all


class TagReading:
    """The tags of one command: the refs (a remembered plan's key) and the records.

    Both come from one listing. On a first run (no facts kept yet) that is one peeling
    `for-each-ref`, which gives the records as they are; later, a listing of refs whose
    annotated tag objects are peeled through the remembered facts.
    """

    def __init__(self, repo: GitRepo, facts: ObjectFacts) -> None:
        self._repo = repo
        self._facts = facts
        self._first: list[TagRecord] | None = None  # a first run's peeled listing

    @cached_property
    def refs(self) -> list[tuple[str, str, str]]:
        """`(name, object id, object type)` of every tag."""
        if not self._facts.kept():
            self._first = self._repo.tags(details=False)
            return [(t.name, t.object_sha, _kind(t)) for t in self._first]
        return self._repo.tag_listing()

    @cached_property
    def records(self) -> list[TagRecord]:
        """Tags as `GitRepo.tags(details=False)` gives them, mostly from remembered facts."""
        refs = self.refs  # every record comes from this one listing
        if self._first is not None:
            self._facts.remember("tag", {t.object_sha: [t.commit_sha, t.tagger_time]
                                         for t in self._first if t.annotated})  # fmt: skip
            self._facts.save()
            return self._first
        annotated = [oid for _, oid, kind in refs if kind == "tag"]
        repo, facts = self._repo, self._facts
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


def _kind(tag: TagRecord) -> str:
    """The listed object type, as far as the records tell it."""
    if tag.annotated:
        return "tag"
    return "commit" if tag.commit_sha else "other"


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
