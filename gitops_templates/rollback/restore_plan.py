"""The restore plan shared by rollback and roll-forward, and how it is assembled.

`assemble` finishes a plan both planners start: the target's content and digest, the
commits whose effect is undone, the compatibility of the change for consumers of the
current version, the commit message with its trailers and the tag message.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar

from gitops_templates.core.changelog import read_tag_message, tag_message
from gitops_templates.core.jsonform import JsonDocument
from gitops_templates.core.models import Level, Notice
from gitops_templates.errors import GitOpsTemplatesError, IntegrityError
from gitops_templates.rollback.changelog_entry import changelog_paths, restored_changelogs
from gitops_templates.rollback.checks import Check, path_checks

if TYPE_CHECKING:
    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.core.attribution import Attributor
    from gitops_templates.core.models import Component
    from gitops_templates.core.tags import VersionTag
    from gitops_templates.git.repo import LogResult


@dataclass(frozen=True, slots=True)
class UndoneCommit:
    """A commit whose effect on the template's directory the restore undoes."""

    json_fields: ClassVar[tuple[str, ...]] = ("sha", "subject", "also_touched=others")

    sha: str
    subject: str
    others: tuple[str, ...]  # other templates it touched: left as they are


@dataclass(frozen=True, slots=True)
class RestorePlan(JsonDocument):
    """Everything a rollback or roll-forward will do, decided before anything changes."""

    json_fields: ClassVar[tuple[str, ...]] = (
        "schema_version",
        "kind",
        "id",
        "path",
        "head",
        "branch",
        "current",
        "target",
        "target_tree",
        "new_version",
        "new_tag",
        "reason",
        "emergency",
        "undone_commits=commits",
        "untouched_templates=untouched",
        "compatibility",
        "findings",
        "yank",
        "unyank",
        "checks",
        "commit_message",
        "warnings=notices",
    )

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


def assemble(
    ws: Workspace,
    component: Component,
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
    """The finished plan: content checks, undone commits, compatibility, messages.

    The undone commits come from one path-limited `git log`, run while the rest is read.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:  # the log runs while the rest is read
        log = pool.submit(
            ws.repo.log, [ws.head], [target.tag.commit_sha or ""], paths=[component.path]
        )
        logs = changelog_paths(ws, component)
        checks.extend(path_checks(ws, [component.path, *files, *logs]))
        digest, tree, check = _target_content(ws, target, component.path)
        checks.append(check)
        compatibility, findings, notices = _compatibility(ws, component, current, target)
        commits = _undone(ws.attributor(), component, log.result())
    if not commits:
        notices.append(Notice(
            "nothing-undone",
            f"no commit after {target.tag.name} touched {component.path}/: what changed "
            "since comes from elsewhere (a shared partial?) and is not rolled back",
            component.id,
        ))  # fmt: skip
    body = _commit_body(reason, commits, component.path)
    changelog = _changelog(kind, component.id, new[0], target, reason, yank, unyank, commits)
    title = "Rollback" if kind == "rollback" else "Roll-forward"
    files = {**files, **restored_changelogs(
        ws, component, title=title, version=new[0], tags=(new[1], current.tag.name),
        lines=_entry_lines(changelog), day=_today(),
    )}  # fmt: skip
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


def kept_inside(plan_path: str, files: dict[str, bytes | None]) -> frozenset[str]:
    """The files a restore writes inside the template's directory (relative to it)."""
    prefix = f"{plan_path}/"
    return frozenset(p.removeprefix(prefix) for p in files if p.startswith(prefix))


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


def _undone(
    attributor: Attributor, component: Component, log: LogResult
) -> tuple[UndoneCommit, ...]:
    """Commits after the target that touched the directory (one path-limited `git log`)."""
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
    from gitops_templates.compat.check import compare, load_overrides, profile_for, snapshots

    places = [(component, "current", current.tag.commit_sha or ""),
              (component, "target", target.tag.commit_sha or "")]  # fmt: skip
    try:
        found = snapshots(ws, places)
        old, new = found[(component.id, "current")], found[(component.id, "target")]
        same = old.meta_id == new.meta_id  # then template.yaml need not even be parsed
        profile = ws.settings.compatibility_profile if same else profile_for(ws, new)
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


def _today() -> str:
    return datetime.now(tz=UTC).strftime("%Y-%m-%d")


def _entry_lines(changelog: str) -> list[str]:
    """The items of the tag message's changelog (`- ...` lines), for the files."""
    return [line[2:] for line in changelog.splitlines() if line.startswith("- ")]


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
