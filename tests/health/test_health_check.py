"""`metrics` and `health check` through the CLI, on a real repository and a real SQLite file."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from gitops_templates import Catalog, metrics
from tests.conftest import Cli
from tests.helpers import RepoBuilder

CHECKS = """\
health:
  checks:
    - {name: errors, type: error_rate, warning: 0.02, critical: 0.05, window: 10m, for: 2m,
       min_samples: 20}
    - {name: p95, type: latency, quantile: 0.95, warning: 500, critical: 2000, window: 10m}
"""
NOW = 1_700_000_000.0  # 2023: the real clock finds none of these events in use


@pytest.fixture
def monitored(repo: RepoBuilder) -> RepoBuilder:
    repo.template("web", more=CHECKS)
    repo.template("api")  # declares no checks: not reported
    repo.commit("feat: web and api")
    return repo


def events(path: Path, version: str, *, errors_from: float, rate: float, count: int = 600,
           latency: float = 100.0) -> None:  # fmt: skip
    """`count` events over the 10 minutes before NOW, every `1/rate`-th failing after
    `errors_from` seconds before NOW."""
    with path.open("a") as handle:
        for i in range(count):
            at = NOW - 600 + i * 600 / count
            bad = at >= NOW - errors_from and i % round(1 / rate) == 0 if rate else False
            handle.write(json.dumps({"time": at, "template": "web", "version": version,
                                     "ok": not bad, "latency_ms": latency}) + "\n")  # fmt: skip


def test_a_sustained_breach_is_critical_and_exits_7(monitored: RepoBuilder, cli: Cli,
                                                    tmp_path: Path):  # fmt: skip
    feed = tmp_path / "events.jsonl"
    events(feed, "1.0.0", errors_from=600, rate=0.1)
    events(feed, "1.1.0", errors_from=600, rate=0.0)
    cli("metrics", "import", str(feed))
    report = Catalog(monitored.path).health(now=NOW)
    assert report.exit_code == 7
    by_version = {v.version: v for v in report.versions}
    assert (by_version["1.0.0"].status, by_version["1.0.0"].score) == ("critical", 39)
    assert (by_version["1.1.0"].status, by_version["1.1.0"].score) == ("healthy", 100)
    assert [v.template for v in report.versions] == ["web", "web"]  # api has no checks


def test_a_brief_breach_is_pending_not_critical(monitored: RepoBuilder, cli: Cli, tmp_path: Path):
    feed = tmp_path / "events.jsonl"
    events(feed, "1.0.0", errors_from=30, rate=0.05, count=2000)  # only the last 30 s
    cli("metrics", "import", str(feed))
    [version] = Catalog(monitored.path).health(now=NOW).versions
    errors = next(c for c in version.checks if c.name == "errors")
    assert (errors.state, errors.pending) != ("critical", False)
    assert version.status != "critical"


def test_no_data_is_reported_and_never_healthy(monitored: RepoBuilder, cli: Cli, tmp_path: Path):
    feed = tmp_path / "events.jsonl"
    events(feed, "1.0.0", errors_from=0, rate=0.0, count=5)  # under min_samples
    cli("metrics", "import", str(feed))
    [version] = Catalog(monitored.path).health(now=NOW).versions
    assert version.status == "no-data"
    report = json.loads(cli("health", "check", "--json").stdout)  # real now: nothing in use
    assert report["versions"][0]["version"] is None
    assert report["status"] == "no-data"


def test_record_prune_and_the_python_api(monitored: RepoBuilder, cli: Cli):
    cli("metrics", "record", "web", "1.0.0", "--error", "--latency", "250",
        "--time", "2023-01-15T10:00:00Z")  # fmt: skip
    metrics.record("web", "1.0.0", ok=True, catalog=monitored.path)
    db = monitored.path / ".gitops-templates/metrics.db"
    rows = sqlite3.connect(db).execute("SELECT ok, latency_ms FROM events ORDER BY time").fetchall()
    assert rows == [(0, 250.0), (1, None)]
    assert (
        json.loads(cli("metrics", "prune", "--older-than", "1d", "--json").stdout)["deleted"] == 1
    )
    assert "not a duration" in cli("metrics", "prune", "--older-than", "soon", code=2).stderr


def test_a_bad_line_stops_the_import_and_keeps_its_batch_out(monitored: RepoBuilder, cli: Cli,
                                                             tmp_path: Path):  # fmt: skip
    feed = tmp_path / "events.jsonl"
    events(feed, "1.0.0", errors_from=0, rate=0.0, count=10)
    with feed.open("a") as handle:
        handle.write('{"time": "yesterday", "template": "web", "version": "1", "ok": true}\n')
    result = cli("metrics", "import", str(feed), code=3)
    assert f"{feed}:11: time 'yesterday' is neither ISO 8601 nor Unix seconds" in result.stderr
    db = monitored.path / ".gitops-templates/metrics.db"
    assert not db.exists() or sqlite3.connect(db).execute(
        "SELECT COUNT(*) FROM events").fetchone() == (0,)  # fmt: skip
    csv = tmp_path / "events.csv"
    csv.write_text("time,template,version,ok,latency_ms\n2026-01-01T00:00:00Z,web,1.0.0,true,5\n")
    assert json.loads(cli("metrics", "import", str(csv), "--json").stdout)["stored"] == 1


def test_init_ignores_the_database(repo: RepoBuilder, cli: Cli):
    cli("init")
    assert ".gitops-templates/metrics.db*" in (repo.path / ".gitignore").read_text().splitlines()
    cli("init", "--force")
    assert (repo.path / ".gitignore").read_text().count("metrics.db") == 1


def test_trends_come_from_stored_evaluations(monitored: RepoBuilder, cli: Cli, tmp_path: Path):
    catalog = Catalog(monitored.path)
    for step, failing in enumerate((0, 2, 4, 6)):  # error rates 0, 0.01, 0.02, 0.03 of 200
        feed = tmp_path / f"e{step}.jsonl"
        at = NOW + step * 3600
        with feed.open("w") as handle:
            for i in range(200):
                bad = i < failing
                handle.write(json.dumps({"time": at - 300 + i, "template": "web",
                                         "version": "1.0.0", "ok": not bad}) + "\n")  # fmt: skip
        catalog.import_metrics(feed)
        report = catalog.health(now=at)
    [version] = report.versions
    [errors] = [t for t in version.trends if t.check == "errors"]
    assert errors.worsening
    assert errors.hours_to_critical == pytest.approx(2.0)  # 0.03 now, +0.01 an hour, to 0.05


@pytest.fixture
def released(monitored: RepoBuilder, cli: Cli) -> RepoBuilder:
    """web 1.0.0 then 1.1.0 (current), both released from real commits and tags."""
    monitored.tag("web@1.0.0", message="web 1.0.0")
    body = monitored.path / "templates/web/body.yaml.j2"
    body.write_text("name: {{ name }}\nnew: true\n")
    monitored.commit("feat(web): new")
    monitored.tag("web@1.1.0", message="web 1.1.0")
    return monitored


def test_a_current_version_critical_three_times_is_rolled_back_and_yanked(
    released: RepoBuilder, cli: Cli, tmp_path: Path
):
    feed = tmp_path / "events.jsonl"
    events(feed, "1.1.0", errors_from=600, rate=0.1)
    cli("metrics", "import", str(feed))
    catalog = Catalog(released.path)
    for step in range(2):  # critical twice: not yet
        report = catalog.health(now=NOW + step, auto_rollback=3)
        assert [r.action for r in report.recoveries] == ["skipped"]
    assert released.tag_names() == {"web@1.0.0", "web@1.1.0"}
    report = Catalog(released.path).health(now=NOW + 2, auto_rollback=3)
    [done] = report.recoveries
    assert (done.action, done.tag) == ("rolled-back", "web@1.1.1")
    assert "health-critical: errors 0.09883 (critical 0.05, 597 events)" in done.detail
    assert released.tag_names() == {"web@1.0.0", "web@1.1.0", "web@1.1.1"}
    assert released.run("show", "-s", "--format=%s%n%b", "HEAD").startswith("revert(web)")
    yanked = (released.path / ".gitops-templates/yanked.yaml").read_text()
    assert "1.1.0" in yanked
    assert "health-critical" in yanked
    body = released.run("show", "web@1.1.1:templates/web/body.yaml.j2")
    assert body == released.run("show", "web@1.0.0:templates/web/body.yaml.j2")


def test_no_data_and_old_versions_are_never_rolled_back(released: RepoBuilder, cli: Cli,
                                                       tmp_path: Path):  # fmt: skip
    feed = tmp_path / "events.jsonl"
    events(feed, "1.1.0", errors_from=0, rate=0.0, count=5)  # too few: no data
    events(feed, "1.0.0", errors_from=600, rate=0.1)  # critical, but not the current version
    cli("metrics", "import", str(feed))
    catalog = Catalog(released.path)
    for step in range(3):
        report = catalog.health(now=NOW + step, auto_rollback=1)
    assert {v.version: v.status for v in report.versions} == {"1.0.0": "critical",
                                                               "1.1.0": "no-data"}  # fmt: skip
    [done] = report.recoveries
    assert (done.version, done.action) == ("1.0.0", "skipped")
    assert "not the template's current version" in done.detail
    assert released.tag_names() == {"web@1.0.0", "web@1.1.0"}
    result = cli("health", "check", "--auto-rollback", "1", code=0)  # real clock: nothing in use
    assert "auto-rollback" not in result.stdout


def test_the_report_charts_what_the_checks_stored(monitored: RepoBuilder, cli: Cli,
                                                  tmp_path: Path):  # fmt: skip
    feed = tmp_path / "events.jsonl"
    events(feed, "1.0.0", errors_from=300, rate=0.1)
    cli("metrics", "import", str(feed))
    catalog = Catalog(monitored.path)
    for step in (-300, 0, 300):  # the errors start at NOW - 300 and must last 2 minutes
        catalog.health(now=NOW + step)
    history = catalog.health_report("web")
    [version] = history.versions
    assert [status for _, status, _ in version.verdicts] == ["healthy", "degraded", "critical"]
    scores = [score for _, _, score in version.verdicts]
    markdown = cli("health", "report", "web", "--markdown").stdout
    assert f"| 1\\.0.0 | critical | {scores[-1]} | 3 |" in markdown  # `1.` escaped: no list
    assert "xychart-beta" in markdown
    assert f"    line [{', '.join(map(str, scores))}]" in markdown
    text = cli("health", "report", "web").stdout
    assert f"web@1.0.0: critical  score {scores[-1]}  █" in text
    assert "no evaluation of api stored yet" in cli("health", "report", "api").stderr


def test_sparklines_and_mermaid_text_are_safe():
    from gitops_templates.health.core.charts import mermaid_scores, sparkline

    assert sparkline([0, 50, 100, None], 0, 100) == "▁▅█ "
    assert sparkline([3, 3]) == "▁▁"
    assert sparkline([None]) == " "
    chart = mermaid_scores('web"]`\n', ["a", "b"], [None, 90])
    assert 'title "web"' in chart
    assert 'x-axis ["b"]' in chart
    assert mermaid_scores("x", ["a"], [None]) == ""


def test_the_no_data_policy_and_auto_rollback_from_the_config(released: RepoBuilder, cli: Cli,
                                                              tmp_path: Path):  # fmt: skip
    released.write({"gitops-templates.yaml": "health:\n  no_data: critical\n"
                    "  auto_rollback: {after: 1}\n"})  # fmt: skip
    feed = tmp_path / "events.jsonl"
    events(feed, "1.1.0", errors_from=0, rate=0.0, count=5)  # too few events
    cli("metrics", "import", str(feed))
    report = Catalog(released.path).health(now=NOW)
    [version] = report.versions
    assert (version.status, report.exit_code) == ("critical", 7)  # the policy says so
    [done] = report.recoveries  # the config asked for auto-rollback...
    assert (done.action, done.detail) == ("skipped", "no data: a version without data is "
                                          "never rolled back")  # fmt: skip


def test_the_generated_readme_shows_the_checks(monitored: RepoBuilder, cli: Cli):
    cli("docs", "web")
    readme = (monitored.path / "templates/web/README.md").read_text()
    assert "| errors | `error_rate` | `0.02` | `0.05` | `10m` | `2m` |  | `20` |  |" in readme
    assert "| p95 | `latency` | `500` | `2000` | `10m` |  |  |  | `0.95` |" in readme
    assert "`gitops-templates health check web`" in readme


def test_straight_in_a_workflow_it_annotates_and_summarises(
    monitored: RepoBuilder, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    import time as clock

    catalog = Catalog(monitored.path)
    for i in range(30):  # over the last 10 minutes: errors held for the checks' `for: 2m`
        catalog.record_event("web", "1.0.0", ok=i % 2 == 0, latency_ms=100,
                             time=clock.time() - 20 * i)  # fmt: skip
    summary_file = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary_file))
    result = cli("health", "check", code=7)
    assert "::error title=health::web@1.0.0 is critical" in result.stdout
    assert "| web | 1\\.0.0 | critical |" in summary_file.read_text()


def test_throughput_measures_an_outage_of_the_current_version(released: RepoBuilder,
                                                              tmp_path: Path):  # fmt: skip
    meta = released.path / "templates/web/template.yaml"
    meta.write_text(meta.read_text() + "    - {name: traffic, type: throughput, warning: 5, "
                    "critical: 1, window: 10m, min_samples: 50}\n")  # fmt: skip
    released.commit("chore(web): watch the traffic")
    feed = tmp_path / "events.jsonl"
    events(feed, "1.1.0", errors_from=0, rate=0.0, count=600)  # the 10 minutes before NOW
    events(feed, "1.0.0", errors_from=0, rate=0.0, count=600)  # replaced since: not current
    catalog = Catalog(released.path)
    catalog.import_metrics(feed)
    [before, _] = catalog.health(now=NOW).versions
    assert next(c.state for c in before.checks if c.name == "traffic") == "ok"
    [outage] = catalog.health(now=NOW + 3 * 3600).versions  # not one event for 3 hours
    assert (outage.version, outage.status) == ("1.1.0", "critical")
    traffic = {c.name: c for c in outage.checks}["traffic"]
    assert (traffic.state, traffic.value, traffic.samples) == ("critical", 0.0, 0)
    assert {c.name: c.state for c in outage.checks}["errors"] == "no-data"
    catalog.record_event("web", "1.1.0", ok=True, time=NOW + 3 * 3600 - 60)  # under min_samples
    [trickle] = catalog.health(now=NOW + 3 * 3600).versions
    assert {c.name: (c.state, c.samples) for c in trickle.checks}["traffic"] == ("critical", 1)
    [asked] = catalog.health(version="7.0.0", now=NOW).versions  # never used: no data
    assert {c.name: c.state for c in asked.checks}["traffic"] == "no-data"
    # a measured outage is critical data, not missing data: auto-rollback acts on it
    report = catalog.health(now=NOW + 3 * 3600 + 60, auto_rollback=1)
    assert [(r.version, r.action) for r in report.recoveries] == [("1.1.0", "rolled-back")]
    assert "web@1.1.1" in released.tag_names()


def test_chart_labels_are_unique_and_short(monitored: RepoBuilder, cli: Cli, tmp_path: Path):
    from gitops_templates.health.core.charts import time_labels

    assert time_labels([NOW, NOW + 3600]) == ["11-14 22:13", "11-14 23:13"]
    assert time_labels([NOW, NOW + 5]) == ["11-14 22:13:20", "11-14 22:13:25"]
    assert time_labels([NOW, NOW + 0.2, NOW + 0.4, NOW + 2]) == [
        "11-14 22:13:20", "11-14 22:13:20 #2", "11-14 22:13:20 #3", "11-14 22:13:22"]  # fmt: skip
    feed = tmp_path / "events.jsonl"
    events(feed, "1.0.0", errors_from=0, rate=0.0)
    cli("metrics", "import", str(feed))
    catalog = Catalog(monitored.path)
    for step in range(3):  # `health watch --interval 0s`: evaluations in one minute
        catalog.health(now=NOW + step)
    markdown = cli("health", "report", "web", "--markdown").stdout
    assert 'x-axis ["11-14 22:13:20", "11-14 22:13:21", "11-14 22:13:22"]' in markdown


def test_keep_firing_for_keeps_a_cleared_breach_counting(monitored: RepoBuilder, cli: Cli,
                                                         tmp_path: Path):  # fmt: skip
    meta = monitored.path / "templates/web/template.yaml"
    meta.write_text(meta.read_text().replace("health:\n  checks:\n", "health:\n  checks:\n"
        "    - {name: sticky, type: error_rate, warning: 0.02, critical: 0.05, window: 1m,\n"
        "       keep_firing_for: 3m, min_samples: 20}\n"
        "    - {name: plain, type: error_rate, warning: 0.02, critical: 0.05, window: 1m,\n"
        "       min_samples: 20}\n"))  # fmt: skip
    with (tmp_path / "events.jsonl").open("w") as feed:  # a second apart; 20% errors until
        for i in range(900):  # NOW - 120, none after
            at = NOW - 600 + i
            feed.write(json.dumps({"time": at, "template": "web", "version": "1.0.0",
                                   "ok": not (at < NOW - 120 and i % 5 == 0)}) + "\n")  # fmt: skip
    cli("metrics", "import", str(tmp_path / "events.jsonl"))
    catalog = Catalog(monitored.path)
    [cleared] = catalog.health(now=NOW).versions  # clean for 2 minutes, within keep_firing_for
    checks = {c.name: c for c in cleared.checks}
    assert (checks["sticky"].state, checks["sticky"].level, checks["sticky"].value) == (
        "critical", "ok", 0.0)  # fmt: skip
    assert checks["plain"].state == "ok"
    assert cleared.status == "critical"
    [later] = catalog.health(now=NOW + 120).versions  # clean for 4 minutes: past it
    assert {c.name: c.state for c in later.checks}["sticky"] == "ok"


def test_auto_rollback_pushes_to_the_remote(released: RepoBuilder, cli: Cli, tmp_path: Path):
    from tests.helpers import git

    remote = RepoBuilder.init(tmp_path / "remote.git", bare=True)
    released.run("remote", "add", "origin", str(remote.path))
    released.run("push", "-q", "origin", "main", "--tags")
    feed = tmp_path / "events.jsonl"
    events(feed, "1.1.0", errors_from=600, rate=0.1)
    cli("metrics", "import", str(feed))
    report = Catalog(released.path).health(now=NOW, auto_rollback=1, push=True)
    [done] = report.recoveries
    assert (done.action, done.tag) == ("rolled-back", "web@1.1.1")
    assert git(remote.path, "rev-parse", "main").strip() == released.head()
    assert git(remote.path, "rev-parse", "web@1.1.1^{commit}").strip() == released.head()
    assert "1.1.0" in git(remote.path, "show", "main:.gitops-templates/yanked.yaml")
