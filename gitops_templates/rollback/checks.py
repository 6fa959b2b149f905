"""Validations of rollback and roll-forward, before and after the restoring commit.

Each check has a stage (`pre` runs while planning, `post` after the commit), a status
(`passed | failed | warning | skipped | planned`) and, when it failed, the exit code
and hint of the error it turns into. Safety checks (clean paths, tree equality,
metadata) always run; slow ones (examples validated and rendered) are skipped by
`--emergency`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from gitops_templates.errors import (
    ExitCode,
    GitOpsTemplatesError,
    GitStateError,
    InvalidInputError,
    NotFoundError,
    Problem,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from gitops_templates.catalog.workspace import Workspace

ROLLOUTS_DIR = ".gitops-templates/rollouts"
FINISHED_PHASES = frozenset({"completed", "promoted", "aborted", "rolled-back", "failed"})


@dataclass(frozen=True, slots=True)
class Check:
    """One validation and its outcome."""

    json_fields: ClassVar[tuple[str, ...]] = ("name", "stage", "status", "detail", "hint")

    name: str
    stage: str  # pre | post
    status: str  # passed | failed | warning | skipped | planned
    detail: str
    code: int = 0  # exit code when failed
    hint: str | None = None


def failure(checks: Sequence[Check], what: str) -> GitOpsTemplatesError:
    """The error for failed checks: the first one's exit code, every one as a problem.

    Failed pre-validation means nothing was changed; the caller says so for post.
    """
    failed = [c for c in checks if c.status == "failed"]
    problems = tuple(Problem(f"{c.name}: {c.detail}", hint=c.hint) for c in failed)
    kinds: dict[int, type[GitOpsTemplatesError]] = {
        ExitCode.INVALID_INPUT: InvalidInputError,
        ExitCode.NOT_FOUND: NotFoundError,
    }
    kind = kinds.get(failed[0].code, GitStateError)
    before = all(c.stage == "pre" for c in failed)
    return kind(
        f"{what}: {len(failed)} check(s) failed" + ("; nothing was changed" if before else ""),
        hint=failed[0].hint,
        problems=problems,
    )


def path_checks(ws: Workspace, paths: Sequence[str]) -> list[Check]:
    """The paths the commit changes must be clean: no staged, unstaged or untracked file."""
    if ws.repo.bare:
        return [Check("work-tree", "pre", "failed", "a bare repository has no work tree",
                      code=ExitCode.GIT_STATE, hint="run in a clone with a work tree")]  # fmt: skip
    dirty = ws.repo.path_status(paths)
    if not dirty:
        return [Check("clean-paths", "pre", "passed", f"{', '.join(paths)}: clean")]
    shown = [_status_path(line) for line in dirty[:5]]
    more = f" and {len(dirty) - 5} more" if len(dirty) > 5 else ""
    return [
        Check(
            "clean-paths", "pre", "failed",
            f"uncommitted or untracked changes: {', '.join(shown)}{more}",
            code=ExitCode.GIT_STATE,
            hint="commit, stash (`git stash -u`) or remove them first; nothing was changed",
        )
    ]  # fmt: skip


def _status_path(line: str) -> str:
    """The path of one `git status --porcelain=v2 -z` entry."""
    if line.startswith("? "):
        return f"{line[2:]} (untracked)"
    return line.rsplit(" ", 1)[-1]


def rollout_check(ws: Workspace, cid: str, *, abort: bool) -> tuple[Check, dict[str, bytes] | None]:
    """No rollout of `cid` in progress (or, with `abort`, the file that aborts it)."""
    from gitops_templates.catalog.yamlio import load_yaml

    path = ws.settings.path(f"{ROLLOUTS_DIR}/{cid}.yaml")
    raw = ws.repo.read_file(ws.head, path)
    if raw is None:
        return Check("no-rollout", "pre", "passed", "no rollout in progress"), None
    data = load_yaml(raw, path).data
    phase = str(data.get("phase", "")) if isinstance(data, dict) else ""
    if not isinstance(data, dict) or phase in FINISHED_PHASES:
        return Check("no-rollout", "pre", "passed", f"rollout {phase or 'finished'}"), None
    if not abort:
        return Check(
            "no-rollout", "pre", "failed", f"a rollout of {cid} is in progress (phase {phase!r})",
            code=ExitCode.GIT_STATE, hint="pass --abort-rollout to abort it in the same commit",
        ), None  # fmt: skip
    from gitops_templates.catalog.yamlio import dump_yaml

    data = {**data, "phase": "aborted", "aborted_by": "rollback"}
    text = dump_yaml(data).encode()
    return Check("no-rollout", "pre", "warning", f"rollout ({phase}) aborted"), {path: text}


def post_checks(
    ws: Workspace,
    cid: str,
    path: str,
    tree: str,
    *,
    emergency: bool,
    kept: frozenset[str] = frozenset(),
) -> list[Check]:
    """After the commit: tree equality and metadata always; examples unless emergency.

    The `kept` files (the template's changelog) are left out of the tree comparison.
    """
    from gitops_templates.catalog.validation import template_problems
    from gitops_templates.rendering.examples import render_examples

    found = ws.repo.object_id(f"HEAD:{path}")
    if found != tree and kept and _same_but(ws, f"HEAD:{path}", tree, kept):
        found = tree
    if found != tree:
        return [Check("tree-equal", "post", "failed",
                      f"{path} at HEAD is {found}, the target's tree is {tree}",
                      code=ExitCode.FAILURE)]  # fmt: skip
    checks = [Check("tree-equal", "post", "passed", f"{path} == {tree[:12]}")]
    if not path.startswith(f"{ws.settings.templates_dir}/"):
        return checks
    source = f"{path}/template.yaml"
    meta, examples = template_problems(ws.repo.root / path, source, cid, examples=not emergency,
                                       render=render_examples)  # fmt: skip
    checks.append(_from_problems("metadata-valid", meta, "template.yaml valid"))
    if emergency:
        checks.append(Check("examples-valid", "post", "skipped", "--emergency"))
    elif examples is None:
        checks.append(Check("examples-valid", "post", "skipped", "metadata invalid"))
    else:
        checks.append(_from_problems("examples-valid", examples, "examples valid and render"))
    return checks


def _same_but(ws: Workspace, one: str, other: str, kept: frozenset[str]) -> bool:
    """Whether two trees hold the same files, the `kept` paths left out."""
    listed = ws.repo.trees([one, other])
    found = [listed[spec] for spec in (one, other)]
    if found[0] is None or found[1] is None:
        return False
    first, second = ({(e.path, e.mode, e.sha) for e in entries[1] if e.path not in kept}
                     for entries in (found[0], found[1]))  # fmt: skip
    return first == second


def _from_problems(name: str, problems: Sequence[Problem], ok: str) -> Check:
    if not problems:
        return Check(name, "post", "passed", ok)
    first = problems[0]
    where = first.location()
    return Check(
        name, "post", "failed", f"{where + ': ' if where else ''}{first.message}"
        + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""),
        code=ExitCode.INVALID_INPUT, hint=first.hint,
    )  # fmt: skip
