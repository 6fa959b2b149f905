"""Versions: plan, release and what they show. Part of `Catalog`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.compat.check import CompatibilityReport
    from gitops_templates.core.planning import Analysis
    from gitops_templates.versioning.inspection import (
        HistoryReport,
        ReleaseNotes,
        StatsReport,
        VersionDetail,
    )
    from gitops_templates.versioning.plan import ReleasePlan
    from gitops_templates.versioning.release import ReleaseResult
    from gitops_templates.versioning.release_pr import ReleasePrResult
    from gitops_templates.versioning.verify import VerifyReport


class VersioningApi:
    """Versions: plan, release and what they show."""

    workspace: Workspace

    def status(self, ids: Sequence[str] = (), *, pre: str | None = None) -> Analysis:
        """Current version, unreleased commits and next version per component."""
        return self.workspace.analyze(ids, pre_token=pre)

    def plan(self, ids: Sequence[str] = (), *, pre: str | None = None) -> ReleasePlan:
        """The release plan at HEAD."""
        from gitops_templates.versioning.plan import build_plan

        return build_plan(self.workspace, ids, pre=pre)

    def release(
        self,
        plan: ReleasePlan | None = None,
        *,
        ids: Sequence[str] = (),
        pre: str | None = None,
        push: bool = False,
        remote: str = "origin",
        sign: bool | None = None,
        dry_run: bool = False,
        commit: bool = False,
        from_pr: bool = False,
    ) -> ReleaseResult:
        """Create the planned tags atomically; idempotent on the same HEAD.

        `commit`: first write the changelog files (`changelog:` in the config) in one
        release commit on the current branch, and tag that commit.
        """
        from gitops_templates.versioning.release import release

        return release(self.workspace, plan=plan, ids=ids, pre=pre, push=push, remote=remote,
                       sign=sign, dry_run=dry_run, commit=commit, from_pr=from_pr)  # fmt: skip

    def release_pr(
        self,
        *,
        branch: str = "gitops-templates/release",
        base: str = "HEAD",
        push: bool = False,
        remote: str = "origin",
        pre: str | None = None,
        sign: bool | None = None,
    ) -> ReleasePrResult:
        """Write or update the release branch (changelogs, docs, plan file) for the plan."""
        from gitops_templates.versioning.release_pr import release_pr

        return release_pr(self.workspace, branch=branch, base=base, push=push, remote=remote,
                          pre=pre, sign=sign)  # fmt: skip

    def changed_templates(self, ids: Sequence[str] = ()) -> list[str]:
        """Templates with commits since their last version (or never released)."""
        states = self.workspace.analyze(ids).states
        return [s.component.id for s in states if s.component.kind == "template"
                and (s.changes or s.line.current is None)]  # fmt: skip

    def history(self, cid: str) -> HistoryReport:
        """Every version of one component."""
        from gitops_templates.versioning.inspection import history

        return history(self.workspace, cid)

    def show(self, ref: str) -> VersionDetail:
        """One version (`ID` for the latest, or `ID@VERSION`)."""
        from gitops_templates.versioning.inspection import show

        return show(self.workspace, ref)

    def versions(self, template_id: str) -> list[str]:
        """A template's versions, highest first, from its tags alone (no history walk)."""
        from gitops_templates.core.tags import read_versions

        ws = self.workspace
        found = read_versions(ws.components, ws.tags, set()).of(template_id)
        return [str(v.version) for v in found]

    def release_notes(self, ref: str) -> ReleaseNotes:
        """A version's notes (`ID@VERSION`, its tag, or `ID`), as for a GitHub release."""
        from gitops_templates.versioning.inspection import release_notes

        return release_notes(self.workspace, ref)

    def stats(self, ids: Sequence[str] = (), *, since: int | None = None) -> StatsReport:
        """Release cadence, bump mix, lead time; rollback figures from `since` (Unix time)."""
        from gitops_templates.versioning.inspection import stats

        return stats(self.workspace, ids, since=since)

    def diff(
        self,
        cid: str,
        old: str | None = None,
        new: str | None = None,
        *,
        profile: str | None = None,
    ) -> CompatibilityReport:
        """Compatibility findings and files changed between two versions (B: work tree)."""
        from gitops_templates.compat.diff import diff

        return diff(self.workspace, cid, old, new, profile=profile)

    def verify(self, ids: Sequence[str] = ()) -> VerifyReport:
        """Recompute tag digests and check signatures."""
        from gitops_templates.versioning.verify import verify

        return verify(self.workspace, ids)
