"""Use-case `verify`: every version tag checked against what it claims.

Three checks, all read in batches: the content digest and tree recorded in the tag
message against the tagged commit (a tag moved or re-created onto other content,
exit 3); `git verify-tag` for signed tags; and the bump itself: each release is
compared with the release before it (and, for breaking findings, with every earlier
release of its major line) and a bump smaller than the detected change is reported
(`under-bumped`, exit 6), honouring the `Compatibility-Waiver:` footers of the
commits that release first shipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from semver import Version

from gitops_templates.core.changelog import read_tag_message
from gitops_templates.core.graph import containment
from gitops_templates.core.jsonform import JsonDocument
from gitops_templates.core.version_rules import level_between
from gitops_templates.errors import ExitCode

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.compat.check import CompatibilityReport, Snapshot
    from gitops_templates.core.models import TagRecord
    from gitops_templates.core.tags import VersionTag
    from gitops_templates.core.version_rules import BumpRules

FAILED = {
    "mismatch": ExitCode.INVALID_INPUT,
    "bad-signature": ExitCode.INVALID_INPUT,
    "under-bumped": ExitCode.COMPATIBILITY,
    "untagged-restore": ExitCode.GIT_STATE,
}


@dataclass(frozen=True, slots=True)
class TagCheck:
    """The verdict of one check on one version tag."""

    id: str
    tag: str
    status: str  # ok | unverifiable | mismatch | bad-signature | under-bumped | untagged-restore
    detail: str


@dataclass(frozen=True, slots=True)
class VerifyReport(JsonDocument):
    """Digest, signature and bump checks of version tags."""

    json_fields: ClassVar[tuple[str, ...]] = ("schema_version", "ok", "checks")

    checks: tuple[TagCheck, ...]

    @property
    def failed(self) -> tuple[TagCheck, ...]:
        """Checks that did not pass."""
        return tuple(c for c in self.checks if c.status in FAILED)

    @property
    def ok(self) -> bool:
        """Every check passed."""
        return not self.failed

    @property
    def exit_code(self) -> ExitCode:
        """3 for a moved, re-created or badly signed tag; else 6 for an under-bump."""
        codes = {FAILED[c.status] for c in self.failed}
        return min(codes) if codes else ExitCode.OK


def verify(ws: Workspace, ids: Sequence[str] = ()) -> VerifyReport:
    """Recompute each version tag's digest and tree; check signatures and bumps."""
    selected = ws.select(ids)
    versions = ws.detailed_versions
    items = [(item, ws.component(cid).path) for cid in selected for item in versions[cid]]
    places = [(item.tag.commit_sha or "", path) for item, path in items if item.tag.annotated]
    contents = ws.contents(places)
    checks = [_check(ws, item, path, contents) for item, path in items]
    templates = [cid for cid in selected if ws.component(cid).kind == "template"]
    checks += bump_checks(ws, {cid: versions[cid] for cid in templates})
    checks += untagged_restores(ws, selected, versions)
    return VerifyReport(tuple(checks))


def untagged_restores(
    ws: Workspace, selected: Sequence[str], versions: Mapping[str, Sequence[VersionTag]]
) -> list[TagCheck]:
    """Restoring commits (rollback, roll-forward) that carry no version tag.

    A rollback interrupted between its commit and its tag leaves one: the branch has the
    old content while every version still says otherwise.
    """
    tagged = {v.tag.commit_sha for cid in selected for v in versions.get(cid, ())}
    found = []
    for commit in ws.history.commits:
        text = commit.message.lower()
        if ("rollback-of:" not in text and "rollforward-of:" not in text) or commit.sha in tagged:
            continue
        message = ws.history.parse(commit)
        cid = next(iter(message.footer_values("Template")), None)
        if cid is not None and cid in selected:
            found.append(TagCheck(
                cid, "-", "untagged-restore",
                f"{commit.sha[:12]} ({message.subject}) restores {cid} but has no version tag: "
                "an interrupted rollback? Undo it with `git reset --keep` to its backup ref "
                "(refs/gitops-templates/backup/) or revert it, then roll back again",
            ))  # fmt: skip
    return found


def _check(
    ws: Workspace,
    item: VersionTag,
    path: str,
    contents: dict[tuple[str, str], tuple[str, str] | None],
) -> TagCheck:
    tag = item.tag
    found = content_check(item.component, tag, path, contents)
    if found is not None:
        return found
    if tag.signed:
        result = ws.repo.verify_tag(tag.name)
        if not result.ok:
            return TagCheck(item.component, tag.name, "bad-signature", result.output)
        return TagCheck(item.component, tag.name, "ok", f"digest and signature ok: {result.output}")
    return TagCheck(item.component, tag.name, "ok", "digest ok (unsigned)")


def content_check(
    cid: str,
    tag: TagRecord,
    path: str,
    contents: Mapping[tuple[str, str], tuple[str, str] | None],
) -> TagCheck | None:
    """The digest and tree a tag records against its commit's content (None: they match).

    `contents` is `Workspace.contents` of `(tag.commit_sha, path)`.
    """
    if not tag.annotated:
        return TagCheck(cid, tag.name, "unverifiable", "lightweight tag: no digest")
    note = read_tag_message(tag.message or "")
    if note.digest is None:
        return TagCheck(cid, tag.name, "unverifiable",
                        "no Template-Digest trailer (created by another tool?)")  # fmt: skip
    commit = tag.commit_sha or ""
    digest, tree = contents.get((commit, path)) or ("(directory missing)", "")
    if digest != note.digest or (note.tree and note.tree != tree):
        return TagCheck(
            cid, tag.name, "mismatch",
            f"content at {commit[:12]} has {digest} (tree {tree[:12]}), the tag records "
            f"{note.digest} (tree {(note.tree or '?')[:12]}): the tag was moved or "
            "re-created onto other content",
        )  # fmt: skip
    return None


def bump_checks(ws: Workspace, versions: dict[str, list[VersionTag]]) -> list[TagCheck]:
    """An `under-bumped` check for each release whose bump is below what changed.

    Releases are the reachable, non-prerelease versions in semver order. Only
    releases whose template.yaml differs from the release before are compared.
    Waivers are looked up only when something would be reported.
    """
    from gitops_templates.compat.check import against_line, load_overrides, snapshots
    from gitops_templates.compat.memo import FindingsMemo

    lines = {cid: _releases(items) for cid, items in versions.items()}
    places = [
        (ws.component(cid), str(v.version), v.tag.commit_sha or "")
        for cid, line in lines.items()
        for v in line
    ]
    found = snapshots(ws, places, files=False)
    rules = ws.settings.rules
    suspects: list[tuple[VersionTag, list[Snapshot]]] = []
    for cid, line in lines.items():
        earlier: dict[tuple[int, ...], list[Snapshot]] = {}  # version line -> releases so far
        for index, release in enumerate(line):
            snap = found[(cid, str(release.version))]
            if index:
                same = rules.line_of(line[index - 1].version)
                if snap.meta_id != earlier[same][-1].meta_id:  # newest first for against_line
                    suspects.append((release, earlier[same][::-1]))
            earlier.setdefault(rules.line_of(release.version), []).append(snap)
    if not suspects:
        return []
    overrides, memo = load_overrides(ws), FindingsMemo(ws.facts)
    reports: dict[str, CompatibilityReport] = {}
    waivers: dict[str, set[tuple[str, str]]] | None = None
    for release, prior in suspects:
        cid, name = release.component, release.tag.name
        new = found[(cid, str(release.version))]
        report = against_line(ws, cid, new, prior, overrides=overrides, waivers=set(), memo=memo)
        if _under(rules, prior[0], release, report):
            waivers = waivers if waivers is not None else _waivers(ws, lines)
            report = against_line(ws, cid, new, prior, overrides=overrides,
                                  waivers=waivers.get(name, set()), memo=memo)  # fmt: skip
            if _under(rules, prior[0], release, report):
                reports[name] = report
    memo.save()
    return [
        _under_bumped(release, prior[0], reports[release.tag.name])
        for release, prior in suspects
        if release.tag.name in reports
    ]


def _releases(items: Sequence[VersionTag]) -> list[VersionTag]:
    """Reachable releases with a commit, lowest version first."""
    chosen = [v for v in items if v.reachable and v.tag.commit_sha and not v.version.prerelease]
    return sorted(chosen, key=lambda v: v.version)


def _under(
    rules: BumpRules, prior: Snapshot, release: VersionTag, report: CompatibilityReport
) -> bool:
    """True when the change, after the 0.x rules, needs more than the bump made."""
    before = Version.parse(prior.label)
    return rules.effective_level(before, report.level) > level_between(before, release.version)


def _under_bumped(release: VersionTag, prior: Snapshot, report: CompatibilityReport) -> TagCheck:
    first = max(report.findings, key=lambda f: f.counts)  # the most severe, first found
    bump = level_between(Version.parse(prior.label), release.version)
    return TagCheck(
        release.component,
        release.tag.name,
        "under-bumped",
        f"{report.level.compatibility} change against {prior.label} released as a "
        f"{bump.label} bump: {first.rule} at {first.pointer}: {first.message}"
        f" ({len([f for f in report.findings if f.counts > bump])} finding(s); "
        f"`gitops-templates diff {release.component} {prior.label} {release.version}`)",
    )


def _waivers(ws: Workspace, lines: dict[str, list[VersionTag]]) -> dict[str, set[tuple[str, str]]]:
    """Tag name -> waivers of the commits that release shipped first.

    One containment pass over the history: each release commit owns a bit; a commit
    with a waiver footer belongs to the lowest release of its template containing it.
    """
    from gitops_templates.compat.check import waivers_of

    marks: dict[str, int] = {}
    owners: list[VersionTag] = []
    for line in lines.values():
        for release in line:
            sha = release.tag.commit_sha or ""
            marks[sha] = marks.get(sha, 0) | (1 << len(owners))
            owners.append(release)
    contained = containment([(c.sha, c.parents) for c in ws.history.commits], marks)
    attributor = ws.attributor()
    found: dict[str, list[str]] = {}
    for commit in ws.history.commits:
        mask = contained.get(commit.sha, 0)
        if not mask or "compatibility-waiver" not in commit.message.lower():
            continue
        message = ws.history.parse(commit)
        targets = (
            attributor.by_path(commit.files) | attributor.named_targets(commit.sha, message)[0]
        )
        values = message.footer_values("Compatibility-Waiver")
        for cid in targets & lines.keys():
            first = next(
                (r for bit, r in enumerate(owners) if r.component == cid and mask >> bit & 1),
                None,
            )
            if first is not None:
                found.setdefault(first.tag.name, []).extend(values)
    return {name: waivers_of(values) for name, values in found.items()}
