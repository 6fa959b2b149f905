"""The compatibility policy of `plan`/`release`: required = max(declared, detected).

For every template with unreleased commits, HEAD is compared with its latest version
and, for breaking findings, with every earlier version of the same major (a parameter
removed in 1.2 and re-added with another type in 1.3 is caught). When the commits
declared less than was detected, the catalog's `compatibility` setting decides:
`enforce` fails (exit 6) naming each finding and the footer to add, `escalate` raises
the version and says why, `warn` only warns. Declaring more than detected is fine.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from gitops_templates.compatibility import compare, load_overrides, profile_for, snapshots
from gitops_templates.compatibility import waivers_of as parse_waivers
from gitops_templates.errors import CompatibilityError, Problem
from gitops_templates.models import Level, Notice
from gitops_templates.planning import escalate

if TYPE_CHECKING:
    from collections.abc import Sequence

    from gitops_templates.compatibility import CompatibilityReport
    from gitops_templates.planning import ComponentState
    from gitops_templates.workspace import Workspace


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


def verdicts(ws: Workspace, states: Sequence[ComponentState]) -> dict[str, Verdict]:
    """Compare HEAD with each template's major line (templates with unreleased commits)."""
    eligible = [
        s for s in states if s.component.kind == "template" and s.changes and s.current is not None
    ]
    if not eligible:
        return {}
    places = []
    lines = {}
    for state in eligible:
        current = state.current
        assert current is not None
        line = [
            v
            for v in state.versions
            if v.reachable
            and v.tag.commit_sha
            and not v.version.prerelease
            and v.version.major == current.version.major
            and v is not current
        ]
        lines[state.component.id] = [current, *line]
        places += [
            (state.component, str(v.version), str(v.tag.commit_sha))
            for v in lines[state.component.id]
        ]
        places.append((state.component, "HEAD", ws.head))
    found = snapshots(ws, places)
    overrides = load_overrides(ws)
    result = {}
    for state in eligible:
        cid = state.component.id
        head = found[(cid, "HEAD")]
        waivers = parse_waivers([w for c in state.changes for w in c.waivers])
        older = [found[(cid, str(v.version))] for v in lines[cid]]
        profile = "template"
        if any(s.meta_id != head.meta_id for s in older):
            profile = profile_for(ws, head.metadata)
        report = compare(
            older[0], head, cid=cid, profile=profile, overrides=overrides, waivers=waivers
        )
        seen = {(f.rule, f.pointer) for f in report.findings}
        extra = []
        for snap in older[1:]:
            if snap.meta_id == head.meta_id:
                continue
            earlier = compare(
                snap, head, cid=cid, profile=profile, overrides=overrides, waivers=waivers
            )
            for item in earlier.findings:
                if item.breaking and (item.rule, item.pointer) not in seen:
                    seen.add((item.rule, item.pointer))
                    extra.append(replace(item, message=f"{item.message} (against {snap.label})"))
        if extra:
            report = replace(report, findings=(*report.findings, *extra))
        result[cid] = Verdict(cid, state.level, report)
    return result


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
