"""`test`: examples, test cases, snapshots and simulated values, with a confidence score."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

import click

from gitops_templates.cli._context import AppContext, json_option, pass_app
from gitops_templates.cli._output import emit_json, note, out, show_problems

if TYPE_CHECKING:
    from gitops_templates.testing.run import TemplateTests, TestReport


@click.command()
@click.argument("ids", nargs=-1, metavar="[ID]...")
@click.option("--simulate", type=click.IntRange(0, 100_000), default=0, metavar="N",
              help="Also render N values generated from each parameter schema.")  # fmt: skip
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the generated values (same seed, same values).")  # fmt: skip
@click.option("--update-snapshots", is_flag=True, help="Rewrite snapshots that differ.")
@click.option("--min-confidence", type=click.FloatRange(0, 1), metavar="X",
              help="Exit 1 when a template's confidence is below X (0-1).")  # fmt: skip
@click.option("--junit", type=click.Path(dir_okay=False), metavar="FILE",
              help="Also write the results as JUnit XML.")  # fmt: skip
@json_option
@pass_app
@click.pass_context
def test(
    ctx: click.Context,
    app: AppContext,
    ids: tuple[str, ...],
    simulate: int,
    seed: int,
    update_snapshots: bool,
    min_confidence: float | None,
    junit: str | None,
    as_json: bool,
) -> None:
    """Test templates: examples, cases in tests/*.yaml, snapshots, generated values.

    A missing snapshot is written, except when CI is set (then it fails). Confidence is
    the Wilson 95% lower bound of the pass rate. Exit 1 when anything fails.
    """
    ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    report = app.catalog.test(ids, simulate=simulate, seed=seed, ci=ci,
                              update_snapshots=update_snapshots,
                              min_confidence=min_confidence)  # fmt: skip
    _write_reports(report, junit)
    if as_json:
        emit_json(report)
    else:
        for template in report.templates:
            _show_template(template)
        _show_totals(report)
    ctx.exit(int(report.exit_code))


def _write_reports(report: TestReport, junit: str | None) -> None:
    from pathlib import Path

    from gitops_templates.testing.reports import junit_xml, summary_markdown

    if junit:
        Path(junit).write_text(junit_xml(report), "utf-8")
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary and os.environ.get("GITHUB_ACTIONS") == "true":
        with Path(summary).open("a", encoding="utf-8") as handle:
            handle.write(summary_markdown(report))


def _show_template(t: TemplateTests) -> None:
    confidence = f"{t.confidence:.3f}" if t.confidence is not None else "n/a"
    colour = "green" if t.ok else "red"
    kinds = {k: sum(tr.kind == k for tr in t.trials) for k in ("example", "case")}
    sim = f", {t.simulation.total} simulated" if t.simulation else ""
    out(click.style(f"{t.template}: {'ok' if t.ok else 'FAILED'}", fg=colour, bold=True)
        + f"  confidence {confidence} ({t.passed}/{t.total} passed: {kinds['example']} "
        f"example(s), {kinds['case']} case(s){sim})")  # fmt: skip
    for trial in t.trials:
        if trial.snapshot in ("created", "updated"):
            out(f"  snapshot {trial.snapshot}: {trial.name}")
        if not trial.passed:
            out(click.style(f"  FAIL {trial.kind} {trial.name}", fg="red"))
            for line in (trial.message + ("\n" + trial.diff if trial.diff else "")).splitlines():
                out(f"       {line}")
    if t.problems:
        show_problems(t.problems)
    if t.simulation:
        _show_simulation(t)


def _show_simulation(t: TemplateTests) -> None:
    sim = t.simulation
    assert sim is not None
    for item in sim.ignored:
        note(f"  simulator: {item} is not generated from (each value is validated against it)")
    for item in sim.unsupported:
        out(click.style(f"  FAIL simulated: {item}", fg="red"))
    if sim.failure:
        values = json.dumps(sim.minimal_values, ensure_ascii=False, sort_keys=True)
        out(click.style(f"  FAIL simulated after {sim.passed} passing value(s)", fg="red"))
        out(f"       minimal values: {values}")
        for line in sim.failure.splitlines():
            out(f"       {line}")
        out(f"       reproduce: gitops-templates test {t.template} --simulate {sim.requested} "
            f"--seed {sim.seed}")  # fmt: skip


def _show_totals(report: TestReport) -> None:
    failed = [t.template for t in report.templates if not t.ok]
    note(f"{len(report.templates)} template(s): {len(report.templates) - len(failed)} passed, "
         f"{len(failed)} failed")  # fmt: skip
    for tid in report.below_threshold:
        note(f"{tid}: confidence below --min-confidence {report.min_confidence}")
