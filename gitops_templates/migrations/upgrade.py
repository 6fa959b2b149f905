"""Use-case `upgrade FILE...`: move instance files to a version along its migrations.

Each file is read, its values carried along the path, checked against the target's
parameters, and rewritten in one rename with comments, order and quoting kept. A file
that fails at any point stays byte-identical; the others go on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from gitops_templates.core.jsonform import JsonDocument
from gitops_templates.errors import ExitCode, GitOpsTemplatesError, InvalidInputError, Problem
from gitops_templates.migrations.core.operations import shown
from gitops_templates.migrations.releases import Releases, where

if TYPE_CHECKING:
    from collections.abc import Sequence

    from semver import Version

    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.migrations.core.operations import Outcome
    from gitops_templates.migrations.core.paths import MigrationPath, Step
    from gitops_templates.migrations.instances import Instance


@dataclass(frozen=True, slots=True)
class InstanceUpgrade:
    """What happened to one instance file."""

    json_fields: ClassVar[tuple[str, ...]] = (
        "file",
        "status",
        "template",
        "from=pin",
        "to=new_pin",
        "current",
        "target",
        "steps",
        "notes",
        "dropped",
        "values_diff",
        "output_diff",
        "message",
        "problems",
    )

    file: str
    status: str  # upgraded | planned (dry run) | current | failed
    template: str | None = None
    pin: str | None = None
    new_pin: str | None = None
    current: str | None = None  # what the pin gave before
    target: str | None = None
    steps: tuple[Step, ...] = ()
    notes: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()
    values_diff: str = ""
    output_diff: str = ""
    message: str = ""
    problems: tuple[Problem, ...] = ()
    exit_code: ExitCode = field(default=ExitCode.OK, compare=False)


@dataclass(frozen=True, slots=True)
class UpgradeReport(JsonDocument):
    """Every file's upgrade."""

    json_fields: ClassVar[tuple[str, ...]] = ("schema_version", "dry_run", "summary", "instances")

    instances: tuple[InstanceUpgrade, ...]
    dry_run: bool = False

    @property
    def summary(self) -> dict[str, int]:
        """How many files ended in each status."""
        counts: dict[str, int] = {}
        for instance in self.instances:
            counts[instance.status] = counts.get(instance.status, 0) + 1
        return counts

    @property
    def exit_code(self) -> ExitCode:
        """The first failure's exit code (0 when none failed)."""
        return next((i.exit_code for i in self.instances if i.status == "failed"), ExitCode.OK)


@dataclass(frozen=True, slots=True)
class UpgradeOptions:
    """How `upgrade` runs."""

    to: str | None = None  # a version, `latest`, or None: the best the pin allows
    dry_run: bool = False
    allow_lossy: bool = False
    diffs: bool = True  # values and rendered output, old against new


def upgrade(ws: Workspace, files: Sequence[str], options: UpgradeOptions) -> UpgradeReport:
    """Upgrade each file; a failure is reported per file and changes nothing there."""
    releases = Releases(ws)
    results = []
    for name in files:
        try:
            results.append(_upgrade_file(releases, name, options))
        except OSError as err:  # writing: a read-only directory, a full disk
            results.append(InstanceUpgrade(name, "failed", message=f"{name}: cannot write it: "
                                           f"{err.strerror or err}",
                                           exit_code=ExitCode.FAILURE))  # fmt: skip
        except GitOpsTemplatesError as err:
            results.append(
                InstanceUpgrade(
                    name,
                    "failed",
                    message=err.message,
                    problems=err.problems,
                    exit_code=err.exit_code,
                )
            )
    return UpgradeReport(tuple(results), options.dry_run)


def _upgrade_file(releases: Releases, name: str, options: UpgradeOptions) -> InstanceUpgrade:
    from gitops_templates.migrations.instances import read_instance, write_instance

    instance = read_instance(name)
    tid, pin = instance.template, instance.pin
    current = releases.resolve(tid, pin)
    target = releases.target(tid, pin, options.to)
    path = releases.path(tid, pin.base, target)
    new_pin = pin.text if target == pin.base and pin.operator == "" else pin.moved_to(target)
    done = InstanceUpgrade(
        name,
        "current",
        tid,
        pin.text,
        new_pin,
        str(current) if current else None,
        str(target),
        path.steps,
        path.notes,
    )
    if new_pin == pin.text and not path.steps:
        return done
    _refuse_lossy(path, options)
    outcome = _migrated(releases, instance, path, target)
    dropped = tuple(f"{pointer} (was {shown(value, 60)})" for pointer, value in outcome.dropped)
    content = _rewritten(instance, outcome, new_pin)
    diffs = (
        _diffs(releases, instance, current, target, outcome.values) if options.diffs else ("", "")
    )
    if not options.dry_run and content != instance.raw:
        write_instance(instance, content)
    status = "planned" if options.dry_run else "upgraded"
    return InstanceUpgrade(
        name,
        status,
        tid,
        pin.text,
        new_pin,
        done.current,
        str(target),
        path.steps,
        path.notes,
        dropped,
        *diffs,
    )


def _refuse_lossy(path: MigrationPath, options: UpgradeOptions) -> None:
    if path.lossy and not options.allow_lossy:
        lost = "; ".join(f"{s.version}: {', '.join(s.lost)}" for s in path.steps if s.lossy)
        raise InvalidInputError(
            f"going down from {path.source} to {path.target} cannot undo {lost}",
            hint="pass --allow-lossy to go down anyway (those values are not restored)",
        )


def _migrated(
    releases: Releases, instance: Instance, path: MigrationPath, target: Version
) -> Outcome:
    """The values carried along `path`, checked against the target's parameters."""
    from gitops_templates.migrations.core.paths import StepError, migrate
    from gitops_templates.rendering.core.values import with_defaults
    from gitops_templates.rendering.values import value_problems

    try:
        outcome = migrate(instance.values, path)
    except StepError as err:
        raise InvalidInputError(
            f"{instance.shown}: {err}", hint="fix the migration in template.yaml, or the values"
        ) from None
    parameters = releases.release(path.template, target).parameters
    problems = value_problems(parameters, with_defaults(parameters, outcome.values))
    if problems:
        first = problems[0]
        raise InvalidInputError(
            f"{instance.shown}: after migrating to {target} the values do not match its "
            f"parameters: {where(first.pointer)}: {first.message}",
            hint="the file is unchanged; fix the values, or add the missing migration",
            problems=tuple(
                Problem(p.message, file=instance.shown, pointer=p.pointer, rule=p.rule)
                for p in problems
            ),
        )
    return outcome


def _rewritten(instance: Instance, outcome: Outcome, new_pin: str) -> bytes:
    """The new file, checked to read back as exactly what was meant."""
    from gitops_templates.catalog.yamlio import load_yaml
    from gitops_templates.migrations.instances import MAX_INSTANCE_BYTES
    from gitops_templates.migrations.yamledit import rewrite_instance

    content = rewrite_instance(
        instance.raw,
        instance.shown,
        values=outcome.values,
        renames=outcome.renames,
        version=new_pin,
    )
    expected: dict[str, Any] = {**instance.document.data, "version": new_pin}
    if outcome.values or expected.get("values") is not None:
        expected["values"] = outcome.values
    if len(content) > MAX_INSTANCE_BYTES:
        raise InvalidInputError(f"{instance.shown}: the upgraded file would be larger than "
                                f"{MAX_INSTANCE_BYTES >> 20} MiB; left unchanged",
                                hint="a migration sets a very large value")  # fmt: skip
    if load_yaml(content, instance.shown).data != expected:
        raise InvalidInputError(
            f"{instance.shown}: the rewritten file would not read back as "
            "the migrated values; left unchanged",
            hint="please report this with the file",
        )
    return content


def _diffs(
    releases: Releases,
    instance: Instance,
    current: Version | None,
    target: Version,
    values: dict[str, Any],
) -> tuple[str, str]:
    """(values diff, rendered output diff), old against new."""
    from gitops_templates.migrations.diffs import output_diff, values_diff

    before = values_diff(instance.values, values, instance.shown)
    if current is None:
        return before, ""
    return before, output_diff(
        releases.release(instance.template, current).source,
        instance.values,
        releases.release(instance.template, target).source,
        values,
    )
