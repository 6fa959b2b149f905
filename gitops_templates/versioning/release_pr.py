"""Use-case `release-pr`: the next release proposed as a branch, merged to release.

From the base commit, ONE commit `chore(release): <tags>` (footer `Release: none`)
holding what the release will need in the tree: the changelog files (`changelog:`),
the docs `docs` writes (showing the planned versions as released, so `docs --check`
passes at the tags) and the plan itself in `.gitops-templates/release-plan.json`.
The commit is built with a private index and `git commit-tree` (signed as
`commit.gpgSign` says; like a bot's commit, it runs no hooks), the docs in a
scratch work tree: the user's HEAD, index and work tree never change; only the
release branch moves, and `--push` sends it with `--force-with-lease` (a branch
someone else moved meanwhile is refused, not overwritten). A re-run whose commit
would hold the same tree on the same base changes nothing. Nothing planned: it says
so and leaves the branch alone.

Merging that branch releases it: `release --from-pr` (`versioning/release_from_pr.py`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from gitops_templates.catalog.workspace import RELEASE_PLAN_FILE
from gitops_templates.core.jsonform import JsonDocument, to_json
from gitops_templates.errors import GitStateError, UsageError
from gitops_templates.git.lock import repository_lock
from gitops_templates.versioning.changelog_files import changelog_updates
from gitops_templates.versioning.plan import ReleasePlan, build_plan
from gitops_templates.versioning.release import planned_tag_message
from gitops_templates.versioning.release_commit import commit_message

if TYPE_CHECKING:
    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.docs.data import PlannedVersion
    from gitops_templates.git.repo import GitRepo

PLAN_FILE = RELEASE_PLAN_FILE
DEFAULT_BRANCH = "gitops-templates/release"
PROBE = "refs/gitops-templates/probe/release-pr"
_BRANCH = re.compile(r"[A-Za-z0-9._][A-Za-z0-9._/-]*")


@dataclass(frozen=True, slots=True)
class ReleasePrResult(JsonDocument):
    """What `release-pr` did: `created`, `updated`, `unchanged` or `nothing-planned`."""

    json_fields: ClassVar[tuple[str, ...]] = (
        "schema_version", "branch", "base=plan.head", "status", "commit", "files",
        "pushed_to", "releases=plan.releases", "body", "warnings=plan.notices",
    )  # fmt: skip

    plan: ReleasePlan
    branch: str
    status: str
    commit: str | None = None
    files: tuple[str, ...] = ()
    pushed_to: str | None = None

    @property
    def body(self) -> str:
        """The pull request's description (Markdown): breaking changes, then the table."""
        from gitops_templates.versioning.release_pr_body import pull_request_body

        return pull_request_body(self.plan) if self.plan.releases else ""


def release_pr(
    ws: Workspace,
    *,
    branch: str = DEFAULT_BRANCH,
    base: str = "HEAD",
    push: bool = False,
    remote: str = "origin",
    pre: str | None = None,
    sign: bool | None = None,
) -> ReleasePrResult:
    """Write (or bring up to date) the release branch for the plan at `base`.

    `pre` plans prereleases (`X.Y.Z-<pre>.N`); the plan file records it, so merging
    the branch tags those prereleases. `sign` signs the commit (None: `commit.gpgSign`).
    """
    if (not _BRANCH.fullmatch(branch) or ".." in branch or branch.endswith((".lock", "/"))
            or branch == "HEAD" or branch.startswith("refs/")):  # fmt: skip
        raise UsageError(f"{branch!r} is not a branch name", hint=f"e.g. {DEFAULT_BRANCH}")
    ref = f"refs/heads/{branch}"
    repo = ws.repo
    if repo.symbolic_head() == ref or ref in repo.checked_out_branches():
        raise GitStateError(f"{branch} is checked out (here or in a worktree of this "
                            "repository); release-pr moves that branch",
                            hint="check out the base branch (e.g. `git switch main`)")  # fmt: skip
    base_sha = repo.resolve(base)
    with repository_lock(repo.state_dir, "release-pr"):
        plan = build_plan(ws.at(base_sha), pre=pre)
        if not plan.releases:
            return ReleasePrResult(plan, branch, "nothing-planned")
        files = release_files(ws, plan)
        tree = repo.tree_with(base_sha, files)
        local = repo.object_id(ref)
        # the lease: what this clone last saw there (read first: a fetch below updates
        # it); never having seen the branch there, it must not exist there
        known = repo.object_id(f"refs/remotes/{remote}/{branch}")
        theirs = repo.remote_branch(remote, ref) if push else None
        previous = theirs if push else local
        # this very change already made (there, or here by a preview) is reused as is
        candidates = dict.fromkeys((previous, local))
        reusable = (_same(ws, seen, tree, base_sha, remote, ref, sign) for seen in candidates)
        commit = next(filter(None, reusable), None) or repo.commit_tree(
            tree, base_sha, commit_message(plan), sign=sign
        )
        if local != commit:
            repo.update_refs([f"update {ref} {commit} {local or '0' * len(commit)}"])
        if push and theirs != commit:
            _push(repo, remote, ref, known, undo=(commit, local))
    status = "unchanged" if previous == commit else "updated" if previous else "created"
    return ReleasePrResult(plan, branch, status, commit, tuple(sorted(files)),
                           remote if push else None)  # fmt: skip


def release_files(ws: Workspace, plan: ReleasePlan) -> dict[str, bytes]:
    """Path -> content of what the release commit sets (only what changes, and the plan)."""
    files = dict(changelog_updates(ws.at(plan.head), plan))
    files |= _docs(ws, plan)
    document = {**to_json(plan), "release_pr": {"base": plan.head, "date": plan_date(plan)}}
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    files[ws.settings.path(PLAN_FILE)] = text.encode()
    return files


def plan_date(plan: ReleasePlan) -> str:
    """The release date the plan's changelogs state (the base commit's day, UTC)."""
    return plan.releases[0].day


def planned_versions(ws: Workspace, plan: ReleasePlan) -> dict[str, PlannedVersion]:
    """What docs show for the planned templates: the tag each will get, as released."""
    from gitops_templates.docs.data import PlannedVersion

    day = [("Release-Date", plan_date(plan))]
    return {
        r.id: PlannedVersion(r.next, r.tag, planned_tag_message(r, "-", "-", day))
        for r in plan.releases
        if ws.component(r.id).kind == "template"
    }


def _docs(ws: Workspace, plan: ReleasePlan) -> dict[str, bytes]:
    """The docs `docs` writes at the base once the plan is tagged (in a scratch work tree)."""
    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.docs.generate import generate_docs

    planned = planned_versions(ws, plan)
    with ws.repo.scratch_worktree(plan.head) as tree:
        scratch = Workspace(tree, config=ws.config_path)
        result = generate_docs(scratch, planned=planned)
        return {f.path: (tree / f.path).read_bytes() for f in result.files
                if f.status == "written"}  # fmt: skip


def _push(repo: GitRepo, remote: str, ref: str, known: str | None,
          undo: tuple[str, str | None]) -> None:  # fmt: skip
    """Push with the lease; refused, the local branch goes back to where it was."""
    try:
        repo.push_with_lease(remote, ref, known)
    except GitStateError:
        commit, local = undo
        if local != commit:
            repo.update_refs([f"update {ref} {local} {commit}" if local
                              else f"delete {ref} {commit}"])  # fmt: skip
        raise


def _same(ws: Workspace, previous: str | None, tree: str, base: str, remote: str, ref: str,
          sign: bool | None) -> str | None:  # fmt: skip
    """`previous` when it is this very change (same tree, same base, signed if asked)."""
    if previous is None:
        return None
    repo = ws.repo
    if repo.object_id(f"{previous}^{{commit}}") is None:
        repo.fetch_probe(remote, [f"+{ref}:{PROBE}"])
        repo.update_refs([f"delete {PROBE}"])
    same_tree = repo.object_id(f"{previous}^{{tree}}") == tree
    if sign and b"\ngpgsig" not in (repo.try_run(["cat-file", "commit", previous]) or b""):
        return None  # `--sign` over an unsigned commit: made again, signed
    return previous if same_tree and repo.object_id(f"{previous}^") == base else None
