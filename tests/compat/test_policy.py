"""Compatibility policy: required = max(declared, detected); enforce, escalate or warn."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops_templates import Catalog
from gitops_templates.catalog.workspace import Workspace
from gitops_templates.compat.check import CompatibilityReport
from gitops_templates.compat.core.rules import Finding, finding
from gitops_templates.compat.policy import Verdict, apply, verdicts
from gitops_templates.core.models import Level
from gitops_templates.core.planning import ComponentState
from gitops_templates.errors import CompatibilityError, ExitCode, InvalidInputError
from tests.conftest import Cli
from tests.helpers import RepoBuilder

REPLICAS = "    replicas: {type: integer, minimum: 1, default: 1, description: Pod count.}\n"
REPLICAS_AS_TEXT = "    replicas: {type: string, description: Pod count.}\n"


def found(rule: str, pointer: str = "/properties/replicas", *, waived: bool = False) -> Finding:
    item = finding(rule, "template", pointer, f"{rule} happened")
    return Finding(
        item.rule, item.level, item.severity, item.pointer, item.message, item.area, waived=waived
    )


def report(*findings: Finding, cid: str = "web") -> CompatibilityReport:
    return CompatibilityReport(cid, "1.0.0", "HEAD", "template", findings)


REMOVED = found("param-removed")  # breaking
ADDED = found("param-added-optional", "/properties/extra")  # minor
DOCS = found("docs-changed", "/properties/name/description")  # patch

VERDICTS = [
    # declared, findings, detected, undeclared
    (Level.NONE, (), Level.NONE, False),
    (Level.NONE, (DOCS,), Level.PATCH, False),  # patch is never undeclared
    (Level.NONE, (ADDED,), Level.MINOR, True),
    (Level.PATCH, (ADDED,), Level.MINOR, True),
    (Level.MINOR, (ADDED,), Level.MINOR, False),
    (Level.MAJOR, (ADDED,), Level.MINOR, False),  # declaring more is fine
    (Level.PATCH, (DOCS, REMOVED), Level.MAJOR, True),
    (Level.MINOR, (ADDED, REMOVED), Level.MAJOR, True),
    (Level.MAJOR, (REMOVED,), Level.MAJOR, False),
    (Level.PATCH, (found("param-removed", waived=True),), Level.NONE, False),
    (Level.PATCH, (found("param-removed", waived=True), ADDED), Level.MINOR, True),
]


@pytest.mark.parametrize(("declared", "findings", "detected", "undeclared"), VERDICTS)
def test_verdict_is_undeclared_when_detected_minor_or_more_exceeds_declared(
    declared: Level, findings: tuple[Finding, ...], detected: Level, undeclared: bool
):
    verdict = Verdict("web", declared, report(*findings))
    assert verdict.detected is detected
    assert verdict.undeclared is undeclared


@pytest.mark.parametrize(
    ("findings", "words", "absent"),
    [
        ((REMOVED,), "BREAKING-CHANGE", "feat:"),
        ((ADDED,), "feat:", "BREAKING-CHANGE"),
    ],
)
def test_remedy_names_the_footer_or_type_to_declare(
    findings: tuple[Finding, ...], words: str, absent: str
):
    remedy = Verdict("web", Level.PATCH, report(*findings)).remedy()
    assert words in remedy
    assert absent not in remedy
    assert "Compatibility-Waiver:" in remedy


def drop_replicas(repo: RepoBuilder, tid: str, replacement: str = "") -> None:
    path = repo.path / "templates" / tid / "template.yaml"
    text = path.read_text()
    assert REPLICAS in text
    path.write_text(text.replace(REPLICAS, replacement))


def catalog(path: Path, policy: str) -> RepoBuilder:
    """web and api released at 1.0.0; web then drops a parameter, api changes its body only,
    and fresh is added unreleased."""
    repo = RepoBuilder.init(path)
    repo.write({"gitops-templates.yaml": f"compatibility: {policy}\ninitial_version: '1.0.0'\n"})
    repo.template("web").template("api")
    repo.commit("feat: first")
    repo.tag("web@1.0.0", message="web 1.0.0").tag("api@1.0.0", message="api 1.0.0")
    drop_replicas(repo, "web")
    repo.commit("fix(web): tidy parameters")
    repo.write({"templates/api/body.yaml.j2": "name: {{ name | upper }}\n"})
    repo.commit("fix(api): shout")
    repo.template("fresh")
    repo.commit("feat(fresh): new template")
    return repo


def states_of(ws: Workspace) -> dict[str, ComponentState]:
    return {s.component.id: s for s in ws.analyze().states}


def next_of(state: ComponentState) -> str | None:
    return str(state.next.version) if state.next else None


@pytest.fixture(params=["enforce", "escalate", "warn"])
def workspace(request: pytest.FixtureRequest, tmp_path: Path) -> Workspace:
    catalog(tmp_path / "repo", request.param)
    return Workspace(tmp_path / "repo", use_cache=False)


def test_verdicts_only_for_released_templates_whose_metadata_changed(workspace: Workspace):
    states = states_of(workspace)
    assert {cid for cid, s in states.items() if s.changes} == {"web", "api", "fresh"}
    result = verdicts(workspace, list(states.values()))
    assert set(result) == {"web"}  # api: body only; fresh: no version yet
    web = result["web"]
    assert (web.id, web.declared, web.detected, web.undeclared) == (
        "web",
        Level.PATCH,
        Level.MAJOR,
        True,
    )
    assert ("param-removed", "/properties/replicas") in [
        (f.rule, f.pointer) for f in web.report.findings
    ]
    assert (web.report.old, web.report.new) == ("1.0.0", "HEAD")


def test_verdicts_of_nothing_is_empty(workspace: Workspace):
    assert verdicts(workspace, []) == {}


def test_verdicts_compare_with_earlier_versions_of_the_line(tmp_path: Path):
    repo = RepoBuilder.init(tmp_path / "repo")
    repo.write({"gitops-templates.yaml": "compatibility: warn\ninitial_version: '1.0.0'\n"})
    repo.template("web")
    repo.commit("feat(web): first")
    repo.tag("web@1.0.0", message="1.0.0")
    drop_replicas(repo, "web")
    repo.commit("fix(web): drop replicas")
    repo.tag("web@1.1.0", message="1.1.0")  # tagged by hand: no policy ran
    meta = repo.path / "templates/web/template.yaml"
    meta.write_text(meta.read_text().replace("    name:", REPLICAS_AS_TEXT + "    name:"))
    repo.commit("feat(web): replicas are back, as text")
    ws = Workspace(repo.path, use_cache=False)
    states = list(states_of(ws).values())
    web = verdicts(ws, states)["web"]
    assert web.detected is Level.MAJOR  # against 1.1.0 alone it is a minor addition
    against = [f for f in web.report.findings if "(against 1.0.0)" in f.message]
    assert against
    assert all(f.breaking for f in against)
    assert all(f.pointer.startswith("/properties/replicas") for f in against)


def test_apply_follows_the_configured_policy(workspace: Workspace):
    states = states_of(workspace)
    ordered = list(states.values())
    policy = workspace.settings.compatibility
    before = next_of(states["web"])
    assert before == "1.0.1"
    if policy == "enforce":
        with pytest.raises(CompatibilityError) as caught:
            apply(workspace, ordered, verdicts(workspace, ordered), pre_token=None)
        err = caught.value
        assert err.exit_code is ExitCode.COMPATIBILITY
        assert "web (breaking detected, patch declared)" in err.message
        assert err.hint is not None
        assert "compatibility: escalate" in err.hint
        problem = next(p for p in err.problems if p.rule == "param-removed")
        assert problem.file == "templates/web/template.yaml"
        assert problem.pointer == "/parameters/properties/replicas"
        assert problem.hint is not None
        assert "BREAKING-CHANGE" in problem.hint
        return
    result, notices = apply(workspace, ordered, verdicts(workspace, ordered), pre_token=None)
    after = {s.component.id: s for s in result}
    assert [s.component.id for s in result] == [s.component.id for s in ordered]
    assert after["api"] is states["api"]
    assert after["fresh"] is states["fresh"]
    [notice] = notices
    assert notice.subject == "web"
    assert "breaking change detected (param-removed at /properties/replicas)" in notice.message
    assert "commits declared patch" in notice.message
    if policy == "escalate":
        assert notice.code == "compatibility-escalated"
        assert next_of(after["web"]) == "2.0.0"
        assert after["web"].level is Level.MAJOR
        assert after["web"].next is not None
        assert "escalated: breaking change detected" in after["web"].next.reason
    else:
        assert notice.code == "compatibility-undeclared"
        assert after["web"] is states["web"]


HAND_BUILT = [
    # declared level of the verdict, findings, next version of web under escalate
    (Level.PATCH, (ADDED,), "1.1.0"),
    (Level.PATCH, (REMOVED,), "2.0.0"),
    (Level.PATCH, (DOCS,), "1.0.1"),  # nothing undeclared: unchanged
    (Level.MAJOR, (REMOVED,), "1.0.1"),  # the verdict says declared: unchanged
    (Level.PATCH, (found("param-removed", waived=True),), "1.0.1"),
]


@pytest.mark.parametrize(("declared", "findings", "expected"), HAND_BUILT)
def test_apply_escalates_from_the_verdict_it_is_given(
    tmp_path: Path, declared: Level, findings: tuple[Finding, ...], expected: str
):
    catalog(tmp_path / "repo", "escalate")
    ws = Workspace(tmp_path / "repo", use_cache=False)
    states = states_of(ws)
    verdict = Verdict("web", declared, report(*findings))
    result, notices = apply(ws, list(states.values()), {"web": verdict}, pre_token=None)
    web = next(s for s in result if s.component.id == "web")
    assert next_of(web) == expected
    assert bool(notices) is verdict.undeclared


def test_apply_escalation_keeps_the_prerelease_token(tmp_path: Path):
    catalog(tmp_path / "repo", "escalate")
    ws = Workspace(tmp_path / "repo", use_cache=False)
    states = list(ws.analyze(pre_token="rc").states)
    result, _ = apply(ws, states, verdicts(ws, states), pre_token="rc")
    web = next(s for s in result if s.component.id == "web")
    assert next_of(web) == "2.0.0-rc.1"


def test_apply_with_no_verdicts_changes_nothing(workspace: Workspace):
    states = list(states_of(workspace).values())
    result, notices = apply(workspace, states, {}, pre_token=None)
    assert result == states
    assert notices == []


def test_enforce_error_lists_only_findings_above_the_declared_level(tmp_path: Path):
    catalog(tmp_path / "repo", "enforce")
    ws = Workspace(tmp_path / "repo", use_cache=False)
    states = list(states_of(ws).values())
    verdict = Verdict("web", Level.MINOR, report(REMOVED, ADDED, DOCS))
    with pytest.raises(CompatibilityError) as caught:
        apply(ws, states, {"web": verdict}, pre_token=None)
    assert [(p.rule, p.pointer) for p in caught.value.problems] == [
        ("param-removed", "/parameters/properties/replicas")
    ]


@pytest.mark.parametrize("use_cache", [True, False])
def test_of_several_broken_schemas_the_first_template_is_named(
    repo: RepoBuilder, cli: Cli, use_cache: bool
):
    for tid in ("api", "db", "web"):
        repo.template(tid)
    repo.commit("feat: three templates")
    cli("release")
    for tid in ("db", "web"):  # both schemas become invalid; api's is untouched
        meta = repo.path / "templates" / tid / "template.yaml"
        meta.write_text(meta.read_text().replace("  type: object\n", "  type: 5\n", 1))
    repo.commit("fix: break two schemas")
    with pytest.raises(InvalidInputError) as caught:
        Catalog(repo.path, use_cache=use_cache).plan()
    assert "templates/db/template.yaml" in caught.value.message
