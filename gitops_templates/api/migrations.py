"""Migrations of consumers' values: paths, upgrades, available updates. Part of `Catalog`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.migrations.check_update import UpdateReport
    from gitops_templates.migrations.core.paths import MigrationPath
    from gitops_templates.migrations.upgrade import UpgradeReport


class MigrationsApi:
    """Migrations of consumers' values: paths, upgrades, available updates."""

    workspace: Workspace

    def migrate_plan(self, template_id: str, source: str, target: str) -> MigrationPath:
        """The migrations from version `source` to `target` (up, or inverted down)."""
        from gitops_templates.migrations.plan import migrate_plan

        return migrate_plan(self.workspace, template_id, source, target)

    def upgrade(
        self,
        files: Sequence[str],
        *,
        to: str | None = None,
        dry_run: bool = False,
        allow_lossy: bool = False,
        diffs: bool = True,
    ) -> UpgradeReport:
        """Move instance files to `to` (a version, `latest`; None: the best their pin allows).

        Values are migrated, checked against the target's parameters and written back
        with comments and order kept; a file that fails stays byte-identical.
        """
        from gitops_templates.migrations.upgrade import UpgradeOptions, upgrade

        options = UpgradeOptions(to, dry_run, allow_lossy, diffs)
        return upgrade(self.workspace, files, options)

    def check_update(self, files: Sequence[str]) -> UpdateReport:
        """The update each instance file can take, its breaking findings and migrations."""
        from gitops_templates.migrations.check_update import check_updates
        from gitops_templates.migrations.releases import Releases

        return check_updates(Releases(self.workspace), files)
