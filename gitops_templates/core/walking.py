"""Walking history into each component's unreleased changes. Pure (callbacks for IO).

One pass finds what HEAD reaches; a second pass (bit masks, `graph.containment`)
finds, for every commit, which components' latest release / prerelease tags already
contain it. Commits attributed to a component and not contained in its latest release
are its unreleased commits (`core.planning` turns them into versions). `advance` adds
the commits made since a walk; `walk_floor` says where a walk may stop.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from gitops_templates.core.conventional import split_list
from gitops_templates.core.graph import containment
from gitops_templates.core.planning import Collected, CommitChange
from gitops_templates.core.tags import VersionTag, read_versions
from gitops_templates.core.version_rules import VersionLine

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from gitops_templates.core.attribution import Attributor
    from gitops_templates.core.models import (
        CommitMessage,
        CommitRecord,
        Component,
        Notice,
        TagRecord,
    )
    from gitops_templates.core.version_rules import BumpRules


def collect(
    *,
    head: str,
    components: Sequence[Component],
    tags: Sequence[TagRecord],
    commits: Sequence[CommitRecord],
    rules: BumpRules,
    attributor: Attributor,
    parse: Callable[[CommitRecord], CommitMessage],
    merges_skipped: bool = True,
    reached_below: frozenset[str] = frozenset(),
) -> Collected:
    """Walk the commits once and find every component's unreleased changes.

    With `merges_skipped` (the default walk over every commit) a merge commit is not
    counted: the commits of the merged branch carry the changes and the changelog.
    Walking the first-parent chain instead, merge commits stand for their branches.

    `commits` may stop at a commit every component's latest release contains (see
    `walk_floor`): nothing below it can change anything. `reached_below` then names
    the tagged commits below it that `head` reaches.
    """
    order = [(c.sha, c.parents) for c in commits]
    reachable = set(containment(order, {head: 1})) | reached_below
    ids = [c.id for c in components]
    versions, lines = _lines(components, tags, reachable)
    marks, bits = _marks(ids, versions, lines)
    contained = containment(order, marks)
    changes: dict[str, list[CommitChange]] = {cid: [] for cid in ids}
    fresh = dict.fromkeys(ids, False)
    notices: list[Notice] = []
    head_time = 0
    # A commit every component's latest release contains can change nothing: skip it
    # without looking at files or footers (most of a long history, once all are released).
    everywhere = 0 if any(not b[0] for b in bits.values()) else sum(b[0] for b in bits.values())
    for commit in commits:
        if commit.sha == head:
            head_time = commit.commit_time
        if commit.sha not in reachable or (merges_skipped and len(commit.parents) > 1):
            continue
        mask = contained.get(commit.sha, 0)
        if everywhere and mask & everywhere == everywhere:
            continue
        unreleased = partial(_not_in_release, mask, bits)
        found = _changes_of(commit, attributor, parse, rules, notices, unreleased)
        for cid, change in found:
            changes[cid].append(change)
            if not mask & bits[cid][1] and change.releasable:
                fresh[cid] = True
    tagged = frozenset(t.commit_sha for t in tags if t.commit_sha in reachable)
    return Collected(
        head,
        head_time,
        tagged,
        {k: _newest_first(v) for k, v in changes.items()},
        fresh,
        tuple(notices),
    )


def advance(
    prior: Collected,
    *,
    head: str,
    new_commits: Sequence[CommitRecord],
    rules: BumpRules,
    attributor: Attributor,
    parse: Callable[[CommitRecord], CommitMessage],
    merges_skipped: bool = True,
) -> Collected:
    """Add commits made on top of `prior.head` (none of them tagged) to `prior`."""
    added: dict[str, list[CommitChange]] = {}
    fresh = dict(prior.fresh)
    notices = list(prior.notices)
    head_time = prior.head_time
    for commit in new_commits:
        if commit.sha == head:
            head_time = commit.commit_time
        if merges_skipped and len(commit.parents) > 1:
            continue
        for cid, change in _changes_of(commit, attributor, parse, rules, notices, _always):
            if cid in prior.changes:
                added.setdefault(cid, []).append(change)
                fresh[cid] = fresh[cid] or change.releasable
    changes = {cid: _newest_first([*added.get(cid, ()), *old])
               for cid, old in prior.changes.items()}  # fmt: skip
    return Collected(head, head_time, prior.reachable_tags, changes, fresh, tuple(notices))


def _newest_first(changes: Sequence[CommitChange]) -> tuple[CommitChange, ...]:
    """A component's changes newest first by author date (then commit id).

    One order whatever walk found them (one pass, two halves, above a floor, or added
    on top of a stored walk), so changelogs are the same on every machine.
    """
    return tuple(sorted(changes, key=lambda c: (-c.author_time, c.sha)))


def _always(cid: str) -> bool:
    return True


def _not_in_release(mask: int, bits: Mapping[str, tuple[int, int]], cid: str) -> bool:
    return not mask & bits[cid][0]


def _changes_of(
    commit: CommitRecord,
    attributor: Attributor,
    parse: Callable[[CommitRecord], CommitMessage],
    rules: BumpRules,
    notices: list[Notice],
    unreleased: Callable[[str], bool],
) -> list[tuple[str, CommitChange]]:
    """The (component, change) pairs one commit contributes."""
    targets = attributor.by_path(commit.files)
    message: CommitMessage | None = None
    lowered = commit.message.lower()  # 10x faster than a case-insensitive regex
    if "template" in lowered or "release-as" in lowered:  # cheap test before parsing
        message = parse(commit)
        named, found = attributor.named_targets(commit.sha, message)
        targets |= named
        notices.extend(found)
    pending = [cid for cid in sorted(targets) if unreleased(cid)]
    if not pending:
        return []
    message = message or parse(commit)
    scope = attributor.scope_notice(commit.sha, message, targets)
    if scope is not None:
        notices.append(scope)
    only = len(targets) == 1
    return [(cid, _classify(commit, message, cid, rules, only_target=only)) for cid in pending]


def walk_floor(
    components: Sequence[Component], tags: Sequence[TagRecord], reached: set[str]
) -> list[str] | None:
    """The commit of every component's latest release, or None when one has none.

    `reached` holds the tagged commits HEAD reaches. `collect` skips every commit all
    these releases contain: below their common ancestor, history changes nothing.
    """
    versions, lines = _lines(components, tags, reached)
    floor = []
    for component in components:
        wanted = lines[component.id].latest_release
        commit = next((v.tag.commit_sha for v in versions[component.id]
                       if v.reachable and v.version == wanted), None)  # fmt: skip
        if wanted is None or commit is None:
            return None
        floor.append(commit)
    return floor


def _lines(
    components: Sequence[Component], tags: Sequence[TagRecord], reachable: set[str]
) -> tuple[dict[str, list[VersionTag]], dict[str, VersionLine]]:
    """Each component's versions and the line of those `reachable`."""
    versions = read_versions(components, tags, reachable).by_component
    lines = {cid: VersionLine.from_versions([v.version for v in items if v.reachable])
             for cid, items in versions.items()}  # fmt: skip
    return versions, lines


def _marks(
    selected: Sequence[str],
    versions: dict[str, list[VersionTag]],
    lines: dict[str, VersionLine],
) -> tuple[dict[str, int], dict[str, tuple[int, int]]]:
    marks: dict[str, int] = {}
    bits: dict[str, tuple[int, int]] = {}
    bit = 1
    for cid in selected:
        line = lines[cid]
        pair = []
        for wanted in (line.latest_release, line.latest_prerelease):
            commit = next(
                (v.tag.commit_sha for v in versions[cid] if v.reachable and v.version == wanted),
                None,
            )
            if wanted is None or commit is None:
                pair.append(0)
                continue
            marks[commit] = marks.get(commit, 0) | bit
            pair.append(bit)
            bit <<= 1
        bits[cid] = (pair[0], pair[1])
    return marks, bits


def _classify(
    commit: CommitRecord,
    message: CommitMessage,
    cid: str,
    rules: BumpRules,
    *,
    only_target: bool,
) -> CommitChange:
    level, rule = rules.commit_level(message)
    requests = tuple(
        item
        for value in message.footer_values("Release-As")
        for item in split_list(value)
        if item.startswith(f"{cid}@") or ("@" not in item and only_target)
    )
    skipped = any(v.strip().lower() == "none" for v in message.footer_values("Release"))
    if skipped:
        rule = "`Release: none` footer"
    return CommitChange(
        sha=commit.sha,
        subject=message.subject,
        type=message.type,
        scope=message.scope,
        level=level,
        breaking=message.breaking,
        breaking_notes=message.breaking_notes,
        rule=rule,
        author_time=commit.author_time,
        skipped=skipped,
        release_as=requests,
        waivers=message.footer_values("Compatibility-Waiver"),
    )
