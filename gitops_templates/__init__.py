"""gitops-templates: a Git-native lifecycle for catalogs of Jinja2 templates.

>>> from gitops_templates import Catalog, to_json
>>> plan = Catalog("path/to/catalog").plan()
>>> document = to_json(plan)  # the `plan --json` document

The public API is `Catalog`, the result types its methods return, the errors they
raise and `to_json`. Names are imported on first use so that `import gitops_templates`
stays cheap (git hooks import it on every commit).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    "Catalog": "api",
    "to_json": "core.jsonform",
    # errors
    **dict.fromkeys(
        (
            "GitOpsTemplatesError",
            "ExitCode",
            "Problem",
            "UsageError",
            "InvalidInputError",
            "ConfigError",
            "SchemaValidationError",
            "IntegrityError",
            "GitStateError",
            "NotAGitRepositoryError",
            "ShallowRepositoryError",
            "EmptyRepositoryError",
            "Evaluation",
            "TagConflictError",
            "StalePlanError",
            "LockedError",
            "NotFoundError",
            "CompatibilityError",
        ),
        "errors",
    ),
    # values and results
    **dict.fromkeys(("Component", "Level", "Notice"), "core.models"),
    **dict.fromkeys(("Analysis", "ComponentState", "CommitChange"), "core.planning"),
    **dict.fromkeys(
        ("ReleasePlan", "PlannedRelease", "PlannedCommit"),
        "versioning.plan",
    ),
    **dict.fromkeys(
        ("ReleaseResult", "CreatedTag"),
        "versioning.release",
    ),
    **dict.fromkeys(
        (
            "HistoryReport",
            "VersionInfo",
            "VersionDetail",
            "StatsReport",
            "ComponentStats",
            "ReleaseNotes",
        ),
        "versioning.inspection",
    ),
    **dict.fromkeys(("VerifyReport", "TagCheck"), "versioning.verify"),
    "CompatibilityReport": "compat.check",
    "Finding": "compat.core.rules",
    "RestorePlan": "rollback.restore_plan",
    "RestoreResult": "rollback.execute",
    "RecoverResult": "rollback.recover",
    "RenderResult": "rendering.render",
    **dict.fromkeys(("UpgradeReport", "InstanceUpgrade"), "migrations.upgrade"),
    **dict.fromkeys(("UpdateReport", "InstanceUpdate"), "migrations.check_update"),
    **dict.fromkeys(("MigrationPath", "Step"), "migrations.core.paths"),
    **dict.fromkeys(("TestReport", "TemplateTests", "Trial"), "testing.run"),
    "Simulation": "testing.simulate",
    "BenchReport": "testing.bench",
    **dict.fromkeys(("HealthReport", "VersionHealth"), "health.check"),
    "Recovery": "health.recovery",
    "HealthHistory": "health.report",
    "Evaluation": "health.watch",
    **dict.fromkeys(("Alert", "Delivery"), "health.alerts"),
    **dict.fromkeys(("ImportResult", "PruneResult"), "metrics.ingest"),
    **dict.fromkeys(("ShadowReport", "DivergenceGroup"), "testing.shadow"),
    "DocsResult": "docs.generate",
    "ValidationReport": "catalog.validation",
    "ScaffoldResult": "catalog.scaffold",
    **dict.fromkeys(("MessageLint", "RangeLint"), "hooks.handlers"),
    "PushReport": "hooks.pushcheck",
    "InstallResult": "hooks.install",
}

__all__ = [
    "Alert",
    "Analysis",
    "BenchReport",
    "Catalog",
    "CommitChange",
    "CompatibilityError",
    "CompatibilityReport",
    "Component",
    "ComponentState",
    "ComponentStats",
    "ConfigError",
    "CreatedTag",
    "Delivery",
    "DivergenceGroup",
    "DocsResult",
    "EmptyRepositoryError",
    "Evaluation",
    "ExitCode",
    "Finding",
    "GitOpsTemplatesError",
    "GitStateError",
    "HealthHistory",
    "HealthReport",
    "HistoryReport",
    "ImportResult",
    "InstallResult",
    "InstanceUpdate",
    "InstanceUpgrade",
    "IntegrityError",
    "InvalidInputError",
    "Level",
    "LockedError",
    "MessageLint",
    "MigrationPath",
    "NotAGitRepositoryError",
    "NotFoundError",
    "Notice",
    "PlannedCommit",
    "PlannedRelease",
    "Problem",
    "PruneResult",
    "PushReport",
    "RangeLint",
    "RecoverResult",
    "Recovery",
    "ReleaseNotes",
    "ReleasePlan",
    "ReleaseResult",
    "RenderResult",
    "RestorePlan",
    "RestoreResult",
    "ScaffoldResult",
    "SchemaValidationError",
    "ShadowReport",
    "ShallowRepositoryError",
    "Simulation",
    "StalePlanError",
    "StatsReport",
    "Step",
    "TagCheck",
    "TagConflictError",
    "TemplateTests",
    "TestReport",
    "Trial",
    "UpdateReport",
    "UpgradeReport",
    "UsageError",
    "ValidationReport",
    "VerifyReport",
    "VersionDetail",
    "VersionHealth",
    "VersionInfo",
    "__version__",
    "to_json",
]

if TYPE_CHECKING:
    from gitops_templates.api import Catalog
    from gitops_templates.catalog.scaffold import ScaffoldResult
    from gitops_templates.catalog.validation import ValidationReport
    from gitops_templates.compat.check import CompatibilityReport
    from gitops_templates.compat.core.rules import Finding
    from gitops_templates.core.jsonform import to_json
    from gitops_templates.core.models import Component, Level, Notice
    from gitops_templates.core.planning import Analysis, CommitChange, ComponentState
    from gitops_templates.docs.generate import DocsResult
    from gitops_templates.errors import (
        CompatibilityError,
        ConfigError,
        EmptyRepositoryError,
        ExitCode,
        GitOpsTemplatesError,
        GitStateError,
        IntegrityError,
        InvalidInputError,
        LockedError,
        NotAGitRepositoryError,
        NotFoundError,
        Problem,
        SchemaValidationError,
        ShallowRepositoryError,
        StalePlanError,
        TagConflictError,
        UsageError,
    )
    from gitops_templates.health.alerts import Alert, Delivery
    from gitops_templates.health.check import HealthReport, VersionHealth
    from gitops_templates.health.recovery import Recovery
    from gitops_templates.health.report import HealthHistory
    from gitops_templates.health.watch import Evaluation
    from gitops_templates.hooks.handlers import MessageLint, RangeLint
    from gitops_templates.hooks.install import InstallResult
    from gitops_templates.hooks.pushcheck import PushReport
    from gitops_templates.metrics.ingest import ImportResult, PruneResult
    from gitops_templates.migrations.check_update import InstanceUpdate, UpdateReport
    from gitops_templates.migrations.core.paths import MigrationPath, Step
    from gitops_templates.migrations.upgrade import InstanceUpgrade, UpgradeReport
    from gitops_templates.rendering.render import RenderResult
    from gitops_templates.rollback.execute import RestoreResult
    from gitops_templates.rollback.recover import RecoverResult
    from gitops_templates.rollback.restore_plan import RestorePlan
    from gitops_templates.testing.bench import BenchReport
    from gitops_templates.testing.run import TemplateTests, TestReport, Trial
    from gitops_templates.testing.shadow import DivergenceGroup, ShadowReport
    from gitops_templates.testing.simulate import Simulation
    from gitops_templates.versioning.inspection import (
        ComponentStats,
        HistoryReport,
        ReleaseNotes,
        StatsReport,
        VersionDetail,
        VersionInfo,
    )
    from gitops_templates.versioning.plan import PlannedCommit, PlannedRelease, ReleasePlan
    from gitops_templates.versioning.release import CreatedTag, ReleaseResult
    from gitops_templates.versioning.verify import TagCheck, VerifyReport


if not TYPE_CHECKING:  # type checkers see the imports above, and only those names

    def __getattr__(name: str) -> Any:
        module = _EXPORTS.get(name)
        if module is None:
            raise AttributeError(f"module 'gitops_templates' has no attribute {name!r}")
        value = getattr(importlib.import_module(f"gitops_templates.{module}"), name)
        globals()[name] = value  # imported once
        return value

    def __dir__() -> list[str]:
        return sorted(__all__)
