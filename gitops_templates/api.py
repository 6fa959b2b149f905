"""The Python API: `Catalog(path).plan()` and friends. The CLI uses exactly this."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitops_templates.catalog.workspace import Workspace

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from gitops_templates.catalog.scaffold import ScaffoldResult
    from gitops_templates.catalog.validation import ValidationReport
    from gitops_templates.compat.check import CompatibilityReport
    from gitops_templates.core.models import Component
    from gitops_templates.core.planning import Analysis
    from gitops_templates.docs.generate import DocsResult
    from gitops_templates.health.check import HealthReport
    from gitops_templates.health.report import HealthHistory
    from gitops_templates.health.watch import Evaluation
    from gitops_templates.hooks.handlers import MessageLint, RangeLint
    from gitops_templates.hooks.install import InstallResult
    from gitops_templates.hooks.pushcheck import PushReport
    from gitops_templates.metrics.ingest import ImportResult, PruneResult
    from gitops_templates.rendering.render import RenderResult
    from gitops_templates.rollback.execute import RestoreResult
    from gitops_templates.rollback.recover import RecoverResult
    from gitops_templates.rollback.restore_plan import RestorePlan
    from gitops_templates.testing.bench import BenchReport
    from gitops_templates.testing.run import TestReport
    from gitops_templates.testing.shadow import ShadowReport
    from gitops_templates.versioning.inspection import HistoryReport, StatsReport, VersionDetail
    from gitops_templates.versioning.release import ReleasePlan, ReleaseResult
    from gitops_templates.versioning.verify import VerifyReport


class Catalog:
    """A catalog repository. Every method returns a result object and never prints."""

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

    @property
    def components(self) -> tuple[Component, ...]:
        """Templates and declared components at HEAD."""
        return self.workspace.components

    def validate(self, ids: Sequence[str] = ()) -> ValidationReport:
        """Config, metadata and examples against their schemas; examples rendered."""
        from gitops_templates.catalog.validation import validate
        from gitops_templates.rendering.examples import render_examples

        return validate(self.workspace, ids, render=render_examples)

    def status(self, ids: Sequence[str] = (), *, pre: str | None = None) -> Analysis:
        """Current version, unreleased commits and next version per component."""
        return self.workspace.analyze(ids, pre_token=pre)

    def plan(self, ids: Sequence[str] = (), *, pre: str | None = None) -> ReleasePlan:
        """The release plan at HEAD."""
        from gitops_templates.versioning.release import build_plan

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
    ) -> ReleaseResult:
        """Create the planned tags atomically; idempotent on the same HEAD."""
        from gitops_templates.versioning.release import release

        return release(self.workspace, plan=plan, ids=ids, pre=pre, push=push,
                       remote=remote, sign=sign, dry_run=dry_run)  # fmt: skip

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

    def changed_templates(self, ids: Sequence[str] = ()) -> list[str]:
        """Templates with commits since their last version (or never released)."""
        states = self.workspace.analyze(ids).states
        return [s.component.id for s in states if s.component.kind == "template"
                and (s.changes or s.line.current is None)]  # fmt: skip

    def record_event(
        self,
        template_id: str,
        version: str,
        *,
        ok: bool,
        latency_ms: float | None = None,
        instance: str | None = None,
        time: float | str | None = None,
    ) -> ImportResult:
        """Store one use of a template version (time: Unix seconds or ISO 8601; now)."""
        from gitops_templates.metrics.ingest import record_event

        return record_event(self.workspace, template_id, version, ok=ok, latency_ms=latency_ms,
                            instance=instance, time=time)  # fmt: skip

    def import_metrics(self, path: Path | str) -> ImportResult:
        """Stream a JSONL or CSV file of events into the metrics database."""
        from gitops_templates.metrics.ingest import import_file
        from gitops_templates.metrics.sqlite import open_store

        return import_file(open_store(self.workspace), Path(path))

    def prune_metrics(self, older_than: float) -> PruneResult:
        """Delete events (and evaluations) older than `older_than` seconds; how many."""
        import time

        from gitops_templates.metrics.ingest import PruneResult
        from gitops_templates.metrics.sqlite import open_store

        store = open_store(self.workspace)
        return PruneResult(store.prune(time.time() - older_than), str(store.path))

    def health(
        self,
        ids: Sequence[str] = (),
        *,
        version: str | None = None,
        now: float | None = None,
        auto_rollback: int | None = None,
        push: bool = False,
    ) -> HealthReport:
        """Check, score and store the health of every version in use.

        `auto_rollback` N: roll back a current version critical in its last N evaluations.
        """
        from gitops_templates.health.check import health_check

        return health_check(self.workspace, ids, version=version, now=now,
                            auto_rollback=auto_rollback, push=push)  # fmt: skip

    def health_report(self, template_id: str) -> HealthHistory:
        """A template's stored health: each version's verdicts and checks over time."""
        from gitops_templates.health.report import health_report

        return health_report(self.workspace, template_id)

    def health_watch(
        self,
        ids: Sequence[str] = (),
        *,
        interval: float = 60.0,
        iterations: int | None = None,
        on_evaluation: Callable[[Evaluation], None],
        auto_rollback: int | None = None,
        push: bool = False,
    ) -> int:
        """`health check` every `interval` seconds, alerting on status changes."""
        from gitops_templates.health.watch import watch

        return watch(self.workspace, ids, interval=interval, iterations=iterations,
                     on_evaluation=on_evaluation, auto_rollback=auto_rollback,
                     push=push)  # fmt: skip

    def history(self, cid: str) -> HistoryReport:
        """Every version of one component."""
        from gitops_templates.versioning.inspection import history

        return history(self.workspace, cid)

    def show(self, ref: str) -> VersionDetail:
        """One version (`ID` for the latest, or `ID@VERSION`)."""
        from gitops_templates.versioning.inspection import show

        return show(self.workspace, ref)

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

    def init(
        self,
        *,
        force: bool = False,
        github: bool = False,
        pre_commit: bool = False,
        action: str | None = None,
    ) -> ScaffoldResult:
        """Write a commented default configuration (and GitHub workflows, pre-commit)."""
        from gitops_templates.catalog.scaffold import init
        from gitops_templates.github.scaffold import ci_files

        extras = ci_files(self.workspace.repo, github=github, pre_commit=pre_commit, action=action)
        return init(self.workspace, force=force, extras=extras)

    def new(self, cid: str) -> ScaffoldResult:
        """Scaffold a template that validates as it is."""
        from gitops_templates.catalog.scaffold import new_template

        return new_template(self.workspace, cid)
