"""The compatibility policy of `plan`/`release`: required = max(declared, detected).

For every template with unreleased commits, HEAD is compared with its latest version
and, for breaking findings, with every earlier version of its line (same major; in 0.x
the same minor), so a parameter removed in 1.2 and re-added with another type in 1.3
is caught. When the commits
declared less than was detected, the catalog's `compatibility` setting decides:
`enforce` fails (exit 6) naming each finding and the footer to add, `escalate` raises
the version and says why, `warn` only warns. Declaring more than detected is fine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from gitops_templates.compat.check import against_line, load_overrides, snapshots
from gitops_templates.compat.check import waivers_of as parse_waivers
from gitops_templates.compat.memo import FindingsMemo
from gitops_templates.core.models import Level, Notice
from gitops_templates.core.planning import escalate
from gitops_templates.errors import CompatibilityError, GitOpsTemplatesError, Problem

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.compat.check import CompatibilityReport
    from gitops_templates.core.planning import ComponentState
    from gitops_templates.core.tags import VersionTag
    from gitops_templates.core.version_rules import BumpRules


@dataclass(frozen=True, slots=True)
class Verdict:
    """Declared against detected for one template."""

    id: str
    declared: Level
    report: CompatibilityReport

    @property
    def detected(self) -> Level:
        """What the comparison found."""
        return self.report.level

    @property
    def undeclared(self) -> bool:
        """True when the commits declared less than a minor/breaking change detected."""
        return self.detected >= Level.MINOR and self.detected > self.declared

    def remedy(self) -> str:
        """The footer or commit type that would declare what was detected."""
        if self.detected is Level.MAJOR:
            return (
                "add a `BREAKING-CHANGE: <what consumers must change>` footer (or `!` "
                "after the type), or waive a finding with `Compatibility-Waiver: "
                "<rule-id> <pointer>`"
            )
        return "declare the feature with a `feat:` commit, or waive with `Compatibility-Waiver:`"


def verdicts(
    ws: Workspace,
    states: Sequence[ComponentState],
    *,
    meanwhile: Callable[[], None] = lambda: None,
) -> dict[str, Verdict]:
    """Verdicts for templates whose template.yaml changed since their latest version.

    An unchanged template.yaml was checked when that version was released, so only
    templates whose metadata blob differs are compared, with the latest version and
    then with the rest of its major line. HEAD's ids come from the tree already read.
    `meanwhile()` takes in what a child comparing from the first template on has
    learned (`compat.prefetch`): the templates are taken from the last one back.
    """
    meanwhile()
    eligible = [
        s for s in states if s.component.kind == "template" and s.changes and s.current is not None
    ]
    if not eligible:
        return {}
    base = ws.settings.templates_dir
    at_head = {f"{ws.head}:{base}/{e.path}": e.sha for e in ws.head_tree}
    latest = {s.component.id: _latest(s) for s in eligible}
    firsts = [(s.component, "HEAD", ws.head) for s in eligible]
    firsts += [(s.component, *latest[s.component.id]) for s in eligible]
    found = snapshots(ws, firsts, files=False, known=at_head)
    changed = [
        s
        for s in eligible
        if found[(s.component.id, "HEAD")].meta_id
        != found[(s.component.id, latest[s.component.id][0])].meta_id
    ]
    rules = ws.settings.rules
    lines = {s.component.id: [latest[s.component.id], *_earlier(s, rules)] for s in changed}
    rest = [(s.component, label, sha) for s in changed for label, sha in lines[s.component.id][1:]]
    found.update(snapshots(ws, rest, files=False))
    overrides = load_overrides(ws) if changed else {}
    memo = FindingsMemo(ws.facts)
    result, errors = {}, {}
    for done, (index, state) in enumerate(reversed(list(enumerate(changed)))):
        ws.progress("checking compatibility", done, len(changed))
        meanwhile()
        cid = state.component.id
        head = found[(cid, "HEAD")]
        older = [found[(cid, label)] for label, _ in lines[cid]]
        waivers = parse_waivers([w for c in state.changes for w in c.waivers])
        try:
            report = against_line(ws, cid, head, older, overrides=overrides, waivers=waivers,
                                  memo=memo)  # fmt: skip
        except GitOpsTemplatesError as err:  # said of the first such template, as ever
            errors[index] = err
            continue
        result[cid] = Verdict(cid, state.level, report)
    ws.progress("checking compatibility", len(changed), len(changed))
    memo.save()
    if errors:
        raise errors[min(errors)]
    return {s.component.id: result[s.component.id] for s in changed}  # in template order


def _latest(state: ComponentState) -> tuple[str, str]:
    """(version, commit) of the latest version."""
    current = state.current
    assert current is not None
    return str(current.version), str(current.tag.commit_sha)


def _earlier(state: ComponentState, rules: BumpRules) -> list[tuple[str, str]]:
    """(version, commit) of the earlier releases in the latest version's line."""
    current = state.current
    assert current is not None
    return earlier_in_line(current, state.versions, rules)


def earlier_in_line(
    current: VersionTag, versions: Sequence[VersionTag], rules: BumpRules
) -> list[tuple[str, str]]:
    """(version, commit) of the reachable releases in `current`'s line, but `current`."""
    line = rules.line_of(current.version)
    return [
        (str(v.version), str(v.tag.commit_sha))
        for v in versions
        if v.reachable
        and v.tag.commit_sha
        and not v.version.prerelease
        and rules.line_of(v.version) == line
        and v is not current
    ]


def apply(
    ws: Workspace,
    states: Sequence[ComponentState],
    found: dict[str, Verdict],
    *,
    pre_token: str | None,
) -> tuple[list[ComponentState], list[Notice]]:
    """States with the policy applied (escalated versions), or CompatibilityError."""
    policy = ws.settings.compatibility
    violations = [v for v in found.values() if v.undeclared]
    if violations and policy == "enforce":
        raise _violation_error(ws, violations)
    notices = []
    result = []
    for state in states:
        verdict = found.get(state.component.id)
        if verdict is None or not verdict.undeclared:
            result.append(state)
            continue
        first = next(f for f in verdict.report.findings if f.counts == verdict.detected)
        why = (
            f"{verdict.detected.compatibility} change detected ({first.rule} at "
            f"{first.pointer}) but commits declared {verdict.declared.label}"
        )
        if policy == "escalate":
            result.append(
                escalate(
                    state,
                    verdict.detected,
                    ws.settings.rules,
                    f"escalated: {why}",
                    pre_token=pre_token,
                )
            )
            notices.append(Notice("compatibility-escalated", why, state.component.id))
        else:
            result.append(state)
            notices.append(Notice("compatibility-undeclared", why, state.component.id))
    return result, notices


def _violation_error(ws: Workspace, violations: list[Verdict]) -> CompatibilityError:
    problems = []
    for verdict in violations:
        component = ws.component(verdict.id)
        for item in verdict.report.findings:
            if item.counts > verdict.declared and item.counts >= Level.MINOR:
                problems.append(
                    Problem(
                        f"{verdict.id}: {item.level.compatibility} change not declared: "
                        f"{item.message}",
                        file=f"{component.path}/template.yaml",
                        pointer=("/parameters" if item.area == "parameters" else "") + item.pointer,
                        rule=item.rule,
                        hint=verdict.remedy(),
                    )
                )
    names = ", ".join(
        f"{v.id} ({v.detected.compatibility} detected, {v.declared.label} declared)"
        for v in violations
    )
    return CompatibilityError(
        f"commits declare less than the compatibility check detected: {names}",
        hint=violations[0].remedy() + "; or set `compatibility: escalate` in the config",
        problems=tuple(problems),
    )
