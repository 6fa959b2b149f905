"""Use-cases `rollback` and `rollforward`, first half: the plan.

A rollback restores ONE template's directory to an earlier version's tree in a new
commit and tags it with a new, higher version (tags never move); the bad version is
yanked in the same commit. A roll-forward undoes the latest rollback the same way.
Planning reads only what these need (the template's tags, one path-limited `git log`,
two snapshots), never the whole history, and runs every pre-validation: a plan whose
checks failed is printed with them and refused by `restoring.execute`.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from semver import Version

from gitops_templates.changelog import read_tag_message, tag_message
from gitops_templates.errors import (
    GitOpsTemplatesError,
    GitStateError,
    IntegrityError,
    InvalidInputError,
    NotFoundError,
)
from gitops_templates.models import SCHEMA_VERSION, Level, Notice
from gitops_templates.restore_checks import Check, path_checks, rollout_check
from gitops_templates.tags import read_versions
from gitops_templates.versioning import TagFormat
from gitops_templates.yanking import (
    YANKED_FILE,
    YankedVersion,
    read_yanked,
    render_yanked,
    versions_of,
    with_yanked,
    without_yanked,
)

if TYPE_CHECKING:
    from gitops_templates.gitrepo import LogResult
    from gitops_templates.models import Component
    from gitops_templates.tags import VersionTag
    from gitops_templates.workspace import Workspace
    from gitops_templates.yanking import Yanked


@dataclass(frozen=True, slots=True)
class UndoneCommit:
    """A commit whose effect on the template's directory the restore undoes."""

    sha: str
    subject: str
    others: tuple[str, ...]  # other templates it touched: left as they are

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"sha": self.sha, "subject": self.subject, "also_touched": list(self.others)}


@dataclass(frozen=True, slots=True)
class RestorePlan:
    """Everything a rollback or roll-forward will do, decided before anything changes."""

    kind: str  # rollback | rollforward
    id: str
    path: str
    head: str
    branch: str | None  # None: detached HEAD
    current: str  # the version being rolled back (or the rollback being undone)
    target: str  # the version whose content comes back
    target_tree: str
    new_version: str
    new_tag: str
    reason: str
    emergency: bool
    commits: tuple[UndoneCommit, ...]
    compatibility: str
    findings: tuple[str, ...]
    yank: tuple[str, ...]
    unyank: tuple[str, ...]
    files: dict[str, bytes | None]  # other files the commit writes (yanked.yaml, rollout)
    commit_message: str
    tag_message: str
    checks: tuple[Check, ...]
    notices: tuple[Notice, ...] = field(default=())

    @property
    def untouched(self) -> tuple[str, ...]:
        """Other templates the undone commits touched, whose changes stay."""
        return tuple(sorted({o for c in self.commits for o in c.others}))

    @property
    def paths(self) -> tuple[str, ...]:
        """Every path the restoring commit changes."""
        return (self.path, *self.files)

    def failed(self) -> list[Check]:
        """Pre-validation checks that failed."""
        return [c for c in self.checks if c.status == "failed"]

    def to_dict(self) -> dict[str, Any]:
        """JSON form (also embedded in the result)."""
        return {
            "schema_version": SCHEMA_VERSION, "kind": self.kind, "id": self.id,
            "path": self.path, "head": self.head, "branch": self.branch,
            "current": self.current, "target": self.target, "target_tree": self.target_tree,
            "new_version": self.new_version, "new_tag": self.new_tag, "reason": self.reason,
            "emergency": self.emergency, "undone_commits": [c.to_dict() for c in self.commits],
            "untouched_templates": list(self.untouched), "compatibility": self.compatibility,
            "findings": list(self.findings), "yank": list(self.yank),
            "unyank": list(self.unyank), "checks": [c.to_dict() for c in self.checks],
            "commit_message": self.commit_message, "warnings": [n.to_dict() for n in self.notices],
        }  # fmt: skip


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
    checks.append(_reachable(ws, target))
    yanked_now = versions_of(line.yanked, line.component.id)
    checks.append(
        Check("target-not-yanked", "pre", "failed", f"{target.version} is yanked",
              code=4, hint="pick another version, or `rollforward` to un-yank it")
        if str(target.version) in yanked_now
        else Check("target-not-yanked", "pre", "passed", f"{target.version} is not yanked")
    )  # fmt: skip
    reason = " ".join(reason.split()) or "unspecified"
    new = _new_version(line, current, version, yanked_now)
    today = datetime.now(tz=UTC).strftime("%Y-%m-%d")
    entry = YankedVersion(str(current.version), reason, new[1], today)
    yanked = with_yanked(line.yanked, line.component.id, entry)
    files: dict[str, bytes | None] = {YANKED_FILE: render_yanked(yanked).encode()}
    rollout, rollout_file = rollout_check(ws, line.component.id, abort=abort_rollout)
    checks.append(rollout)
    if rollout_file is not None:
        files.update(rollout_file)
    trailers = [("Template", line.component.id), ("Rollback-Of", current.tag.name),
                ("Rollback-To", target.tag.name), ("Rollback-Reason", reason)]  # fmt: skip
    if emergency:
        trailers.append(("Rollback-Emergency", "true"))
    return _plan(
        ws, line, "rollback", current, target, new, reason=reason, emergency=emergency,
        trailers=trailers, files=files, checks=checks, yank=(str(current.version),), unyank=(),
        subject=f"revert({line.component.id}): roll back to {target.tag.name}",
    )  # fmt: skip


def plan_rollforward(ws: Workspace, cid: str) -> RestorePlan:
    """Plan undoing the latest rollback of `cid`: its rolled-back content comes back."""
    line = _line(ws, cid)
    current = line.current
    rollback, note = _latest_rollback(line)
    bad = line.find(note["rollback-of"].rpartition("@")[2])
    if bad is None:
        raise NotFoundError(f"{note['rollback-of']}, named by {rollback.tag.name}, does not exist")
    checks = [
        Check("target-exists", "pre", "passed", f"{bad.tag.name} exists"),
        _reachable(ws, bad),
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
    return _plan(
        ws, line, "rollforward", rollback, bad, new, reason=f"undo rollback ({reason})",
        emergency=False, trailers=trailers, checks=checks, yank=(), unyank=(str(bad.version),),
        files={YANKED_FILE: render_yanked(yanked).encode() if yanked else None},
        subject=f"revert({line.component.id}): roll forward to {bad.tag.name}",
    )  # fmt: skip


def _line(ws: Workspace, cid: str) -> _Line:
    component = ws.component(cid)
    glob = TagFormat.compile(component.tag_format).render(component.id, "*")
    tags = ws.repo.tags(details=True, patterns=[glob])
    merged = ws.repo.tags(details=False, patterns=[glob], merged=ws.head)
    reachable = {t.commit_sha for t in merged if t.commit_sha}
    versions = read_versions([component], tags, reachable)[0][component.id]
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


def _reachable(ws: Workspace, item: VersionTag) -> Check:
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


def _plan(
    ws: Workspace,
    line: _Line,
    kind: str,
    current: VersionTag,
    target: VersionTag,
    new: tuple[str, str],
    *,
    reason: str,
    emergency: bool,
    trailers: list[tuple[str, str]],
    files: dict[str, bytes | None],
    checks: list[Check],
    yank: tuple[str, ...],
    unyank: tuple[str, ...],
    subject: str,
) -> RestorePlan:
    component = line.component
    with ThreadPoolExecutor(max_workers=1) as pool:  # the log runs while the rest is read
        log = pool.submit(
            ws.repo.log, [ws.head], [target.tag.commit_sha or ""], paths=[component.path]
        )
        checks.extend(path_checks(ws, [component.path, *files]))
        digest, tree, check = _target_content(ws, target, component.path)
        checks.append(check)
        compatibility, findings, notices = _compatibility(ws, component, current, target)
        commits = _undone(ws, component, log.result())
    if not commits:
        notices.append(Notice(
            "nothing-undone",
            f"no commit after {target.tag.name} touched {component.path}/: what changed "
            "since comes from elsewhere (a shared partial?) and is not rolled back",
            component.id,
        ))  # fmt: skip
    body = _commit_body(reason, commits, component.path)
    changelog = _changelog(kind, component.id, new[0], target, reason, yank, unyank, commits)
    tag_trailers = [("Template-Digest", digest), ("Template-Tree", tree),
                    ("Compatibility", compatibility), *trailers[1:]]  # fmt: skip
    commit_trailers = "\n".join(f"{k}: {v}" for k, v in trailers)
    return RestorePlan(
        kind=kind, id=component.id, path=component.path, head=ws.head,
        branch=ws.repo.symbolic_head(), current=str(current.version),
        target=str(target.version), target_tree=tree, new_version=new[0], new_tag=new[1],
        reason=reason, emergency=emergency, commits=commits, compatibility=compatibility,
        findings=findings, yank=yank, unyank=unyank, files=files,
        commit_message=f"{subject}\n\n{body}\n\n{commit_trailers}\n",
        tag_message=tag_message(f"{component.id} {new[0]}", changelog, tag_trailers),
        checks=tuple(checks), notices=tuple(notices),
    )  # fmt: skip


def _target_content(ws: Workspace, target: VersionTag, path: str) -> tuple[str, str, Check]:
    """(digest, tree) at the target, and the check of its tag's recorded digest."""
    commit = target.tag.commit_sha or ""
    found = ws.contents([(commit, path)])[(commit, path)]
    if found is None:
        raise IntegrityError(f"{target.tag.name} has no {path} directory")
    digest, tree = found
    note = read_tag_message(target.tag.message or "") if target.tag.annotated else None
    if note is None or note.digest is None:
        return digest, tree, Check(
            "target-digest", "pre", "warning",
            f"{target.tag.name} records no digest (lightweight or foreign tag): not verified",
        )  # fmt: skip
    if note.digest != digest:
        return digest, tree, Check(
            "target-digest", "pre", "failed",
            f"{target.tag.name} records {note.digest}, its content has {digest}: the tag "
            "was moved or re-created", code=3, hint="`gitops-templates verify` shows all such tags",
        )  # fmt: skip
    return digest, tree, Check("target-digest", "pre", "passed", f"{digest} verified")


def _undone(ws: Workspace, component: Component, log: LogResult) -> tuple[UndoneCommit, ...]:
    """Commits after the target that touched the directory (one path-limited `git log`)."""
    attributor = ws.attributor()
    return tuple(
        UndoneCommit(
            c.sha, c.message.split("\n", 1)[0],
            tuple(sorted(attributor.by_path(c.files) - {component.id})),
        )
        for c in log.commits
    )  # fmt: skip


def _compatibility(
    ws: Workspace, component: Component, current: VersionTag, target: VersionTag
) -> tuple[str, tuple[str, ...], list[Notice]]:
    """What consumers of the current version see when they get the target's content."""
    if component.kind != "template":
        return "none", (), []
    from gitops_templates.compatibility import compare, load_overrides, profile_for, snapshots

    places = [(component, "current", current.tag.commit_sha or ""),
              (component, "target", target.tag.commit_sha or "")]  # fmt: skip
    try:
        found = snapshots(ws, places)
        old, new = found[(component.id, "current")], found[(component.id, "target")]
        same = old.meta_id == new.meta_id  # then template.yaml need not even be parsed
        profile = ws.settings.compatibility_profile if same else profile_for(ws, new.metadata)
        report = compare(old, new, cid=component.id, profile=profile, overrides=load_overrides(ws))
    except GitOpsTemplatesError as err:
        return "unknown", (), [Notice("compatibility-unknown", err.message, component.id)]
    lines = tuple(report.summary().splitlines())
    notices = []
    if report.level is Level.MAJOR:
        notices.append(Notice(
            "rollback-breaking",
            f"restoring {target.tag.name} is a breaking change for consumers of "
            f"{current.tag.name} ({lines[0] if lines else 'see findings'}); consider "
            f"--version {current.version.bump_major()}",
            component.id,
        ))  # fmt: skip
    return report.level.compatibility, lines, notices


def _commit_body(reason: str, commits: tuple[UndoneCommit, ...], path: str) -> str:
    lines = [f"Reason: {reason}", "", f"Undoes, in {path}/ only:"]
    lines += [f"- {c.sha[:12]} {c.subject}" for c in commits[:50]]
    if len(commits) > 50:
        lines.append(f"- … and {len(commits) - 50} more")
    return "\n".join(lines)


def _changelog(
    kind: str,
    cid: str,
    version: str,
    target: VersionTag,
    reason: str,
    yank: tuple[str, ...],
    unyank: tuple[str, ...],
    commits: tuple[UndoneCommit, ...],
) -> str:
    day = datetime.now(tz=UTC).strftime("%Y-%m-%d")
    title = "Rollback" if kind == "rollback" else "Roll-forward"
    lines = [f"## {cid} {version} ({day})", "", f"### {title}", ""]
    lines.append(f"- content of {target.tag.name} restored: {reason}")
    lines += [f"- yanked {v}" for v in yank] + [f"- un-yanked {v}" for v in unyank]
    lines += [f"- undone: {c.sha[:12]} {c.subject}" for c in commits[:50]]
    return "\n".join(lines)
