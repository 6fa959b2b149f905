"""Use-case `test [ID...]`: examples, test cases, snapshots and simulated values, scored.

Every trial renders from the work tree exactly as `render` does. A template's confidence
is the Wilson 95 % lower bound of its pass rate over examples, cases and simulated
values (`core/statistics.py`): 20 of 20 passing gives 0.84, 100 of 100 gives 0.96.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar

from gitops_templates.core.jsonform import JsonDocument
from gitops_templates.core.statistics import wilson_lower
from gitops_templates.errors import ExitCode, GitOpsTemplatesError, Problem

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.rendering.engine import BodyRenderer
    from gitops_templates.rendering.source import TemplateSource
    from gitops_templates.testing.simulate import Simulation
    from gitops_templates.testing.snapshots import SnapshotCheck
    from gitops_templates.testing.suites import TestCase


@dataclass(frozen=True, slots=True)
class Trial:
    """One rendering of a template with one set of values, and whether it passed."""

    json_fields: ClassVar[tuple[str, ...]] = ("kind", "name", "passed", "message", "snapshot",
                                              "diff", "file", "line")  # fmt: skip

    kind: str  # example | case
    name: str
    passed: bool
    message: str = ""
    snapshot: str | None = None  # matched | created | updated | missing | differs
    diff: str = ""
    file: str | None = None  # the test file of a case
    line: int | None = None


@dataclass(frozen=True, slots=True)
class TemplateTests:
    """Every trial of one template, and its confidence."""

    json_fields: ClassVar[tuple[str, ...]] = ("template", "passed", "total", "confidence",
                                              "seconds", "trials", "problems",
                                              "simulation")  # fmt: skip

    template: str
    trials: tuple[Trial, ...]
    problems: tuple[Problem, ...] = ()  # test files that could not be read
    simulation: Simulation | None = None
    seconds: float = 0.0  # how long it took (`--timings` balances shards with it)

    @property
    def passed(self) -> int:
        """Trials that passed, simulated values included."""
        simulated = self.simulation.passed if self.simulation else 0
        return sum(t.passed for t in self.trials) + simulated

    @property
    def total(self) -> int:
        """Trials run, simulated values included."""
        return len(self.trials) + (self.simulation.total if self.simulation else 0)

    @property
    def confidence(self) -> float | None:
        """Wilson 95 % lower bound of the pass rate (None without trials)."""
        bound = wilson_lower(self.passed, self.total)
        return None if bound is None else round(bound, 4)

    @property
    def ok(self) -> bool:
        """Every trial passed, every test file was read, every schema part simulated."""
        unsupported = self.simulation.unsupported if self.simulation else ()
        return self.passed == self.total and not self.problems and not unsupported


@dataclass(frozen=True, slots=True)
class TestReport(JsonDocument):
    """The `test` run: per template, and the threshold it was held to."""

    json_fields: ClassVar[tuple[str, ...]] = ("schema_version", "ok", "min_confidence",
                                              "shard", "templates")  # fmt: skip

    templates: tuple[TemplateTests, ...]
    min_confidence: float | None = None
    shard: str | None = None  # `I/N` when only one shard ran

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Every failure as a problem at its test file (annotations in CI)."""
        found = [p for t in self.templates for p in t.problems]
        for t in self.templates:
            found += [Problem(f"{trial.name}: {trial.message.splitlines()[0]}", file=trial.file,
                              line=trial.line, rule=f"test {trial.kind}")
                      for trial in t.trials if not trial.passed]  # fmt: skip
            sim = t.simulation
            if sim is not None and (sim.failure or sim.unsupported):
                why = sim.failure.splitlines()[0] if sim.failure else sim.unsupported[0]
                found.append(Problem(f"{t.template}: simulated values (seed {sim.seed}): {why}",
                                     rule="test simulated"))  # fmt: skip
        return tuple(found)

    @property
    def ok(self) -> bool:
        """Everything passed, and every confidence reached the threshold."""
        return all(t.ok for t in self.templates) and not self.below_threshold

    @property
    def below_threshold(self) -> list[str]:
        """Templates whose confidence is under `min_confidence`."""
        if self.min_confidence is None:
            return []
        return [t.template for t in self.templates
                if (t.confidence or 0.0) < self.min_confidence]  # fmt: skip

    @property
    def exit_code(self) -> ExitCode:
        """1 when anything failed or a confidence is too low."""
        return ExitCode.OK if self.ok else ExitCode.FAILURE


def run_tests(
    ws: Workspace,
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
    """Test the templates `ids` (all when empty) in the work tree.

    With `shard` (I, N) only that shard of them, balanced by an earlier run's `timings`.
    """
    from gitops_templates.testing.core.shards import shard as shard_of

    templates = work_tree_templates(ws, ids)
    if shard is not None:
        templates = shard_of(templates, shard[0], shard[1], timings)
    results = []
    for done, tid in enumerate(templates):
        ws.progress("testing", done, len(templates))
        start = time.perf_counter()
        try:
            found = test_template(ws, tid, simulate=simulate, seed=seed, update=update_snapshots,
                                  ci=ci)  # fmt: skip
        except GitOpsTemplatesError as err:  # this template's, not the run's: report, go on
            problem = err.problems[0] if err.problems else Problem(err.message)
            found = TemplateTests(tid, (), (problem,))
        results.append(replace(found, seconds=round(time.perf_counter() - start, 3)))
    ws.progress("testing", len(templates), len(templates))
    label = f"{shard[0]}/{shard[1]}" if shard else None
    return TestReport(tuple(results), min_confidence, label)


def work_tree_templates(ws: Workspace, ids: Sequence[str] = ()) -> list[str]:
    """Template ids in the work tree (committed or not), `ids` checked to be among them."""
    from gitops_templates.errors import NotFoundError

    base = ws.repo.root / ws.settings.templates_dir
    found = sorted(d.name for d in base.iterdir() if (d / "template.yaml").is_file()
                   and not d.name.startswith(("_", "."))) if base.is_dir() else []  # fmt: skip
    for tid in ids:
        if tid not in found:
            raise NotFoundError(f"no template {tid!r} in the work tree",
                                hint=f"known: {', '.join(found) or 'none'}")  # fmt: skip
    return [tid for tid in found if not ids or tid in ids]


def test_template(
    ws: Workspace, tid: str, *, simulate: int, seed: int, update: bool, ci: bool
) -> TemplateTests:
    """Every trial of one template."""
    from gitops_templates.rendering.render import read_metadata
    from gitops_templates.rendering.source import source_in
    from gitops_templates.testing.suites import load_cases

    base = f"{ws.settings.templates_dir}/{tid}"
    try:
        source = source_in(ws.repo.root / base, tid, base, ws.repo.root)
        metadata, _ = read_metadata(source)
    except GitOpsTemplatesError as err:
        return TemplateTests(tid, (), err.problems or (Problem(err.message, file=base),))
    trials = [_trial(source, "example", label, values)
              for label, values in examples_of(source, metadata)]  # fmt: skip
    cases, problems = load_cases(source)
    trials += [_case(ws, source, case, update=update, ci=ci) for case in cases]
    simulation = None
    if simulate > 0:
        from gitops_templates.testing.simulate import simulate_template

        simulation = simulate_template(source, metadata, simulate, seed)
    return TemplateTests(tid, tuple(trials), tuple(problems), simulation)


def examples_of(source: TemplateSource, metadata: dict[str, Any]) -> list[tuple[str, Any]]:
    """(name, values) of every example; a file that cannot be read gives its error."""
    from gitops_templates.catalog.yamlio import load_yaml

    found = [(str(e.get("name", i)), e["values"])
             for i, e in enumerate(metadata.get("examples") or [])
             if isinstance(e, dict) and "values" in e]  # fmt: skip
    for path in sorted(p for p in source.files if p.startswith("examples/")):
        if path.endswith((".yaml", ".yml")) and path.count("/") == 1:
            try:
                found.append((path, load_yaml(source.files[path], source.shown(path)).data))
            except GitOpsTemplatesError as err:
                found.append((path, err))
    return found


def _trial(source: TemplateSource, kind: str, name: str, values: Any) -> Trial:
    outcome = render_values(source, values)
    if isinstance(outcome, GitOpsTemplatesError):
        return Trial(kind, name, False, failure_text(outcome))
    return Trial(kind, name, True)


def render_values(
    source: TemplateSource, values: Any, renderer: BodyRenderer | None = None
) -> dict[str, str] | GitOpsTemplatesError:
    """The rendered files, or the error that stopped them (values invalid, render failed)."""
    from gitops_templates.rendering.render import render_source

    if isinstance(values, GitOpsTemplatesError):
        return values
    if not isinstance(values, dict):
        return GitOpsTemplatesError("values must be a mapping of parameter names to values")
    try:
        return render_source(source, values, renderer)[0]
    except GitOpsTemplatesError as err:
        return err


def failure_text(err: GitOpsTemplatesError) -> str:
    """The error and each of its problems, one per line."""
    lines = [err.message, *(p.location() + ": " + p.message for p in err.problems[1:])]
    return "\n".join(lines)


def _case(ws: Workspace, source: TemplateSource, case: TestCase, *, update: bool,
          ci: bool) -> Trial:  # fmt: skip
    trial = _case_trial(ws, source, case, update=update, ci=ci)
    return replace(trial, file=source.shown(case.suite), line=case.line)


def _case_trial(ws: Workspace, source: TemplateSource, case: TestCase, *, update: bool,
                ci: bool) -> Trial:  # fmt: skip
    outcome = render_values(source, case.values)
    expected = next((a["fails"] for a in case.asserts if "fails" in a), None)
    name = f"{case.suite}: {case.name}"
    if isinstance(outcome, GitOpsTemplatesError):
        text = failure_text(outcome)
        if expected is not None and expected in text:
            return Trial("case", name, True)
        return Trial("case", name, False, text if expected is None else
                     f"failed, but without {expected!r}: {text}")  # fmt: skip
    if expected is not None:
        return Trial("case", name, False, f"rendered, but a failure with {expected!r} was expected")
    return _asserted(ws, source, case, name, outcome, update=update, ci=ci)


def _asserted(ws: Workspace, source: TemplateSource, case: TestCase, name: str,
              files: dict[str, str], *, update: bool, ci: bool) -> Trial:  # fmt: skip
    from gitops_templates.core.patterns import total_budget

    failures: list[str] = []
    snapshot = None
    with total_budget():  # every `matches` of the case shares one time budget
        for index, assertion in enumerate(case.asserts):
            snapshot, failure = _assert(ws, source, case, index, assertion, files, snapshot,
                                        update=update, ci=ci)  # fmt: skip
            if failure:
                failures.append(failure)
    status, diff = (snapshot.status, snapshot.diff) if snapshot else (None, "")
    return Trial("case", name, not failures, "\n".join(failures), status, diff)


def _assert(ws: Workspace, source: TemplateSource, case: TestCase, index: int,
            assertion: dict[str, Any], files: dict[str, str], snapshot: SnapshotCheck | None,
            *, update: bool, ci: bool) -> tuple[SnapshotCheck | None, str]:  # fmt: skip
    """One assertion: (the snapshot check, if it was one; why it failed, or "")."""
    from gitops_templates.testing.core.assertions import evaluate
    from gitops_templates.testing.snapshots import check_snapshot

    if "snapshot" in assertion:
        shown = source.shown(case.snapshot_path)
        snapshot = check_snapshot(ws.repo.root, ws.repo.root / shown, shown, files,
                                  update=update, ci=ci)  # fmt: skip
        if snapshot.passed:
            return snapshot, ""
        why = {
            "missing": " (CI is set: run `gitops-templates test --update-snapshots`, commit it)",
            "refused": f": {snapshot.diff}",
        }.get(snapshot.status, "")
        return snapshot, f"snapshot {shown} {snapshot.status}{why}"
    outcome = evaluate(assertion, files, lambda target: _documents(files, target))
    return snapshot, "" if outcome.passed else f"asserts[{index}]: {outcome.message}"


def _documents(files: dict[str, str], target: str) -> list[Any]:
    """The parsed documents of a YAML or JSON output (`ValueError` for anything else)."""
    import json

    from gitops_templates.catalog.yamlio import load_yaml_documents

    text = files[target]
    if target.endswith(".json"):
        return [json.loads(text)]
    if target.endswith((".yaml", ".yml")):
        try:
            return [doc.data for doc in load_yaml_documents(text, target)]
        except GitOpsTemplatesError as err:
            raise ValueError(err.message) from None
    raise ValueError("only .yaml, .yml and .json outputs have paths")
