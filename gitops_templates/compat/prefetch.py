"""The comparisons a cold `plan` will likely need, computed while history is walked.

Which templates `plan` compares depends on the history walk (what is unreleased, which
tags HEAD reaches), but nearly always it is every template whose template.yaml at HEAD
differs from the one at its latest version tag, compared with the versions of that
line. Those are known from HEAD's tree and the tags alone, so on a full walk a forked
child computes them meanwhile (`catalog.parallel.learned_meanwhile`): the blob ids, the
schema verdicts and the findings of each pair, everything keyed by object ids in the
facts store. The child writes nothing; it sends what it learned after each template,
which joins this process's store. The policy then looks them up as it looks up a warm
run's, going through the templates from the last one back and computing what has not
arrived, so when the walk ends first it does the rest of the work instead of waiting:
a guess that missed costs only the child's time, and no result depends on whether the
child ran, finished or failed.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from contextlib import AbstractContextManager

    from gitops_templates.catalog.parallel import Meanwhile
    from gitops_templates.catalog.workspace import Workspace

MIN_TAGS = 64  # fewer version tags: a short history and few pairs, not worth a fork


def comparisons_meanwhile(
    ws: Workspace, ids: Sequence[str] = ()
) -> AbstractContextManager[Meanwhile]:
    """A block in which a child computes the likely comparisons of `ids` (all: empty).

    The child goes through the templates in order and sends what it learned after each;
    the policy goes through them from the other end, taking in what has arrived
    (`Meanwhile.absorb`) and computing what has not, so neither waits for the other.
    """
    from gitops_templates.catalog.collecting import full_walk_ahead
    from gitops_templates.catalog.parallel import can_fork, learned_meanwhile

    if not can_fork() or not full_walk_ahead(ws) or len(ws.tags) < MIN_TAGS:
        return learned_meanwhile(ws, None)
    selected = ws.select(ids)  # reads settings, HEAD's tree and the components here
    return learned_meanwhile(ws, partial(_learned, ws, selected), wait=False)


def _learned(ws: Workspace, selected: Sequence[str], checkpoint: Callable[[], None]) -> None:
    """In the child: compare as the policy would, assuming every tag is reachable."""
    from gitops_templates.compat.check import against_line, snapshots
    from gitops_templates.compat.memo import FindingsMemo
    from gitops_templates.compat.policy import earlier_in_line
    from gitops_templates.core.tags import read_versions
    from gitops_templates.core.version_rules import VersionLine
    from gitops_templates.errors import GitOpsTemplatesError

    rules = ws.settings.rules
    versions = read_versions(ws.components, ws.tags, {t.commit_sha for t in ws.tags
                                                      if t.commit_sha})  # fmt: skip
    lines = {}
    for component in ws.components:
        items = versions.of(component.id)
        if component.kind != "template" or component.id not in selected:
            continue
        latest = VersionLine.from_versions([v.version for v in items]).current
        current = next((v for v in items if v.version == latest), None)
        if current is not None and current.tag.commit_sha:
            first = (str(current.version), current.tag.commit_sha)
            lines[component.id] = (component, [first, *earlier_in_line(current, items, rules)])
    base = ws.settings.templates_dir
    at_head = {f"{ws.head}:{base}/{e.path}": e.sha for e in ws.head_tree}
    firsts = [(c, "HEAD", ws.head) for c, _ in lines.values()]
    firsts += [(c, *line[0]) for c, line in lines.values()]
    found = snapshots(ws, firsts, files=False, known=at_head)
    changed = {cid: (c, line) for cid, (c, line) in lines.items()
               if found[(cid, "HEAD")].meta_id != found[(cid, line[0][0])].meta_id}  # fmt: skip
    found.update(snapshots(ws, [(c, *place) for c, line in changed.values()
                                for place in line[1:]], files=False))  # fmt: skip
    memo = FindingsMemo(ws.facts)
    for cid, (_, line) in changed.items():
        older = [found[(cid, label)] for label, _ in line]
        try:
            against_line(ws, cid, found[(cid, "HEAD")], older, overrides={}, waivers=set(),
                         memo=memo)  # fmt: skip
        except GitOpsTemplatesError:
            continue  # the policy meets it again, and reports it
        checkpoint()
