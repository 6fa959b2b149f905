"""Use-case `check-update FILE...`: which update each instance can take, and its cost.

For each file: what its pin gives today, the latest installable version, the kind of
update (major, minor, patch), the breaking findings between the two and the migrations
an upgrade would run. Findings are computed once per (template, from, to).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from gitops_templates.core.jsonform import JsonDocument
from gitops_templates.errors import ExitCode, GitOpsTemplatesError, Problem

if TYPE_CHECKING:
    from collections.abc import Sequence

    from semver import Version

    from gitops_templates.compat.core.rules import Finding
    from gitops_templates.migrations.core.paths import Step
    from gitops_templates.migrations.releases import Releases


@dataclass(frozen=True, slots=True)
class InstanceUpdate:
    """The update one instance file can take."""

    json_fields: ClassVar[tuple[str, ...]] = (
        "file",
        "template",
        "pin",
        "current",
        "latest",
        "update",
        "within_pin",
        "breaking",
        "migrations",
        "notes",
        "message",
        "problems",
    )

    file: str
    template: str | None = None
    pin: str | None = None
    current: str | None = None
    latest: str | None = None
    update: str = "none"  # major | minor | patch | prerelease | none | error
    within_pin: bool = False  # the pin already allows the latest version
    breaking: tuple[Finding, ...] = ()
    migrations: tuple[Step, ...] = ()
    notes: tuple[str, ...] = ()
    message: str = ""
    problems: tuple[Problem, ...] = ()
    exit_code: ExitCode = field(default=ExitCode.OK, compare=False)


@dataclass(frozen=True, slots=True)
class UpdateReport(JsonDocument):
    """Every file's available update."""

    json_fields: ClassVar[tuple[str, ...]] = ("schema_version", "summary", "instances")

    instances: tuple[InstanceUpdate, ...]

    @property
    def summary(self) -> dict[str, int]:
        """How many files have each kind of update."""
        counts: dict[str, int] = {}
        for instance in self.instances:
            counts[instance.update] = counts.get(instance.update, 0) + 1
        return counts

    @property
    def updates(self) -> int:
        """How many files have an update."""
        return sum(i.update not in ("none", "error") for i in self.instances)

    @property
    def exit_code(self) -> ExitCode:
        """The first unreadable file's exit code (0 when every file was read)."""
        return next((i.exit_code for i in self.instances if i.update == "error"), ExitCode.OK)


def check_updates(releases: Releases, files: Sequence[str]) -> UpdateReport:
    """The update each file can take (an unreadable file is reported, not fatal)."""
    breaking: dict[tuple[str, Version, Version], tuple[Finding, ...]] = {}
    results = []
    for name in files:
        try:
            results.append(_check(releases, name, breaking))
        except GitOpsTemplatesError as err:
            results.append(
                InstanceUpdate(
                    name,
                    update="error",
                    message=err.message,
                    problems=err.problems,
                    exit_code=err.exit_code,
                )
            )
    return UpdateReport(tuple(results))


def _check(
    releases: Releases, name: str, memo: dict[tuple[str, Version, Version], tuple[Finding, ...]]
) -> InstanceUpdate:
    from gitops_templates.migrations.instances import read_instance

    instance = read_instance(name)
    tid, pin = instance.template, instance.pin
    current, latest = releases.resolve(tid, pin), releases.latest(tid)
    found = InstanceUpdate(
        name, tid, pin.text, str(current) if current else None, str(latest) if latest else None
    )
    notes = () if current is not None else (f"no release matches {pin.text!r}",)
    if latest is None or latest <= (current or pin.base):
        return InstanceUpdate(name, tid, pin.text, found.current, found.latest, notes=notes)
    start = current or pin.base
    key = (tid, start, latest)
    if key not in memo:
        memo[key] = _breaking(releases, tid, start, latest) if current is not None else ()
    path = releases.path(tid, pin.base, latest)
    return InstanceUpdate(
        name,
        tid,
        pin.text,
        found.current,
        found.latest,
        _kind(start, latest),
        pin.allows(latest),
        memo[key],
        path.steps,
        (*notes, *path.notes),
    )


def _kind(old: Version, new: Version) -> str:
    if new.major != old.major:
        return "major"
    if new.minor != old.minor:
        return "minor"
    return "patch" if new.patch != old.patch else "prerelease"


def _breaking(releases: Releases, tid: str, old: Version, new: Version) -> tuple[Finding, ...]:
    """The breaking findings from `old` to `new` (template.yaml and files compared)."""
    from gitops_templates.compat.check import compare, load_overrides, profile_for, snapshots

    ws = releases.ws
    component = ws.component(tid)
    places = [(component, str(v), releases.commit(tid, v)) for v in (old, new)]
    found = snapshots(ws, places)
    after = found[(tid, str(new))]
    report = compare(
        found[(tid, str(old))],
        after,
        cid=tid,
        profile=profile_for(ws, after),
        overrides=load_overrides(ws),
    )
    return tuple(f for f in report.findings if f.breaking)
