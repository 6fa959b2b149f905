"""Use-case `bench ID A B`: render time of two versions over the same corpus.

The corpus is the examples and test-case values of both versions that are valid under
both. Each version's bodies are compiled once and warmed up; then runs alternate A, B,
B, A, ... (so drift in the machine and order hit both alike), each run rendering the
whole corpus, with the garbage collector run between runs and off during one.
Reported: the median run per version, the ratio B/A with a bootstrap 95 % interval, and
a verdict only when the interval excludes 1 (benchstat's `~` otherwise); the size of
what each version writes is compared too. The runs fit in `BUDGET` seconds: fewer are
made when the warm-up says more would not (never under `MIN_RUNS`; then it is an error).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from gitops_templates.core.jsonform import JsonDocument
from gitops_templates.errors import InvalidInputError

if TYPE_CHECKING:
    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.rendering.engine import BodyRenderer
    from gitops_templates.rendering.source import TemplateSource

MIN_RUNS = 10
BUDGET = 300.0  # seconds of runs; fewer runs (never under `MIN_RUNS`) when they would not fit


@dataclass(frozen=True, slots=True)
class BenchReport(JsonDocument):
    """Render times of two versions over one corpus."""

    json_fields: ClassVar[tuple[str, ...]] = (
        "schema_version", "template", "baseline", "candidate", "inputs", "runs",
        "baseline_median_ms", "candidate_median_ms", "ratio", "interval", "verdict",
        "baseline_output_chars", "candidate_output_chars",
    )  # fmt: skip

    template: str
    baseline: str
    candidate: str
    inputs: int
    runs: int
    baseline_median_ms: float
    candidate_median_ms: float
    ratio: float
    interval: tuple[float, float]
    baseline_output_chars: int
    candidate_output_chars: int

    @property
    def verdict(self) -> str:
        """`faster`, `slower`, or `no difference` when the interval holds 1."""
        low, high = self.interval
        if high < 1:
            return "faster"
        if low > 1:
            return "slower"
        return "no difference"


@dataclass(frozen=True, slots=True)
class _Prepared:
    label: str
    source: TemplateSource
    metadata: dict[str, Any]
    renderer: BodyRenderer
    values: list[dict[str, Any]]


def bench(ws: Workspace, tid: str, baseline: str, candidate: str, *, runs: int = 15,
          seed: int = 0) -> BenchReport:  # fmt: skip
    """Time `candidate` against `baseline` (versions or revisions) of `tid`."""
    from gitops_templates.core.statistics import median, ratio_interval

    sides, inputs = _prepare(ws, tid, (baseline, candidate))
    start = time.perf_counter()
    sizes = [_render_all(side) for side in sides]  # warm-up: compiles every body
    runs = _affordable(max(runs, MIN_RUNS), time.perf_counter() - start)
    times = _timed_runs(sides, runs)
    base, cand = median(times[0]), median(times[1])
    low, high = ratio_interval(times[0], times[1], seed=seed)
    return BenchReport(tid, baseline, candidate, inputs, len(times[0]), round(base * 1000, 3),
                       round(cand * 1000, 3), round(cand / base, 4) if base else float("inf"),
                       (round(low, 4), round(high, 4)), sizes[0], sizes[1])  # fmt: skip


def _timed_runs(sides: list[_Prepared], runs: int) -> tuple[list[float], list[float]]:
    """Seconds of each run per side: A B, then B A (ABBA), one after the other.

    The garbage collector runs between runs and never during one (as `timeit` keeps it
    off): a collection would land on whichever run it hits.
    """
    import gc

    times: tuple[list[float], list[float]] = ([], [])
    enabled = gc.isenabled()
    try:
        for run in range(runs):
            for index in (0, 1) if run % 2 == 0 else (1, 0):
                gc.collect()
                gc.disable()
                start = time.perf_counter()
                _render_all(sides[index])
                times[index].append(time.perf_counter() - start)
                gc.enable()
    finally:
        if not enabled:
            gc.disable()
    return times


def _affordable(runs: int, pair: float) -> int:
    """As many of `runs` as fit in `BUDGET` seconds, a pair of runs taking `pair`."""
    fit = int(BUDGET / pair) if pair > 0 else runs
    if fit < MIN_RUNS:
        raise InvalidInputError(
            f"one run of both versions takes {pair:.1f} s: {MIN_RUNS} runs would take more "
            f"than the {BUDGET:g} s a benchmark may",
            hint="benchmark faster bodies, or fewer examples and test cases",
        )
    return min(runs, fit)


def _prepare(ws: Workspace, tid: str, specs: tuple[str, str]) -> tuple[list[_Prepared], int]:
    from gitops_templates.rendering.core.values import with_defaults
    from gitops_templates.rendering.engine import BodyRenderer
    from gitops_templates.rendering.render import load_source, read_metadata
    from gitops_templates.rendering.values import value_problems
    from gitops_templates.testing.corpus import deduplicated, source_inputs

    loaded = []
    inputs = []
    for spec in specs:
        source = load_source(ws, tid, spec)
        metadata, parameters = read_metadata(source)
        loaded.append((spec, source, metadata, parameters))
        inputs += source_inputs(source, metadata)
    common = [values for _, values in deduplicated(inputs) if isinstance(values, dict) and all(
        not value_problems(p, with_defaults(p, values)) for *_, p in loaded)]  # fmt: skip
    if not common:
        raise InvalidInputError(
            f"{tid}: no example or test case is valid under both {specs[0]} and {specs[1]}",
            hint="add an example both versions accept (template.yaml `examples:`)",
        )
    sides = [_Prepared(spec, source, metadata, BodyRenderer(source),
                       [with_defaults(parameters, v) for v in common])
             for spec, source, metadata, parameters in loaded]  # fmt: skip
    return sides, len(common)


def _render_all(side: _Prepared) -> int:
    """Render every input; the characters written."""
    from gitops_templates.rendering.render import render_bodies

    size = 0
    for values in side.values:
        files = render_bodies(side.source, side.metadata, values, side.label, side.renderer)
        size += sum(map(len, files.values()))
    return size
