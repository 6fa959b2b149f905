"""Read-only use-cases: `history`, `show`, `stats`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from semver import Version

from gitops_templates.catalog.yanked import read_yanked, versions_of
from gitops_templates.core.cadence import Summary, bump_mix, intervals
from gitops_templates.core.changelog import read_tag_message
from gitops_templates.core.graph import containment
from gitops_templates.core.jsonform import JsonDocument
from gitops_templates.errors import NotFoundError
from gitops_templates.rollback.core.stats import RollbackStats, TaggedRelease, rollback_stats

if TYPE_CHECKING:
    from collections.abc import Sequence

    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.core.tags import VersionTag


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """One version of a component as its tag describes it."""

    id: str
    version: str
    tag: str
    commit: str
    time: int | None
    reachable: bool
    annotated: bool
    signed: bool
    compatibility: str | None
    digest: str | None
    tree: str | None
    changelog: str
    yanked: bool = False
    rollback: dict[str, str] | None = None  # {of, to, reason} when this version rolled back
    rollforward: dict[str, str] | None = None  # {of, to} when it undid a rollback


def _info(
    item: VersionTag, commit_times: dict[str, int], yanked: set[str] | None = None
) -> VersionInfo:
    note = read_tag_message(item.tag.message or "") if item.tag.annotated else None
    trailers = note.trailers if note else {}
    rollback = rollforward = None
    if "rollback-of" in trailers:
        rollback = {"of": trailers["rollback-of"], "to": trailers.get("rollback-to", ""),
                    "reason": trailers.get("rollback-reason", "")}  # fmt: skip
    if "rollforward-of" in trailers:
        rollforward = {"of": trailers["rollforward-of"], "to": trailers.get("rollforward-to", "")}
    commit = item.tag.commit_sha or ""
    return VersionInfo(
        id=item.component,
        version=str(item.version),
        tag=item.tag.name,
        commit=commit,
        time=item.tag.tagger_time or commit_times.get(commit),
        reachable=item.reachable,
        annotated=item.tag.annotated,
        signed=bool(item.tag.signed),
        compatibility=note.compatibility if note else None,
        digest=note.digest if note else None,
        tree=note.tree if note else None,
        changelog=note.changelog if note else "",
        yanked=str(item.version) in (yanked or set()),
        rollback=rollback,
        rollforward=rollforward,
    )


def _commit_times(ws: Workspace, versions: Sequence[VersionTag]) -> dict[str, int]:
    """Commit times of lightweight tags' commits (annotated tags carry their own)."""
    wanted = [v.tag.commit_sha for v in versions if not v.tag.annotated and v.tag.commit_sha]
    return ws.repo.commit_times(wanted)


@dataclass(frozen=True, slots=True)
class HistoryReport(JsonDocument):
    """Every version of one component, highest first."""

    json_fields: ClassVar[tuple[str, ...]] = ("schema_version", "id", "versions")

    id: str
    versions: tuple[VersionInfo, ...]


def history(ws: Workspace, cid: str) -> HistoryReport:
    """Versions of one component from its tags (semver order)."""
    component = ws.component(cid)
    items = ws.detailed_versions[component.id]
    times = _commit_times(ws, items)
    yanked = versions_of(read_yanked(ws), component.id)
    return HistoryReport(component.id, tuple(_info(v, times, yanked) for v in items))


@dataclass(frozen=True, slots=True)
class VersionDetail(JsonDocument):
    """One version with the files it holds."""

    json_fields: ClassVar[tuple[str, ...]] = ("schema_version", "*info", "files", "metadata")

    info: VersionInfo
    files: tuple[str, ...]
    metadata: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ReleaseNotes(JsonDocument):
    """A version's notes, from its tag message (for a GitHub release).

    `notes` is Markdown to publish (commit subjects escaped: no live HTML, links or
    headings from them); `text` is the tag message's changelog as written.
    """

    json_fields: ClassVar[tuple[str, ...]] = (
        "schema_version", "id", "version", "tag", "prerelease", "notes", "text",
    )  # fmt: skip

    id: str
    version: str
    tag: str
    prerelease: bool
    notes: str
    text: str


def release_notes(ws: Workspace, ref: str) -> ReleaseNotes:
    """The notes of `ID@VERSION` (or the tag name, or `ID` for the latest version)."""
    from gitops_templates.core.markdown import changelog_notes, markdown_text

    item = _version(ws, ref)
    if not item.tag.annotated:
        raise NotFoundError(f"{item.tag.name} is a lightweight tag: it carries no notes",
                            hint="versions released by gitops-templates are annotated")  # fmt: skip
    info = _info(item, _commit_times(ws, [item]))
    text = info.changelog.strip()
    notes = changelog_notes(text)
    if info.rollback:
        why = f": {markdown_text(info.rollback['reason'])}" if info.rollback["reason"] else ""
        notes += f"\nRolls back {info.rollback['of']} to {info.rollback['to']}{why}\n"
    return ReleaseNotes(info.id, info.version, info.tag, bool(item.version.prerelease), notes,
                        text + "\n" if text else "")  # fmt: skip


def _version(ws: Workspace, ref: str) -> VersionTag:
    """The version tag `ref` names: `ID` (latest), `ID@VERSION` or a tag name."""
    named = (v for items in ws.detailed_versions.values() for v in items if v.tag.name == ref)
    if (tagged := next(named, None)) is not None:
        return tagged
    cid, _, wanted = ref.partition("@")
    component = ws.component(cid)
    items = ws.detailed_versions[component.id]
    if wanted:
        try:
            target = Version.parse(wanted.removeprefix("v"))
        except ValueError:
            raise NotFoundError(f"{wanted!r} is not a version") from None
        item = next((v for v in items if v.version == target), None)
    else:
        item = next((v for v in items if v.reachable), None)
    if item is None:
        known = ", ".join(str(v.version) for v in items) or "none released yet"
        raise NotFoundError(f"{ref}: no such version", hint=f"versions of {cid}: {known}")
    return item


def show(ws: Workspace, ref: str) -> VersionDetail:
    """`ID` (latest version) or `ID@VERSION`."""
    item = _version(ws, ref)
    component = ws.component(item.component)
    info = _info(item, _commit_times(ws, [item]), versions_of(read_yanked(ws), component.id))
    entries = ws.repo.ls_tree(info.commit, component.path)
    metadata: dict[str, Any] = {}
    if component.kind == "template":
        from gitops_templates.catalog.yamlio import load_yaml

        raw = ws.repo.read_file(info.commit, f"{component.path}/template.yaml")
        if raw is not None:
            data = load_yaml(raw, f"{info.tag}:template.yaml").data
            if isinstance(data, dict):
                keys = ("name", "description", "owners", "category", "deprecated")
                metadata = {k: data[k] for k in keys if k in data}
    return VersionDetail(info, tuple(e.path for e in entries), metadata)


@dataclass(frozen=True, slots=True)
class ComponentStats:
    """Release figures of one component (reachable versions)."""

    json_fields: ClassVar[tuple[str, ...]] = (
        "id",
        "releases",
        "prereleases",
        "first_release=first",
        "last_release=last",
        "cadence",
        "bump_mix=mix",
        "lead_time",
        "rollbacks",
    )

    id: str
    releases: int
    prereleases: int
    first: int | None
    last: int | None
    cadence: Summary  # seconds between releases
    mix: dict[str, int]
    lead_time: Summary  # first commit of a release -> its tag
    rollbacks: RollbackStats


@dataclass(frozen=True, slots=True)
class StatsReport(JsonDocument):
    """Statistics for the selected components."""

    json_fields: ClassVar[tuple[str, ...]] = ("schema_version", "components")

    components: tuple[ComponentStats, ...]


def stats(ws: Workspace, ids: Sequence[str] = (), *, since: int | None = None) -> StatsReport:
    """Release cadence, bump mix and lead time; rollback figures from tag trailers.

    `since` (a Unix time) limits the rollback figures to events from then on.
    """
    selected = ws.select(ids)
    versions = ws.detailed_versions
    times = {c.sha: c.commit_time for c in ws.history.commits}
    releases: dict[str, list[tuple[int, VersionTag]]] = {}
    marks: dict[str, int] = {}
    bit = 0
    for cid in selected:
        ordered = sorted((v for v in versions[cid] if v.reachable and not v.version.prerelease),
                         key=lambda v: v.version)  # fmt: skip
        releases[cid] = []
        for item in ordered:
            commit = item.tag.commit_sha or ""
            marks[commit] = marks.get(commit, 0) | (1 << bit)
            releases[cid].append((bit, item))
            bit += 1
    earliest = _earliest_commit_per_release(ws, marks, releases)
    result = []
    for cid in selected:
        tag_times = {
            i: v.tag.tagger_time or times.get(v.tag.commit_sha or "", 0) for i, v in releases[cid]
        }
        leads = [float(tag_times[i] - earliest[i]) for i, _ in releases[cid] if i in earliest]
        stamps = list(tag_times.values())
        pre = sum(1 for v in versions[cid] if v.reachable and v.version.prerelease)
        result.append(
            ComponentStats(
                id=cid, releases=len(releases[cid]), prereleases=pre,
                first=min(stamps, default=None), last=max(stamps, default=None),
                cadence=Summary.of(intervals(stamps)),
                mix=bump_mix([v.version for _, v in releases[cid]]),
                lead_time=Summary.of(leads),
                rollbacks=rollback_stats(_tagged(releases[cid], tag_times), since=since),
            )
        )  # fmt: skip
    return StatsReport(tuple(result))


def _tagged(items: list[tuple[int, VersionTag]], tag_times: dict[int, int]) -> list[TaggedRelease]:
    """Releases with their times and trailers (lightweight tags have none)."""
    return [
        TaggedRelease(
            v.tag.name,
            tag_times[i],
            read_tag_message(v.tag.message or "").trailers if v.tag.annotated else {},
        )
        for i, v in items
    ]


def _earliest_commit_per_release(
    ws: Workspace,
    marks: dict[str, int],
    releases: dict[str, list[tuple[int, VersionTag]]],
) -> dict[int, int]:
    """Release bit -> author time of the oldest commit it released first."""
    contained = containment([(c.sha, c.parents) for c in ws.history.commits], marks)
    attributor = ws.attributor()
    wanted = {cid: [i for i, _ in items] for cid, items in releases.items()}
    earliest: dict[int, int] = {}
    for commit in ws.history.commits:
        mask = contained.get(commit.sha, 0)
        if not mask:
            continue
        for cid in attributor.by_path(commit.files) & wanted.keys():
            first = next((i for i in wanted[cid] if mask >> i & 1), None)
            if first is not None:
                earliest[first] = min(earliest.get(first, commit.author_time), commit.author_time)
    return earliest
