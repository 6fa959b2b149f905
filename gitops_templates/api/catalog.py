"""The Python API: `Catalog(path).plan()` and friends. The CLI uses exactly this."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gitops_templates.api.health import HealthApi
from gitops_templates.api.hooks import HooksApi
from gitops_templates.api.migrations import MigrationsApi
from gitops_templates.api.rendering import RenderingApi
from gitops_templates.api.rollback import RollbackApi
from gitops_templates.api.versioning import VersioningApi
from gitops_templates.catalog.workspace import Workspace

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from gitops_templates.catalog.scaffold import ScaffoldResult
    from gitops_templates.catalog.validation import ValidationReport
    from gitops_templates.core.models import Component
    from gitops_templates.docs.generate import DocsResult


class Catalog(VersioningApi, RenderingApi, MigrationsApi, HealthApi, RollbackApi, HooksApi):
    """A catalog repository. Every method returns a result object and never prints.

    Its methods come in one part per capability (`gitops_templates.api.*`).
    """

    def __init__(
        self,
        path: Path | str = ".",
        *,
        config: Path | str | None = None,
        use_cache: bool = True,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> None:
        """`progress(label, done, total)` is called during long work (the CLI draws it)."""
        self.workspace = Workspace(
            path,
            config=Path(config) if config is not None else None,
            use_cache=use_cache,
            progress=progress,
        )

    @classmethod
    def open(cls, spec: str, *, use_cache: bool = True) -> Catalog:
        """A catalog elsewhere: a local path, or a URL git can clone (cached, fetched)."""
        from gitops_templates.catalog.remote import open_catalog

        catalog = cls.__new__(cls)
        catalog.workspace = open_catalog(spec, start=Path.cwd(), use_cache=use_cache)
        return catalog

    @property
    def components(self) -> tuple[Component, ...]:
        """Templates and declared components at HEAD."""
        return self.workspace.components

    def validate(self, ids: Sequence[str] = (), *, migration_samples: int = 20) -> ValidationReport:
        """Config, metadata and examples against their schemas; examples rendered.

        Migrations are tested too: values valid before each one (examples, test cases and
        `migration_samples` generated values) must migrate to values valid now.
        """
        from dataclasses import replace

        from gitops_templates.catalog.validation import validate
        from gitops_templates.migrations.verify import migration_problems
        from gitops_templates.rendering.examples import render_examples

        report = validate(self.workspace, ids, render=render_examples)
        if not any(name.endswith("/template.yaml") for name in report.checked):
            return report
        found, notices = migration_problems(self.workspace, ids, samples=migration_samples)
        return replace(report, problems=(*report.problems, *found),
                       notices=(*report.notices, *notices))  # fmt: skip

    def docs(
        self,
        ids: Sequence[str] = (),
        *,
        check: bool = False,
        fmt: str = "markdown",
        strict: bool | None = None,
    ) -> DocsResult:
        """Generate (or, with `check`, compare) READMEs and the index, or the HTML site."""
        from gitops_templates.docs.generate import generate_docs

        return generate_docs(self.workspace, ids, check=check, fmt=fmt, strict=strict)

    def init(
        self,
        *,
        force: bool = False,
        github: bool = False,
        pre_commit: bool = False,
        action: str | None = None,
        release_pr: bool = False,
    ) -> ScaffoldResult:
        """Write a commented default configuration (and GitHub workflows, pre-commit).

        `release_pr` (with `github`): releases go through a release pull request.
        """
        from gitops_templates.catalog.scaffold import init
        from gitops_templates.github.scaffold import ci_files

        extras = ci_files(self.workspace.repo, github=github, pre_commit=pre_commit,
                          action=action, release_pr=release_pr)  # fmt: skip
        return init(self.workspace, force=force, extras=extras)

    def new(self, cid: str) -> ScaffoldResult:
        """Scaffold a template that validates as it is."""
        from gitops_templates.catalog.scaffold import new_template

        return new_template(self.workspace, cid)
