"""Health evaluation, table-tested: levels, `for` and `keep_firing_for`, score, status."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from gitops_templates.health.core.checks import Check, parse_checks, parse_duration
from gitops_templates.health.core.evaluate import (
    Measurement,
    evaluate_check,
    level_of,
    part_score,
    verdict,
)

ERRORS = Check("errors", "error_rate", 0.02, 0.05, 900, min_samples=50)
AVAIL = Check("up", "availability", 0.99, 0.95, 900, min_samples=50)


@pytest.mark.parametrize(
    ("check", "value", "samples", "level"),
    [
        (ERRORS, 0.01, 100, "ok"),
        (ERRORS, 0.02, 100, "warning"),
        (ERRORS, 0.05, 100, "critical"),
        (ERRORS, 0.9, 49, "no-data"),
        (ERRORS, None, 0, "no-data"),
        (AVAIL, 0.999, 100, "ok"),
        (AVAIL, 0.98, 100, "warning"),
        (AVAIL, 0.95, 100, "critical"),
    ],
)
def test_levels(check: Check, value: float | None, samples: int, level: str):
    assert level_of(check, Measurement(0, value, samples)) == level


@pytest.mark.parametrize(
    ("value", "score"),
    [(0.0, 1.0), (0.02, 1.0), (0.035, 0.5), (0.05, 0.0), (0.5, 0.0), (None, None)],
)
def test_part_score_is_linear_between_thresholds(value: float | None, score: float | None):
    assert part_score(ERRORS, value) == (pytest.approx(score) if score is not None else None)


@pytest.mark.parametrize(("value", "score"), [(1.0, 1.0), (0.99, 1.0), (0.97, 0.5), (0.9, 0.0)])
def test_part_score_where_lower_is_worse(value: float, score: float):
    assert part_score(AVAIL, value) == pytest.approx(score)


def series(
    values: Sequence[float | None], step: float = 60, samples: int = 100
) -> list[Measurement]:
    return [Measurement(i * step, v, samples if v is not None else 0) for i, v in enumerate(values)]


def test_a_breach_counts_only_once_it_lasted_for():
    check = Check("errors", "error_rate", 0.02, 0.05, 900, for_=300, min_samples=50)
    brief = evaluate_check(check, series([0.0] * 5 + [0.1, 0.1]))
    assert (brief.state, brief.level, brief.pending) == ("ok", "critical", True)
    held = evaluate_check(check, series([0.0] * 5 + [0.1] * 6))
    assert (held.state, held.pending) == ("critical", False)


def test_keep_firing_for_holds_a_cleared_breach():
    check = Check("errors", "error_rate", 0.02, 0.05, 900, keep_firing_for=180, min_samples=50)
    cleared = evaluate_check(check, series([0.1, 0.1, 0.0, 0.0]))
    assert cleared.state == "critical"  # cleared 2 minutes ago, kept for 3
    gone = evaluate_check(check, series([0.1, 0.0, 0.0, 0.0, 0.0, 0.0]))
    assert gone.state == "ok"


def test_no_data_is_its_own_state_and_never_critical():
    result = evaluate_check(ERRORS, series([None, None]))
    assert (result.state, result.score) == ("no-data", None)


def test_score_caps_and_status():
    def result(state: str, score: float | None, weight: float = 1.0):
        from gitops_templates.health.core.evaluate import CheckResult

        return CheckResult("c", "error_rate", state, state, False, 0.0, 100, 0.1, 0.2, score,
                           weight)  # fmt: skip

    assert verdict([result("ok", 1.0), result("ok", 1.0)]) == verdict([result("ok", 1.0)])
    assert verdict([result("ok", 1.0)]).status == "healthy"
    warned = verdict([result("ok", 1.0)] * 9 + [result("warning", 0.99)])
    assert (warned.score, warned.status) == (89, "degraded")
    crit = verdict([result("ok", 1.0), result("critical", 0.0)])
    assert (crit.score, crit.status) == (39, "critical")
    sparse = verdict([result("ok", 1.0), result("no-data", None, weight=2)])
    assert sparse.status == "no-data"
    assert sparse.coverage == pytest.approx(1 / 3, abs=1e-3)
    assert verdict([]).status == "no-data"


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("15m", 900), ("1h30m", 5400), ("2d", 172800), (30, 30), ("500ms", 0.5)],
)
def test_durations(text: object, seconds: float):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "15", "m", "1x", "-1s", True, None, "1m 2s"])
def test_bad_durations(text: object):
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


def test_checks_take_the_catalog_defaults_then_their_own():
    checks = parse_checks({"checks": [{"name": "p95", "type": "latency", "critical": 2000,
                                       "quantile": 0.99}]},
                          {"window": "5m", "min_samples": 20})  # fmt: skip
    assert checks == (Check("p95", "latency", None, 2000.0, 300.0, min_samples=20,
                            quantile=0.99),)  # fmt: skip
    assert parse_checks(None) == ()


def test_trends_project_the_time_to_critical():
    from gitops_templates.health.core.trends import slope, trend

    assert slope([(0, 1), (1, 3), (2, 5)]) == pytest.approx(2)
    assert slope([(1, 1), (1, 2)]) == 0.0
    rising = [(h * 3600, 0.01 * h) for h in range(4)]  # +0.01 an hour, now 0.03
    found = trend(ERRORS, rising)
    assert found is not None
    assert found.worsening
    assert found.hours_to_critical == pytest.approx(2.0)
    falling = [(h * 3600, 0.999 - 0.001 * h) for h in range(4)]  # availability dropping
    down = trend(AVAIL, falling)
    assert down is not None
    assert down.worsening
    assert down.hours_to_critical == pytest.approx(46.0)  # 0.996 now, 0.001 an hour to 0.95
    assert trend(ERRORS, rising[:2]) is None
    noise = [(s, 0.01 + 0.001 * (s % 2)) for s in range(20)]  # evaluations seconds apart
    assert trend(ERRORS, noise) is None
    assert trend(ERRORS, [(m * 60, 0.01 * m) for m in range(30)]) is None  # 29 minutes
    assert trend(ERRORS, [(m * 60, 0.001 * m) for m in range(31)]) is not None
    better = trend(ERRORS, [(h * 3600, 0.04 - 0.01 * h) for h in range(4)])
    assert better is not None
    assert (better.worsening, better.hours_to_critical) == (False, None)


def test_promql_uses_the_configured_names_and_escapes_values():
    from gitops_templates.health.core import promql

    names = promql.Names(labels={"template": "tpl"})
    assert promql.errors(names, "web", '1"x', 600) == (
        'sum(increase(gitops_template_uses_total{tpl="web",version="1\\"x",outcome="error"}[600s]))'
    )
    assert promql.latency(promql.Names(latency="lat"), "w", "1", 0.4, 0.99) == (
        'histogram_quantile(0.99, sum by (le) (increase(lat_bucket{template="w",version="1"}[1s])))'
    )
    assert promql.versions(names, "web", 900).startswith("sum by (version) (increase(")
    uses = 'increase(gitops_template_uses_total{template="w",version="1"}[60s])'
    assert promql.measure(promql.Names(), "throughput", "w", "1", 60) == (
        f'label_replace(sum({uses}), "gtpl_part", "events", "", "")'
    )
    both = promql.measure(promql.Names(), "availability", "w", "1", 60)
    assert both.count("label_replace(") == 2
    assert ' or label_replace(sum(increase(gitops_template_uses_total{template="w",version="1",' \
        'outcome="error"}[60s])), "gtpl_part", "errors", "", "")' in both  # fmt: skip
