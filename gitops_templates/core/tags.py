"""Version tags: which tags are versions of which component. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from semver import Version

from gitops_templates.core.models import Notice
from gitops_templates.core.version_rules import TagFormat, precedence
from gitops_templates.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from gitops_templates.core.models import Component, TagRecord


@dataclass(frozen=True, slots=True)
class VersionTag:
    """A tag read as a version of a component."""

    component: str
    version: Version
    tag: TagRecord
    reachable: bool


class Versions(NamedTuple):
    """Version tags per component (highest first), and what was odd about the tags."""

    by_component: dict[str, list[VersionTag]]
    notices: list[Notice]

    def of(self, cid: str) -> list[VersionTag]:
        """The versions of one component, highest first (empty when unknown)."""
        return self.by_component.get(cid, [])


def read_versions(
    components: Sequence[Component], tags: Iterable[TagRecord], reachable: set[str]
) -> Versions:
    """Parse tags into component versions (highest first); anchored formats."""
    by_id = {c.id: c for c in components}
    formats = {c.tag_format for c in components}
    compiled = [(TagFormat.compile(f), f) for f in sorted(formats)]
    owners: dict[str, list[str]] = {}
    for c in components:
        owners.setdefault(c.tag_format, []).append(c.id)
    versions: dict[str, list[VersionTag]] = {c.id: [] for c in components}
    notices: list[Notice] = []
    seen: dict[str, Version] = {}  # many components share version strings
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
            version = seen.get(parsed[1]) or seen.setdefault(parsed[1], Version.parse(parsed[1]))
            reach = tag.commit_sha in reachable
            versions[cid].append(VersionTag(cid, version, tag, reach))
            break
        else:
            notices += _near_misses(tag.name, compiled, owners, by_id)
    for cid, items in versions.items():
        items.sort(key=lambda v: precedence(v.version), reverse=True)
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
    return Versions(versions, notices)


def _near_misses(
    name: str,
    compiled: Sequence[tuple[TagFormat, str]],
    owners: Mapping[str, list[str]],
    by_id: Mapping[str, Component],
) -> list[Notice]:
    """A tag that would be a version of a component if its version were semver."""
    for fmt, text in compiled:
        loose = fmt.near_miss(name)
        if loose is None:
            continue
        users = owners[text]
        cid = loose[0] if loose[0] is not None else (users[0] if len(users) == 1 else None)
        if cid is not None and cid in by_id and by_id[cid].tag_format == text:
            return [Notice("not-semver-tag", f"{name} is not a version of {cid}: {loose[1]!r} "
                           "is not semantic versioning (X.Y.Z, no leading zeros or `v`); "
                           "ignored", cid)]  # fmt: skip
    return []


def owner_of(components: Sequence[Component], name: str) -> Component | None:
    """The component a tag name is a version of (anchored formats), if any."""
    for component in components:
        parsed = TagFormat.compile(component.tag_format).parse(name)
        if parsed is None:
            continue
        cid = parsed[0]
        if cid == component.id or (cid is None and _sole_user(components, component)):
            return component
    return None


def _sole_user(components: Sequence[Component], component: Component) -> bool:
    return sum(c.tag_format == component.tag_format for c in components) == 1


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
