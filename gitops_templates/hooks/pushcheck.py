"""Use-case behind the `pre-push` and `pre-receive` hooks: what a push may not do.

Refused: deleting or moving a version tag (tags never move; roll forward instead), a
new version tag that is lightweight or whose recorded digest does not match its
commit's content, templates touched by the pushed commits that do not validate at the
pushed commit, and commits that violate the compatibility policy (an undeclared
breaking change under `enforce`). Everything is read from the object database, so the
server hook works inside git's quarantine, before any ref moves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from gitops_templates.core.jsonform import JsonDocument
from gitops_templates.errors import CompatibilityError, ExitCode, GitOpsTemplatesError, Problem

if TYPE_CHECKING:
    from collections.abc import Sequence

    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.core.models import Component, TagRecord
    from gitops_templates.hooks.core.pushrefs import RefUpdate

ROLL_FORWARD = "versions never move: release a new version, or `gitops-templates rollback`"


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why one ref update may not land."""

    json_fields: ClassVar[tuple[str, ...]] = ("ref", "exit_code=code", "*problem")

    ref: str
    code: ExitCode
    problem: Problem


@dataclass(frozen=True, slots=True)
class PushReport(JsonDocument):
    """The verdict on one push."""

    json_fields: ClassVar[tuple[str, ...]] = (
        "schema_version",
        "ok",
        "refs",
        "checked",
        "refused=refusals",
    )

    updates: tuple[RefUpdate, ...]
    checked: tuple[str, ...]  # templates validated and policy-checked
    refusals: tuple[Refusal, ...]

    @property
    def exit_code(self) -> ExitCode:
        """0 when the push may go on; else the most basic reason's code."""
        return min((r.code for r in self.refusals), default=ExitCode.OK)

    @property
    def ok(self) -> bool:
        """The push may go on."""
        return not self.refusals

    @property
    def refs(self) -> tuple[str, ...]:
        """The refs the push updates."""
        return tuple(u.ref for u in self.updates)


def check_push(ws: Workspace, updates: Sequence[RefUpdate], *, known: Sequence[str]) -> PushReport:
    """Check every ref update; `known` excludes commits the receiver already has.

    `known` is revision arguments for `git log --not`: `--remotes=<name>` for a client
    pushing a new branch, `--all` on the server (refs before the push).
    """
    refusals: list[Refusal] = []
    checked: list[str] = []
    for update in updates:
        if update.is_tag:
            refusals += _tag_refusals(ws, update)
        elif update.is_branch and update.new is not None:
            found, touched = _branch_refusals(ws, update, known)
            refusals += found
            checked += [t for t in touched if t not in checked]
    return PushReport(tuple(updates), tuple(checked), tuple(refusals))


def _tag_refusals(ws: Workspace, update: RefUpdate) -> list[Refusal]:
    if update.new is None or update.old is not None:
        component = _version_owner(ws, update.name, None)
        if component is None:
            return []
        verb = "deletes" if update.new is None else "moves"
        return [_refuse(update, ExitCode.GIT_STATE, f"the push {verb} version tag {update.name}",
                        rule=f"version-tag-{'deleted' if update.new is None else 'moved'}",
                        hint=ROLL_FORWARD)]  # fmt: skip
    record = ws.repo.tag_objects({update.name: update.new})[0]
    if record.commit_sha is None:
        return []  # a tag of a tree or blob is not a version
    component = _version_owner(ws, update.name, record.commit_sha)
    if component is None:
        return []
    return _content_refusals(ws, update, record, component)


def _content_refusals(
    ws: Workspace, update: RefUpdate, record: TagRecord, component: Component
) -> list[Refusal]:
    from gitops_templates.versioning.verify import content_check

    commit = record.commit_sha or ""
    contents = ws.contents([(commit, component.path)]) if record.annotated else {}
    found = content_check(component.id, record, component.path, contents)
    if found is None:
        return []
    hint = ("create version tags with `gitops-templates release`, which records the digest"
            if found.status == "unverifiable" else ROLL_FORWARD)  # fmt: skip
    return [_refuse(update, ExitCode.INVALID_INPUT, f"version tag {update.name}: {found.detail}",
                    rule=f"version-tag-{found.status}", hint=hint)]  # fmt: skip


def _version_owner(ws: Workspace, name: str, revision: str | None) -> Component | None:
    """The component `name` is a version of, with the components at `revision` (or ws's)."""
    from gitops_templates.core.tags import owner_of

    try:
        components = (ws.at(revision) if revision else ws).components
    except GitOpsTemplatesError:
        return None  # no commit there (an empty server repository): nothing versioned yet
    return owner_of(components, name)


def _branch_refusals(
    ws: Workspace, update: RefUpdate, known: Sequence[str]
) -> tuple[list[Refusal], list[str]]:
    from gitops_templates.catalog.validation import body_files_at, validate_at

    assert update.new is not None
    base = [update.old] if update.old and ws.repo.existing([update.old]) else list(known)
    log = ws.repo.log([update.new], base)
    if not log.commits:
        return [], []
    pushed = ws.at(update.new)
    attributor = pushed.attributor()
    templates = {c.id for c in pushed.components if c.kind == "template"}
    touched = sorted(set().union(*(attributor.by_path(c.files) for c in log.commits)))
    files = {f for c in log.commits for f in c.files}
    prefix = pushed.settings.templates_dir
    metadata = [t for t in touched if t in templates and any(
        f == f"{prefix}/{t}/template.yaml" or f.startswith(f"{prefix}/{t}/examples/")
        for f in files)]  # fmt: skip
    bodies = [t for t in touched if t in templates and t not in metadata]
    problems = validate_at(pushed, metadata) + body_files_at(pushed, bodies)
    refusals = [Refusal(update.ref, ExitCode.INVALID_INPUT, p) for p in problems]
    if touched and not refusals:
        refusals += _policy_refusals(pushed, update, touched)
    return refusals, touched


def _policy_refusals(pushed: Workspace, update: RefUpdate, touched: list[str]) -> list[Refusal]:
    from gitops_templates.compat.policy import apply, verdicts

    states = pushed.analyze(touched).states
    try:
        apply(pushed, states, verdicts(pushed, states), pre_token=None)
    except CompatibilityError as err:
        problems = err.problems or (Problem(err.message, hint=err.hint),)
        return [Refusal(update.ref, err.exit_code, p) for p in problems]
    return []


def _refuse(update: RefUpdate, code: ExitCode, message: str, *, rule: str, hint: str) -> Refusal:
    return Refusal(update.ref, code, Problem(message, rule=rule, hint=hint))
