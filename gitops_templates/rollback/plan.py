"""Use-cases `rollback` and `rollforward`, first half: the plan.

A rollback restores ONE template's directory to an earlier version's tree in a new
commit and tags it with a new, higher version (tags never move); the bad version is
yanked in the same commit. A roll-forward undoes the latest rollback the same way.
Planning reads only what these need (the template's tags, one path-limited `git log`,
two snapshots), never the whole history, and runs every pre-validation: a plan whose
checks failed is printed with them and refused by `restoring.execute`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from semver import Version

from gitops_templates.catalog.yanked import (
    YANKED_FILE,
    YankedVersion,
    read_yanked,
    render_yanked,
    versions_of,
    with_yanked,
    without_yanked,
)
from gitops_templates.core.changelog import read_tag_message
from gitops_templates.core.tags import read_versions
from gitops_templates.core.version_rules import TagFormat
from gitops_templates.errors import GitStateError, InvalidInputError, NotFoundError
from gitops_templates.git.lock import ensure_unlocked
from gitops_templates.rollback.checks import Check, rollout_check
from gitops_templates.rollback.restore_plan import RestorePlan, assemble

if TYPE_CHECKING:
    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.catalog.yanked import Yanked
    from gitops_templates.core.models import Component
    from gitops_templates.core.tags import VersionTag


@dataclass(frozen=True, slots=True)
class _Line:
    """The template's versions as the plan needs them."""

    component: Component
    versions: list[VersionTag]  # highest first
    yanked: Yanked

    @property
    def current(self) -> VersionTag:
        found = next((v for v in self.versions if v.reachable), None)
        if found is None:
            raise NotFoundError(
                f"{self.component.id} has no released version reachable from HEAD",
                hint="nothing to roll back: release it first",
            )
        return found

    def find(self, version: str) -> VersionTag | None:
        wanted = Version.parse(version.removeprefix("v"))
        return next((v for v in self.versions if v.version == wanted), None)


def plan_rollback(
    ws: Workspace,
    cid: str,
    to: str,
    *,
    reason: str = "",
    version: str | None = None,
    emergency: bool = False,
    abort_rollout: bool = False,
) -> RestorePlan:
    """Plan restoring `cid` to version `to` (pre-validation included)."""
    ensure_unlocked(ws.repo.state_dir)  # a killed rollback's files are not "your changes"
    line = _line(ws, cid)
    current = line.current
    target = _version_arg(line, to)
    checks = [Check("target-exists", "pre", "passed", f"{target.tag.name} exists")]
    if target.version >= current.version:
        raise InvalidInputError(
            f"{target.tag.name} is not older than the current version {current.tag.name}",
            hint="roll back to an earlier version; to bring a rolled-back version back, "
            "use `rollforward`",
        )
    checks.append(_reachable(target))
    yanked_now = versions_of(line.yanked, line.component.id)
    checks.append(
        Check("target-not-yanked", "pre", "failed", f"{target.version} is yanked",
              code=4, hint="pick another version, or `rollforward` to un-yank it")
        if str(target.version) in yanked_now
        else Check("target-not-yanked", "pre", "passed", f"{target.version} is not yanked")
    )  # fmt: skip
    if any((ord(c) < 32 and c not in "\t\n\r") or 127 <= ord(c) < 160 for c in reason):
        raise InvalidInputError(
            "--reason contains control characters (terminal escapes would be stored in "
            "the commit, the tag and yanked.yaml)",
            hint="write the reason as plain text",
        )
    reason = " ".join(reason.split()) or "unspecified"
    new = _new_version(line, current, version, yanked_now)
    today = datetime.now(tz=UTC).strftime("%Y-%m-%d")
    entry = YankedVersion(str(current.version), reason, new[1], today)
    yanked = with_yanked(line.yanked, line.component.id, entry)
    files: dict[str, bytes | None] = {ws.settings.path(YANKED_FILE): render_yanked(yanked).encode()}
    rollout, rollout_file = rollout_check(ws, line.component.id, abort=abort_rollout)
    checks.append(rollout)
    if rollout_file is not None:
        files.update(rollout_file)
    trailers = [("Template", line.component.id), ("Rollback-Of", current.tag.name),
                ("Rollback-To", target.tag.name), ("Rollback-Reason", reason)]  # fmt: skip
    if emergency:
        trailers.append(("Rollback-Emergency", "true"))
    return assemble(
        ws, line.component, "rollback", current, target, new, reason=reason, emergency=emergency,
        trailers=trailers, files=files, checks=checks, yank=(str(current.version),), unyank=(),
        subject=f"revert({line.component.id}): roll back to {target.tag.name}",
    )  # fmt: skip


def plan_rollforward(ws: Workspace, cid: str) -> RestorePlan:
    """Plan undoing the latest rollback of `cid`: its rolled-back content comes back."""
    ensure_unlocked(ws.repo.state_dir)
    line = _line(ws, cid)
    current = line.current
    rollback, note = _latest_rollback(line)
    bad = line.find(note["rollback-of"].rpartition("@")[2])
    if bad is None:
        raise NotFoundError(f"{note['rollback-of']}, named by {rollback.tag.name}, does not exist")
    checks = [
        Check("target-exists", "pre", "passed", f"{bad.tag.name} exists"),
        _reachable(bad),
    ]
    at_head = ws.repo.object_id(f"{ws.head}:{line.component.path}")
    at_rollback = ws.repo.object_id(f"{rollback.tag.commit_sha}:{line.component.path}")
    if at_head != at_rollback:
        checks.append(Check(
            "unchanged-since-rollback", "pre", "failed",
            f"{line.component.path} changed since {rollback.tag.name}: rolling forward "
            "would discard those changes", code=4,
            hint=f"re-apply them after `rollback {cid} --to` …, or restore by hand",
        ))  # fmt: skip
    else:
        checks.append(Check("unchanged-since-rollback", "pre", "passed",
                            f"{line.component.path} as {rollback.tag.name} left it"))  # fmt: skip
    new = _new_version(line, current, None, versions_of(line.yanked, line.component.id))
    yanked = without_yanked(line.yanked, line.component.id, str(bad.version))
    reason = note.get("rollback-reason", "unspecified")
    trailers = [("Template", line.component.id), ("Rollforward-Of", rollback.tag.name),
                ("Rollforward-To", bad.tag.name)]  # fmt: skip
    return assemble(
        ws, line.component, "rollforward", rollback, bad, new, reason=f"undo rollback ({reason})",
        emergency=False, trailers=trailers, checks=checks, yank=(), unyank=(str(bad.version),),
        files={ws.settings.path(YANKED_FILE): render_yanked(yanked).encode() if yanked else None},
        subject=f"revert({line.component.id}): roll forward to {bad.tag.name}",
    )  # fmt: skip


def _line(ws: Workspace, cid: str) -> _Line:
    component = ws.component(cid)
    glob = TagFormat.compile(component.tag_format).render(component.id, "*")
    tags = ws.repo.tags(details=True, patterns=[glob])
    merged = ws.repo.tags(details=False, patterns=[glob], merged=ws.head)
    reachable = {t.commit_sha for t in merged if t.commit_sha}
    versions = read_versions([component], tags, reachable).of(component.id)
    return _Line(component, versions, read_yanked(ws))


def _version_arg(line: _Line, text: str) -> VersionTag:
    try:
        found = line.find(text.rpartition("@")[2] if "@" in text else text)
    except ValueError:
        raise InvalidInputError(f"{text!r} is not a version (X.Y.Z)") from None
    if found is None:
        known = ", ".join(str(v.version) for v in line.versions) or "none"
        raise NotFoundError(f"{line.component.id} has no version {text}", hint=f"versions: {known}")
    return found


def _reachable(item: VersionTag) -> Check:
    if item.reachable:
        return Check("target-reachable", "pre", "passed", f"{item.tag.name} is an ancestor of HEAD")
    return Check(
        "target-reachable", "pre", "failed", f"{item.tag.name} is not reachable from HEAD",
        code=4, hint="check out the branch that holds it, or fetch it",
    )  # fmt: skip


def _new_version(
    line: _Line, current: VersionTag, wanted: str | None, yanked: set[str]
) -> tuple[str, str]:
    """(version, tag) of the restoring release: a patch bump unless `--version`."""
    fmt = TagFormat.compile(line.component.tag_format)
    if wanted is None:
        version = current.version.bump_patch()
    else:
        try:
            version = Version.parse(wanted.removeprefix("v"))
        except ValueError:
            raise InvalidInputError(f"--version {wanted!r} is not a version (X.Y.Z)") from None
        if version <= current.version:
            raise InvalidInputError(
                f"--version {version} is not above the current version {current.version}",
                hint="versions only go up: the restoring release is a new version",
            )
    existing = {str(v.version) for v in line.versions}
    if str(version) in existing or str(version) in yanked:
        raise GitStateError(
            f"{fmt.render(line.component.id, version)} already exists",
            hint="choose a free version with --version X.Y.Z",
        )
    return str(version), fmt.render(line.component.id, version)


def _latest_rollback(line: _Line) -> tuple[VersionTag, dict[str, str]]:
    undone = set()
    for item in line.versions:  # highest first
        if not item.reachable or not item.tag.annotated:
            continue
        note = dict(read_tag_message(item.tag.message or "").trailers)
        if "rollforward-of" in note:
            undone.add(note["rollforward-of"])
        elif "rollback-of" in note and item.tag.name not in undone:
            return item, note
    raise NotFoundError(
        f"{line.component.id} has no rollback to undo",
        hint=f"`gitops-templates history {line.component.id}` lists rollbacks",
    )
