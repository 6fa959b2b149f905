"""Git hooks: commit messages and pushes. Part of `Catalog`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.hooks.handlers import MessageLint, RangeLint
    from gitops_templates.hooks.install import InstallResult
    from gitops_templates.hooks.pushcheck import PushReport


class HooksApi:
    """Git hooks: commit messages and pushes."""

    workspace: Workspace

    def lint_commit_message(self, path: Path) -> MessageLint:
        """Lint a commit message file as the commit-msg hook does."""
        from gitops_templates.hooks.handlers import lint_commit_file

        return lint_commit_file(self.workspace, path)

    def lint_commits(self, rev_range: str) -> RangeLint:
        """Lint every commit message in `BASE..HEAD`."""
        from gitops_templates.hooks.handlers import lint_commit_range

        return lint_commit_range(self.workspace, rev_range)

    def check_pre_push(self, remote: str, updates: str) -> PushReport:
        """Check a push as the pre-push hook does (`updates`: git's stdin lines)."""
        from gitops_templates.hooks.handlers import check_pre_push

        return check_pre_push(self.workspace, remote, updates)

    def check_pre_receive(self, updates: str) -> PushReport:
        """Check a push as the server's pre-receive hook does (git's stdin lines)."""
        from gitops_templates.hooks.handlers import check_pre_receive

        return check_pre_receive(self.workspace, updates)

    def install_hooks(self, *, server: bool = False, force: bool = False) -> InstallResult:
        """Install commit-msg and pre-push (or, with `server`, pre-receive) hooks."""
        from gitops_templates.hooks.install import install_hooks

        return install_hooks(self.workspace, server=server, force=force)
