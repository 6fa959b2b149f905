"""`test` (cases, snapshots, simulated values, confidence), `shadow` and `bench`."""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from gitops_templates.cli._complete import template_ids
from gitops_templates.cli._context import AppContext, json_option, pass_app
from gitops_templates.cli._output import emit_json, note, out, show_problems
from gitops_templates.errors import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from gitops_templates.testing.run import TemplateTests, TestReport
    from gitops_templates.testing.shadow import ShadowReport


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
@click.option("--shard", metavar="I/N", help="Test only shard I of N (CI jobs in parallel).")
@click.option("--timings", type=click.Path(dir_okay=False, exists=True), metavar="FILE",
              help="An earlier `test --json` output: balances the shards by time.")  # fmt: skip
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
    shard: str | None,
    timings: str | None,
    as_json: bool,
) -> None:
    """Test templates: examples, cases in tests/*.yaml, snapshots, generated values.

    A missing snapshot is written, except when CI is set (then it fails). Confidence is
    the Wilson 95% lower bound of the pass rate. Exit 1 when anything fails.
    """
    ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    _writable(junit, "--junit")
    report = app.catalog.test(ids, simulate=simulate, seed=seed, ci=ci,
                              update_snapshots=update_snapshots, min_confidence=min_confidence,
                              shard=shard_option(shard), timings=load_timings(timings))  # fmt: skip
    if as_json:
        emit_json(report)
    else:
        with fenced():
            show_tests(report)
    _write_reports(report, junit)
    ctx.exit(int(report.exit_code))


@contextmanager
def fenced() -> Iterator[None]:
    """Untrusted text (case names, rendered output) cannot run workflow commands."""
    if os.environ.get("GITHUB_ACTIONS") != "true":
        yield
        return
    from gitops_templates.cli._github import untrusted_output

    with untrusted_output():
        yield


def _writable(path: str | None, option: str) -> None:
    """Refuse an output file whose directory does not exist, before any work."""
    from pathlib import Path

    if path is not None and not Path(path).absolute().parent.is_dir():
        raise click.BadParameter(f"{path}: its directory does not exist", param_hint=option)


def show_tests(report: TestReport) -> None:
    """The human report of `test`."""
    for template in report.templates:
        _show_template(template)
    _show_totals(report)


def shard_option(text: str | None) -> tuple[int, int] | None:
    from gitops_templates.testing.core.shards import parse_shard

    if text is None:
        return None
    found = parse_shard(text)
    if found is None:
        raise click.BadParameter(f"{text!r}: expected I/N with 1 <= I <= N", param_hint="--shard")
    return found


def load_timings(path: str | None) -> dict[str, float] | None:
    """Seconds by template from a `test --json` output (or a plain {id: seconds} map)."""
    from pathlib import Path

    from gitops_templates.catalog.files import read_bytes

    if path is None:
        return None
    try:
        data = json.loads(read_bytes(None, Path(path)), parse_constant=_not_a_number)
    except (ValueError, RecursionError) as err:
        raise click.BadParameter(f"{path}: not JSON ({err})", param_hint="--timings") from None
    rows = data.get("templates") if isinstance(data, dict) else None
    if isinstance(rows, list):
        pairs = [(r.get("template"), r.get("seconds")) for r in rows if isinstance(r, dict)]
    elif isinstance(data, dict):
        pairs = list(data.items())
    else:
        raise click.BadParameter(f"{path}: expected `test --json` output", param_hint="--timings")
    timings: dict[str, float] = {}
    for tid, seconds in pairs:
        if not (isinstance(tid, str) and isinstance(seconds, int | float)
                and not isinstance(seconds, bool) and 0 <= seconds < 1e9):  # fmt: skip
            raise click.BadParameter(f"{path}: {tid!r}: {seconds!r} is not a number of seconds",
                                     param_hint="--timings")  # fmt: skip
        timings[tid] = float(seconds)
    return timings


def _not_a_number(name: str) -> float:
    raise ValueError(f"{name} is not a number of seconds")


def _write_reports(report: TestReport, junit: str | None) -> None:
    from pathlib import Path

    from gitops_templates.testing.reports import junit_xml, summary_markdown

    if junit:
        try:
            Path(junit).write_text(junit_xml(report), "utf-8")
        except OSError as err:
            raise InvalidInputError(f"cannot write --junit {junit}: {err.strerror}") from None
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary and os.environ.get("GITHUB_ACTIONS") == "true":
        try:
            with Path(summary).open("a", encoding="utf-8") as handle:
                handle.write(summary_markdown(report))
        except OSError as err:  # the summary is a courtesy: never the reason a run fails
            note(f"warning: cannot write the job summary ({err.strerror})")


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


@click.command()
@click.argument("template_id", metavar="ID", shell_complete=template_ids)
@click.option("--champion", required=True, metavar="VERSION|REV",
              help="The version in use (a version, tag or any revision).")  # fmt: skip
@click.option("--challenger", metavar="VERSION|REV",
              help="The version to compare with it (default: the work tree).")  # fmt: skip
@click.option("--simulate", type=click.IntRange(0, 100_000), default=0, metavar="N",
              help="Add N generated values per version to the corpus.")  # fmt: skip
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of generated values.")
@click.option("--corpus", type=click.Path(file_okay=False, exists=True), metavar="DIR",
              help="Consumers' instance or values files to render too.")  # fmt: skip
@click.option("--fail-on-diff", is_flag=True, help="Exit 1 when any output diverges.")
@json_option
@pass_app
@click.pass_context
def shadow(
    ctx: click.Context,
    app: AppContext,
    template_id: str,
    champion: str,
    challenger: str | None,
    simulate: int,
    seed: int,
    corpus: str | None,
    fail_on_diff: bool,
    as_json: bool,
) -> None:
    """Render two versions over one corpus; report the divergence and group the diffs.

    The corpus: both versions' examples and test cases, generated values valid under
    both, and --corpus files. Inputs valid under only one version are listed.
    """
    _spec(champion, "--champion")
    if challenger is not None:
        _spec(challenger, "--challenger")
    report = app.catalog.shadow(template_id, champion, challenger, simulate=simulate,
                                seed=seed, corpus=corpus)  # fmt: skip
    if as_json:
        emit_json(report)
    else:
        with fenced():
            _show_shadow(report)
    ctx.exit(int(report.exit_code(fail_on_diff=fail_on_diff)))


def _spec(value: str, name: str) -> None:
    if not value.strip():
        raise click.BadParameter("a version or revision is needed, not an empty string",
                                 param_hint=name)  # fmt: skip


def _show_shadow(report: ShadowReport) -> None:
    rate = f"{report.divergence_rate:.1%}" if report.divergence_rate is not None else "n/a"
    generated = f", {report.simulated} generated (seed {report.seed})" if report.simulated else ""
    out(
        f"{report.template}: {report.champion} -> {report.challenger}: {report.diverged} of "
        f"{report.compared} input(s) diverge ({rate}); {report.inputs} in the corpus{generated}"
    )
    for index, group in enumerate(report.groups[:5], start=1):
        shown = ", ".join(group.inputs[:10]) + (", ..." if group.count > 10 else "")
        out(click.style(f"\n  group {index}: {group.count} input(s): {group.shape}", bold=True))
        out(f"    inputs: {shown}")
        out(f"    values: {json.dumps(group.example_values, ensure_ascii=False, sort_keys=True)}")
        for line in group.diff.splitlines():
            out(f"    {line}")
    if len(report.groups) > 5:
        out(f"\n  {len(report.groups) - 5} more group(s): see --json")
    for failure in report.failures[:10]:
        out(click.style(f"  fails under {failure['version']}: {failure['input']}", fg="red"))
        out(f"    {failure['message'].splitlines()[0]}")
    if len(report.failures) > 10:
        out(f"  {len(report.failures) - 10} more failure(s): see --json")
    for label, inputs in ((report.champion, report.only_champion),
                          (report.challenger, report.only_challenger)):  # fmt: skip
        if inputs:
            out(f"  valid under {label} only ({len(inputs)}): {', '.join(inputs[:10])}")
    if report.invalid:
        out(f"  valid under neither ({len(report.invalid)}): {', '.join(report.invalid[:10])}")
    for item in report.notes:
        note(f"  {item}")


@click.command()
@click.argument("template_id", metavar="ID", shell_complete=template_ids)
@click.argument("baseline", metavar="A")
@click.argument("candidate", metavar="B")
@click.option("--runs", type=click.IntRange(10, 10_000), default=15, show_default=True,
              help="Interleaved runs per version (at least 10).")  # fmt: skip
@json_option
@pass_app
def bench(
    app: AppContext, template_id: str, baseline: str, candidate: str, runs: int, as_json: bool
) -> None:
    """Compare the render time of two versions (or revisions) over the same corpus.

    Runs alternate A and B; the verdict (faster / slower) is given only when the
    bootstrap 95% interval of the ratio B/A excludes 1.
    """
    _spec(baseline, "A")
    _spec(candidate, "B")
    report = app.catalog.bench(template_id, baseline, candidate, runs=runs)
    if as_json:
        emit_json(report)
        return
    low, high = report.interval
    out(f"{report.template}: {report.inputs} input(s), {report.runs} interleaved runs each")
    out(f"  {report.baseline:>12}: median {report.baseline_median_ms:.3f} ms, "
        f"{report.baseline_output_chars} characters out")  # fmt: skip
    out(f"  {report.candidate:>12}: median {report.candidate_median_ms:.3f} ms, "
        f"{report.candidate_output_chars} characters out")  # fmt: skip
    verdict = report.verdict if report.verdict != "no difference" else "~ (no difference)"
    out(f"  ratio B/A {report.ratio:.3f} (95% interval {low:.3f}-{high:.3f}): {verdict}")
