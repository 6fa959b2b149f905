"""From each component's unreleased changes to its version state. Pure.

`core.walking` collects the changes from commits and tags (`Collected`); `conclude`
turns them into states: the declared levels give the next version, `Release-As`
footers and the compatibility policy (`escalate`) may raise it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, ClassVar

from semver import Version

from gitops_templates.core.conventional import split_list
from gitops_templates.core.jsonform import JsonDocument
from gitops_templates.core.models import Level, Notice, is_valid_id
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
    from collections.abc import Mapping, Sequence

    from gitops_templates.core.models import (
        Component,
    )
    from gitops_templates.core.tags import VersionTag
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
