"""From commits and tags to per-component version states. Pure (callbacks for IO).

One pass finds what HEAD reaches; a second pass (bit masks, `graph.containment`)
finds, for every commit, which components' latest release / prerelease tags already
contain it. Commits attributed to a component and not contained in its latest release
are its unreleased commits; their declared levels give the next version.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from semver import Version

from gitops_templates.core.conventional import split_list
from gitops_templates.core.graph import containment
from gitops_templates.core.jsonform import JsonDocument
from gitops_templates.core.models import Level, Notice, is_valid_id
from gitops_templates.core.tags import VersionTag, read_versions
from gitops_templates.core.version_rules import (
    NextVersion,
    VersionLine,
    level_between,
    next_prerelease,
    next_version,
    precedence,
    release_as_problem,
)
from gitops_templates.errors import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from gitops_templates.core.attribution import Attributor
    from gitops_templates.core.models import (
        CommitMessage,
        CommitRecord,
        Component,
        TagRecord,
    )
    from gitops_templates.core.version_rules import BumpRules


@dataclass(frozen=True, slots=True)
class CommitChange:
    """An unreleased commit of one component, classified."""

    json_fields: ClassVar[tuple[str, ...]] = (
        "sha",
        "subject",
        "type",
        "scope",
        "level",
        "breaking",
        "rule",
        "skipped",
    )

    sha: str
    subject: str
    type: str | None
    scope: str | None
    level: Level
    breaking: bool
    breaking_notes: tuple[str, ...]
    rule: str
    author_time: int
    skipped: bool = False  # `Release: none`
    release_as: tuple[str, ...] = ()  # `Release-As:` requests that name this component
    waivers: tuple[str, ...] = ()  # `Compatibility-Waiver: <rule-id> <pointer>` values

    @property
    def releasable(self) -> bool:
        """Counts for the version: not `Release: none`, level above none."""
        return not self.skipped and self.level > Level.NONE


@dataclass(frozen=True, slots=True)
class ComponentState:
    """Everything `status` and `plan` say about one component."""

    json_fields: ClassVar[tuple[str, ...]] = (
        "id=component.id",
        "kind=component.kind",
        "path=component.path",
        "current=current.version",
        "current_tag=current.tag.name",
        "next=next.version",
        "level=next.level",
        "declared=level",
        "reason=next.reason",
        "unreleased=changes",
    )

    component: Component
    versions: tuple[VersionTag, ...]  # every version tag, highest first
    line: VersionLine
    changes: tuple[CommitChange, ...]  # unreleased, newest first
    level: Level  # declared, before 0.x rules
    next: NextVersion | None
    notices: tuple[Notice, ...] = field(default=())

    @property
    def current(self) -> VersionTag | None:
        """The highest reachable version tag."""
        current = self.line.current
        return next((v for v in self.versions if v.reachable and v.version == current), None)

    @property
    def releasable(self) -> tuple[CommitChange, ...]:
        """Changes that count for the version (not `Release: none`, level > none)."""
        return tuple(c for c in self.changes if c.releasable)


@dataclass(frozen=True, slots=True)
class Analysis(JsonDocument):
    """The states of the selected components at HEAD."""

    json_fields: ClassVar[tuple[str, ...]] = (
        "schema_version",
        "head",
        "components=states",
        "warnings=notices",
    )

    head: str
    states: tuple[ComponentState, ...]
    notices: tuple[Notice, ...]
    head_time: int = 0  # committer time of HEAD (dates the changelogs)


@dataclass(frozen=True, slots=True)
class Collected:
    """What walking history found: each component's unreleased changes at `head`."""

    head: str
    head_time: int
    reachable_tags: frozenset[str]  # tagged commits HEAD reaches
    changes: Mapping[str, tuple[CommitChange, ...]]  # newest first, for every component
    fresh: Mapping[str, bool]  # releasable changes since the latest prerelease
    notices: tuple[Notice, ...]


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
) -> Collected:
    """Walk the commits once and find every component's unreleased changes.

    With `merges_skipped` (the default walk over every commit) a merge commit is not
    counted: the commits of the merged branch carry the changes and the changelog.
    Walking the first-parent chain instead, merge commits stand for their branches.
    """
    order = [(c.sha, c.parents) for c in commits]
    reachable = set(containment(order, {head: 1}))
    ids = [c.id for c in components]
    versions = read_versions(components, tags, reachable).by_component
    lines = {cid: VersionLine.from_versions([v.version for v in items if v.reachable])
             for cid, items in versions.items()}  # fmt: skip
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
        head, head_time, tagged, {k: tuple(v) for k, v in changes.items()}, fresh, tuple(notices)
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
    changes = {cid: tuple(added.get(cid, ())) + old for cid, old in prior.changes.items()}
    return Collected(head, head_time, prior.reachable_tags, changes, fresh, tuple(notices))


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


def conclude(
    collected: Collected,
    *,
    components: Sequence[Component],
    selected: Sequence[str],
    versions: Mapping[str, Sequence[VersionTag]],
    notices: Sequence[Notice],
    rules: BumpRules,
    pre_token: str | None = None,
) -> Analysis:
    """Next versions of the selected components from what was collected.

    `versions` and `notices` come from `read_versions` with the collected reachability.
    """
    by_id = {c.id: c for c in components}
    states = []
    for cid in selected:
        line = VersionLine.from_versions([v.version for v in versions[cid] if v.reachable])
        states.append(_state(by_id[cid], list(versions[cid]), line, list(collected.changes[cid]),
                             rules, pre_token, collected.fresh[cid]))  # fmt: skip
    wanted = set(selected)
    kept = [n for n in (*collected.notices, *notices)
            if n.code != "scope-mismatch" or n.subject in wanted]  # fmt: skip
    return Analysis(collected.head, tuple(states), tuple(kept), collected.head_time)


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


def _state(
    component: Component,
    versions: list[VersionTag],
    line: VersionLine,
    changes: list[CommitChange],
    rules: BumpRules,
    pre_token: str | None,
    fresh: bool,
) -> ComponentState:
    counted = [c for c in changes if not c.skipped]
    level = max((c.level for c in counted), default=Level.NONE)
    try:
        nxt = next_version(line, level, rules, pre_token=pre_token, new_since_prerelease=fresh)
    except ValueError as err:
        raise InvalidInputError(f"{component.id}: {err}") from err
    if nxt is not None:
        top = max(counted, key=lambda c: c.level)
        nxt = NextVersion(nxt.version, nxt.level, f"{nxt.reason}: {top.sha[:7]} {top.rule}")
    try:
        forced = _release_as(component, changes, line, pre_token, fresh=fresh)
    except ValueError as err:
        raise InvalidInputError(f"{component.id}: {err}") from err
    if forced is not None:
        nxt = forced
    elif _requested(component, changes) and pre_token and not fresh:
        nxt = None  # that prerelease of the requested version exists, nothing new since
    return ComponentState(component, tuple(versions), line, tuple(changes), level, nxt)


def escalate(
    state: ComponentState,
    level: Level,
    rules: BumpRules,
    reason: str,
    *,
    pre_token: str | None = None,
) -> ComponentState:
    """`state` with its next version computed from a higher required `level`.

    A next version already above the escalated one (a `Release-As` request) is kept:
    escalation only ever raises a version.
    """
    nxt = next_version(state.line, max(level, state.level), rules, pre_token=pre_token)
    if nxt is not None and state.next is not None and precedence(state.next.version) > \
            precedence(nxt.version):  # fmt: skip
        nxt = NextVersion(state.next.version, state.next.level, f"{state.next.reason}: {reason}")
    elif nxt is not None:
        nxt = NextVersion(nxt.version, nxt.level, f"{nxt.reason}: {reason}")
    return replace(state, level=max(level, state.level), next=nxt)


def _requested(component: Component, changes: list[CommitChange]) -> bool:
    return any(_release_as_target(v, component.id) for c in changes for v in c.release_as)


def _release_as(
    component: Component,
    changes: list[CommitChange],
    line: VersionLine,
    pre_token: str | None,
    *,
    fresh: bool = True,
) -> NextVersion | None:
    """`Release-As: <id>@X.Y.Z` (or a bare version for a one-target commit).

    With a prerelease token, an existing prerelease of that version moves its counter
    (`-rc.2` after `-rc.1`) when releasable commits arrived since, else nothing is due.
    """
    for change in changes:  # newest first: the latest request wins
        for value in change.release_as:
            target = _release_as_target(value, component.id)
            if target is None:
                continue
            current = line.current
            if current is not None and target <= current:
                raise InvalidInputError(
                    f"commit {change.sha[:12]}: Release-As {target} is not above "
                    f"{component.id}'s current version {current}",
                    hint="Release-As can only move a version forward",
                )
            reason = f"Release-As footer in {change.sha[:7]}"
            level = level_between(line.latest_release, target)
            pre = line.latest_prerelease
            if pre_token and pre is not None and pre.finalize_version() == target:
                return next_prerelease(pre, target, pre_token, level, reason, fresh)
            version = target.replace(prerelease=f"{pre_token}.1") if pre_token else target
            return NextVersion(version, level_between(current, target), reason)
    return None


def _release_as_target(value: str, cid: str) -> Version | None:
    """The version a `Release-As:` value asks for `cid` (exit 3 when it is not one)."""
    for item in split_list(value):
        owner, _, text = item.rpartition("@")
        if owner not in ("", cid) or (owner and not is_valid_id(owner)):
            continue
        problem = release_as_problem(text)
        if problem is not None:
            raise InvalidInputError(f"Release-As: {problem}",
                                    hint="write Release-As: <id>@X.Y.Z")  # fmt: skip
        return Version.parse(text.removeprefix("v"))
    return None
