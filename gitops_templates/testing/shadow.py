"""Use-case `shadow ID --champion A [--challenger B]`: both versions over one corpus.

A and B are versions or any revisions; B defaults to the work tree.

The corpus: the examples and test-case values of both versions, `simulate` values
generated from each version's schema (seeded), and consumers' files from `--corpus`.
Each input valid under both versions is rendered by both (defaults of each filled in,
as a consumer would get them); the outputs are compared and the differences grouped by
their shape (`testing/core/divergence.py`). Inputs valid under only one version are
listed, as are inputs one version fails to render. Nothing is written: this is the
passive, comparative shadow mode; rollouts build on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from gitops_templates.core.jsonform import JsonDocument
from gitops_templates.errors import ExitCode

if TYPE_CHECKING:
    from pathlib import Path

    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.rendering.source import TemplateSource
    from gitops_templates.testing.corpus import Input


WORK_TREE = "work tree"


@dataclass(frozen=True, slots=True)
class DivergenceGroup:
    """Inputs whose outputs differ between the versions in the same lines."""

    json_fields: ClassVar[tuple[str, ...]] = ("shape", "count", "inputs", "example_values",
                                              "diff")  # fmt: skip

    shape: str
    inputs: tuple[str, ...]
    example_values: Any  # the first input's values
    diff: str  # the first input's unified diff

    @property
    def count(self) -> int:
        """How many inputs differ this way."""
        return len(self.inputs)


@dataclass(frozen=True, slots=True)
class ShadowReport(JsonDocument):
    """What differs between two versions' outputs on one corpus."""

    json_fields: ClassVar[tuple[str, ...]] = (
        "schema_version", "template", "champion", "challenger", "inputs", "compared",
        "diverged", "divergence_rate", "groups", "only_champion", "only_challenger",
        "invalid", "failures", "simulated", "seed", "notes",
    )  # fmt: skip

    template: str
    champion: str
    challenger: str
    inputs: int
    groups: tuple[DivergenceGroup, ...]
    only_champion: tuple[str, ...]  # inputs valid under the champion only
    only_challenger: tuple[str, ...]
    invalid: tuple[str, ...]  # inputs neither version accepts (consumers' files, mostly)
    failures: tuple[dict[str, str], ...]  # {input, version (or "both"), message}: not rendered
    identical: int
    simulated: int = 0
    seed: int = 0
    notes: tuple[str, ...] = ()

    @property
    def diverged(self) -> int:
        """Inputs valid under both whose outputs differ, or that render under one only."""
        one_sided = {f["input"] for f in self.failures if f["version"] != "both"}
        return sum(g.count for g in self.groups) + len(one_sided)

    @property
    def compared(self) -> int:
        """Inputs valid under both versions that at least one renders."""
        return self.diverged + self.identical

    @property
    def divergence_rate(self) -> float | None:
        """Diverged / compared (None when nothing could be compared)."""
        return round(self.diverged / self.compared, 4) if self.compared else None

    def exit_code(self, *, fail_on_diff: bool) -> ExitCode:
        """1 with `fail_on_diff` when anything diverges; 0 otherwise."""
        return ExitCode.FAILURE if fail_on_diff and self.diverged else ExitCode.OK


@dataclass(frozen=True, slots=True)
class _Side:
    label: str
    source: TemplateSource
    parameters: dict[str, Any]


def shadow(
    ws: Workspace,
    tid: str,
    champion: str,
    challenger: str | None,
    *,
    simulate: int = 0,
    seed: int = 0,
    corpus: Path | None = None,
) -> ShadowReport:
    """Compare `champion` and `challenger` (versions or revisions; None: the work tree)."""
    from gitops_templates.testing.corpus import deduplicated, directory_inputs, source_inputs

    sides: list[_Side] = []
    inputs: list[Input] = []
    notes: list[str] = []
    for spec in (champion, challenger):
        side, metadata = _side(ws, tid, spec)
        sides.append(side)
        inputs += [(f"{label} ({side.label})", values) for label, values in source_inputs(
            side.source, metadata)]  # fmt: skip
    generated = _generated(sides, simulate, seed, notes)
    inputs += generated
    if corpus is not None:
        inputs += directory_inputs(corpus, tid)
    compared = _compare(sides, deduplicated(inputs))
    return ShadowReport(tid, champion, sides[1].label, compared.total, compared.groups(),
                        tuple(compared.only[0]), tuple(compared.only[1]),
                        tuple(compared.invalid), tuple(compared.failures), compared.identical,
                        len(generated), seed, tuple(notes))  # fmt: skip


def _side(ws: Workspace, tid: str, spec: str | None) -> tuple[_Side, dict[str, Any]]:
    from gitops_templates.rendering.render import load_source, read_metadata

    source = load_source(ws, tid, spec)
    metadata, parameters = read_metadata(source)
    return _Side(spec or WORK_TREE, source, parameters), metadata


def _generated(sides: list[_Side], count: int, seed: int, notes: list[str]) -> list[Input]:
    from gitops_templates.testing.simulate import generate_values

    found: list[Input] = []
    for side in sides if count > 0 else []:
        values, why = generate_values(side.parameters, count, seed)
        if why:
            notes.append(f"{side.label}: {why}")
        found += [(f"simulated #{i + 1} ({side.label})", v) for i, v in enumerate(values)]
    return found


class _Comparison:
    """Inputs sorted into identical, diverging (by shape), one-sided and failing."""

    def __init__(self) -> None:
        self.total = self.identical = 0
        self.only: tuple[list[str], list[str]] = ([], [])
        self.invalid: list[str] = []
        self.failures: list[dict[str, str]] = []
        self.by_shape: dict[Any, list[tuple[str, Any, str, str]]] = {}

    def groups(self) -> tuple[DivergenceGroup, ...]:
        """Groups, the largest first."""
        ordered = sorted(self.by_shape.values(), key=lambda g: -len(g))
        return tuple(DivergenceGroup(g[0][2], tuple(i[0] for i in g), g[0][1], g[0][3])
                     for g in ordered)  # fmt: skip


def _compare(sides: list[_Side], inputs: list[Input]) -> _Comparison:
    from gitops_templates.rendering.core.values import with_defaults
    from gitops_templates.rendering.values import value_problems
    from gitops_templates.testing.core.divergence import (
        describe,
        diff_shape,
        group_key,
        unified,
    )
    from gitops_templates.testing.run import failure_text, render_values

    result = _Comparison()
    result.total = len(inputs)
    for label, values in inputs:
        if not isinstance(values, dict):
            result.invalid.append(label)
            continue
        valid = [not value_problems(s.parameters, with_defaults(s.parameters, values))
                 for s in sides]  # fmt: skip
        if valid != [True, True]:
            if any(valid):
                result.only[0 if valid[0] else 1].append(label)
            else:
                result.invalid.append(label)
            continue
        outputs = [render_values(s.source, values) for s in sides]
        old, new = outputs
        if isinstance(old, Exception) or isinstance(new, Exception):
            which = "both" if isinstance(old, Exception) and isinstance(new, Exception) else (
                sides[0].label if isinstance(old, Exception) else sides[1].label)  # fmt: skip
            error = old if isinstance(old, Exception) else new
            assert isinstance(error, Exception)
            result.failures.append({"input": label, "version": which,
                                    "message": failure_text(error)})  # fmt: skip
            continue
        shape = diff_shape(old, new)
        if not shape:
            result.identical += 1
            continue
        diff = unified(old, new, (sides[0].label, sides[1].label))
        result.by_shape.setdefault(group_key(old, new), []).append(
            (label, values, describe(shape), diff)
        )
    return result
