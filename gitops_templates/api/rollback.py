"""Rollback and roll-forward: revert-and-tag. Part of `Catalog`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.rollback.execute import RestoreResult
    from gitops_templates.rollback.recover import RecoverResult
    from gitops_templates.rollback.restore_plan import RestorePlan


class RollbackApi:
    """Rollback and roll-forward: revert-and-tag."""

    workspace: Workspace

    def plan_rollback(
        self,
        cid: str,
        to: str,
        *,
        reason: str = "",
        version: str | None = None,
        emergency: bool = False,
        abort_rollout: bool = False,
    ) -> RestorePlan:
        """Plan restoring a template to an earlier version (pre-validation included)."""
        from gitops_templates.rollback.plan import plan_rollback

        return plan_rollback(self.workspace, cid, to, reason=reason, version=version,
                             emergency=emergency, abort_rollout=abort_rollout)  # fmt: skip

    def plan_rollforward(self, cid: str) -> RestorePlan:
        """Plan undoing the latest rollback of a template."""
        from gitops_templates.rollback.plan import plan_rollforward

        return plan_rollforward(self.workspace, cid)

    def restore(
        self,
        plan: RestorePlan,
        *,
        push: bool = False,
        remote: str = "origin",
        dry_run: bool = False,
    ) -> RestoreResult:
        """Carry out a rollback/roll-forward plan: all of it, or nothing changed."""
        from gitops_templates.rollback.execute import execute

        return execute(self.workspace, plan, push=push, remote=remote, dry_run=dry_run)

    def recover(self, *, dry_run: bool = False) -> RecoverResult:
        """Finish or undo a rollback/roll-forward that was killed, and free its lock."""
        from gitops_templates.rollback.recover import recover

        return recover(self.workspace, dry_run=dry_run)

    def rollback(self, cid: str, to: str, **options: Any) -> RestoreResult:
        """Plan and carry out a rollback (`reason`, `version`, `emergency`, `push`, ...)."""
        run = {k: options.pop(k) for k in ("push", "remote", "dry_run") if k in options}
        return self.restore(self.plan_rollback(cid, to, **options), **run)

    def rollforward(self, cid: str, **options: Any) -> RestoreResult:
        """Plan and carry out a roll-forward (`push`, `remote`, `dry_run`)."""
        return self.restore(self.plan_rollforward(cid), **options)
