"""Rendering and the template testing framework. Part of `Catalog`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.rendering.render import RenderResult
    from gitops_templates.testing.bench import BenchReport
    from gitops_templates.testing.run import TestReport
    from gitops_templates.testing.shadow import ShadowReport


class RenderingApi:
    """Rendering and the template testing framework."""

    workspace: Workspace

    def render(
        self,
        template_id: str,
        version: str | None = None,
        values: Mapping[str, Any] | None = None,
        *,
        value_files: Sequence[str] = (),
        sets: Sequence[str] = (),
    ) -> RenderResult:
        """Render a template (the work tree, or a version or revision straight from Git).

        `values` come first, then `value_files` (YAML, merged in order), then `sets`
        (`key=value`); the result maps each target path to its rendered text.
        """
        from gitops_templates.rendering.core.values import merge
        from gitops_templates.rendering.render import render
        from gitops_templates.rendering.values import Values, load_values

        loaded = load_values(value_files, sets)
        merged = Values(merge(dict(values or {}), loaded.data), loaded.documents, loaded.sets)
        ref = f"{template_id}@{version}" if version else template_id
        return render(self.workspace, ref, merged)

    def test(
        self,
        ids: Sequence[str] = (),
        *,
        simulate: int = 0,
        seed: int = 0,
        update_snapshots: bool = False,
        ci: bool = False,
        min_confidence: float | None = None,
        shard: tuple[int, int] | None = None,
        timings: Mapping[str, float] | None = None,
    ) -> TestReport:
        """Examples, test cases, snapshots and `simulate` generated values per template.

        `ci`: a missing snapshot fails instead of being written. `shard` (I, N): only that
        part of the templates, balanced by the `timings` (seconds by id) of an earlier run.
        """
        from gitops_templates.testing.run import run_tests

        return run_tests(self.workspace, ids, simulate=simulate, seed=seed, ci=ci,
                         update_snapshots=update_snapshots, min_confidence=min_confidence,
                         shard=shard, timings=timings)  # fmt: skip

    def shadow(
        self,
        template_id: str,
        champion: str,
        challenger: str | None = None,
        *,
        simulate: int = 0,
        seed: int = 0,
        corpus: Path | str | None = None,
    ) -> ShadowReport:
        """Render two versions over one corpus and group what differs.

        Each is a version or any revision; `challenger` None is the work tree.
        """
        from gitops_templates.testing.shadow import shadow

        return shadow(self.workspace, template_id, champion, challenger, simulate=simulate,
                      seed=seed, corpus=Path(corpus) if corpus is not None else None)  # fmt: skip

    def bench(
        self, template_id: str, baseline: str, candidate: str, *, runs: int = 15, seed: int = 0
    ) -> BenchReport:
        """Render time of `candidate` against `baseline` over their shared examples and cases."""
        from gitops_templates.testing.bench import bench

        return bench(self.workspace, template_id, baseline, candidate, runs=runs, seed=seed)
