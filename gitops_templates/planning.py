"""From commits and tags to per-component version states. Pure (callbacks for IO).

One pass finds what HEAD reaches; a second pass (bit masks, `graph.containment`)
finds, for every commit, which components' latest release / prerelease tags already
contain it. Commits attributed to a component and not contained in its latest release
are its unreleased commits; their declared levels give the next version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from semver import Version

from gitops_templates.conventional import split_list
from gitops_templates.errors import ConfigError, InvalidInputError
from gitops_templates.graph import containment
from gitops_templates.models import Level, Notice, is_valid_id
from gitops_templates.versioning import (
    NextVersion,
    TagFormat,
    VersionLine,
    level_between,
    next_version,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

    from gitops_templates.attribution import Attributor
    from gitops_templates.models import (
        CommitMessage,
        CommitRecord,
        Component,
        TagRecord,
    )
    from gitops_templates.versioning import BumpRules


@dataclass(frozen=True, slots=True)
class VersionTag:
    """A tag read as a version of a component."""

    component: str
    version: Version
    tag: TagRecord
    reachable: bool


@dataclass(frozen=True, slots=True)
class CommitChange:
    """An unreleased commit of one component, classified."""

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

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "sha": self.sha, "subject": self.subject, "type": self.type,
            "scope": self.scope, "level": self.level.label, "breaking": self.breaking,
            "rule": self.rule, "skipped": self.skipped,
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class ComponentState:
    """Everything `status` and `plan` say about one component."""

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
        return tuple(c for c in self.changes if not c.skipped and c.level > Level.NONE)

    def to_dict(self) -> dict[str, Any]:
        """JSON form used by `status --json`."""
        current = self.current
        return {
            "id": self.component.id,
            "kind": self.component.kind,
            "path": self.component.path,
            "current": str(current.version) if current else None,
            "current_tag": current.tag.name if current else None,
            "next": str(self.next.version) if self.next else None,
            "level": self.next.level.label if self.next else None,
            "declared": self.level.label,
            "reason": self.next.reason if self.next else None,
            "unreleased": [c.to_dict() for c in self.changes],
        }


def read_versions(
    components: Sequence[Component], tags: Iterable[TagRecord], reachable: set[str]
) -> tuple[dict[str, list[VersionTag]], list[Notice]]:
    """Parse tags into component versions (highest first); anchored formats."""
    by_id = {c.id: c for c in components}
    formats = {c.tag_format for c in components}
    compiled = [(TagFormat.compile(f), f) for f in sorted(formats)]
    owners: dict[str, list[str]] = {}
    for c in components:
        owners.setdefault(c.tag_format, []).append(c.id)
    versions: dict[str, list[VersionTag]] = {c.id: [] for c in components}
    notices: list[Notice] = []
    for tag in tags:
        for fmt, text in compiled:
            parsed = fmt.parse(tag.name)
            if parsed is None:
                continue
            users = owners[text]
            cid = parsed[0] if parsed[0] is not None else (users[0] if len(users) == 1 else None)
            if cid is None or cid not in by_id or by_id[cid].tag_format != text:
                continue
            notice = _tag_notice(tag, parsed[1])
            if notice is not None:
                notices.append(notice)
                if notice.code != "lightweight-tag":
                    break
            version = Version.parse(parsed[1])
            reach = tag.commit_sha in reachable
            versions[cid].append(VersionTag(cid, version, tag, reach))
            break
    for cid, items in versions.items():
        items.sort(key=lambda v: v.version, reverse=True)
        for item in items:
            if not item.reachable:
                notices.append(
                    Notice(
                        "unreachable-tag",
                        f"{item.tag.name} is not reachable from HEAD; ignored for the "
                        "current version",
                        cid,
                    )
                )
    return versions, notices


def _tag_notice(tag: TagRecord, version: str) -> Notice | None:
    if tag.commit_sha is None:
        return Notice(
            "tag-not-commit",
            f"{tag.name} does not point at a commit; ignored",
            tag.name,
        )
    if "+" in version:
        return Notice(
            "build-metadata",
            f"{tag.name} carries build metadata, which semver ignores when ordering; ignored",
            tag.name,
        )
    if not tag.annotated:
        return Notice(
            "lightweight-tag",
            f"{tag.name} is a lightweight tag (from another tool?): accepted as a version, "
            "but it cannot be verified",
            tag.name,
        )
    return None


def check_tag_formats(components: Sequence[Component]) -> None:
    """A tag format without `{id}` must belong to exactly one component."""
    users: dict[str, list[str]] = {}
    for component in components:
        users.setdefault(component.tag_format, []).append(component.id)
    for fmt, ids in users.items():
        if len(ids) > 1 and not TagFormat.compile(fmt).has_id:
            raise ConfigError(
                f"tag_format {fmt!r} has no {{id}}, but {len(ids)} components use it "
                f"({', '.join(ids)})",
                hint="use a format with {id} such as '{id}@{version}', or give each "
                "component its own tag_format under components:",
            )


@dataclass(frozen=True, slots=True)
class Analysis:
    """The states of the selected components at HEAD."""

    head: str
    states: tuple[ComponentState, ...]
    notices: tuple[Notice, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON form used by `status --json`."""
        return {
            "schema_version": 1,
            "head": self.head,
            "components": [s.to_dict() for s in self.states],
            "warnings": [n.to_dict() for n in self.notices],
        }


def analyze(
    *,
    head: str,
    components: Sequence[Component],
    selected: Sequence[str],
    tags: Sequence[TagRecord],
    commits: Sequence[CommitRecord],
    rules: BumpRules,
    attributor: Attributor,
    parse: Callable[[CommitRecord], CommitMessage],
    pre_token: str | None = None,
    merges_skipped: bool = True,
) -> Analysis:
    """Compute every selected component's state at `head`.

    With `merges_skipped` (the default walk over every commit) a merge commit is not
    counted: the commits of the merged branch carry the changes and the changelog.
    Walking the first-parent chain instead, merge commits stand for their branches.
    """
    order = [(c.sha, c.parents) for c in commits]
    reachable = set(containment(order, {head: 1}))
    versions, notices = read_versions(components, tags, reachable)
    lines = {
        cid: VersionLine.from_versions([v.version for v in items if v.reachable])
        for cid, items in versions.items()
    }
    marks, bits = _marks(selected, versions, lines)
    contained = containment(order, marks)
    changes: dict[str, list[CommitChange]] = {cid: [] for cid in selected}
    fresh: dict[str, bool] = dict.fromkeys(selected, False)
    wanted = set(selected)
    for commit in commits:
        if commit.sha not in reachable or (merges_skipped and len(commit.parents) > 1):
            continue
        mask = contained.get(commit.sha, 0)
        targets = attributor.by_path(commit.files)
        message: CommitMessage | None = None
        lowered = commit.message.lower()
        if "template" in lowered or "release-as" in lowered:  # cheap test before parsing
            message = parse(commit)
            named, found = attributor.named_targets(commit.sha, message)
            targets |= named
            notices.extend(found)
        pending = [cid for cid in targets & wanted if not mask & bits[cid][0]]
        if not pending:
            continue
        message = message or parse(commit)
        if pending:
            scope = attributor.scope_notice(commit.sha, message, targets)
            if scope is not None:
                notices.append(scope)
        for cid in pending:
            change = _classify(commit, message, cid, rules, only_target=len(targets) == 1)
            changes[cid].append(change)
            if not mask & bits[cid][1] and not change.skipped and change.level > Level.NONE:
                fresh[cid] = True
    by_id = {c.id: c for c in components}
    states = tuple(
        _state(
            by_id[cid],
            versions[cid],
            lines[cid],
            changes[cid],
            rules,
            pre_token,
            fresh[cid],
        )
        for cid in selected
    )
    return Analysis(head, states, tuple(notices))


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
    forced = _release_as(component, changes, line, pre_token)
    if forced is not None:
        nxt = forced
    return ComponentState(component, tuple(versions), line, tuple(changes), level, nxt)


def _release_as(
    component: Component,
    changes: list[CommitChange],
    line: VersionLine,
    pre_token: str | None,
) -> NextVersion | None:
    """`Release-As: <id>@X.Y.Z` (or a bare version for a one-target commit)."""
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
            version = target.replace(prerelease=f"{pre_token}.1") if pre_token else target
            reason = f"Release-As footer in {change.sha[:7]}"
            return NextVersion(version, level_between(current, target), reason)
    return None


def _release_as_target(value: str, cid: str) -> Version | None:
    for item in split_list(value):
        owner, _, text = item.rpartition("@")
        if owner not in ("", cid) or (owner and not is_valid_id(owner)):
            continue
        try:
            return Version.parse(text.removeprefix("v"))
        except ValueError:
            continue
    return None
