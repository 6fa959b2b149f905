"""The path between two versions: which migrations run, up, or inverted down. Pure.

Going up from A to B runs every migration with A < version <= B in version order (the
Copier rule), read from B's template.yaml. Going down runs the inverses of those with
B < version <= A, newest first, read from A's. A yanked version is never a stop, but a
migration declared for it still runs: the later version that declares it carries its
change (a rollback's release restores the older template.yaml, without it). An operation
that cannot be inverted makes its step lossy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from semver import Version

from gitops_templates.core.jsonform import JsonDocument
from gitops_templates.migrations.core.operations import (
    Operation,
    OperationError,
    Outcome,
    apply_operations,
)
from gitops_templates.migrations.core.schemas import NO_DEFAULT, declared_default, excludes

# The parameters schema of the version a down step leads to (None: unknown).
SchemaBefore = Callable[[Version], dict[str, Any] | None]


@dataclass(frozen=True, slots=True)
class Migration:
    """One entry of a template's `migrations:` list."""

    version: Version
    description: str
    operations: tuple[Operation, ...]
    index: int  # its place in the list: /migrations/<index>


@dataclass(frozen=True, slots=True)
class Step:
    """One migration on a path, as it runs (`operations` already inverted going down)."""

    json_fields: ClassVar[tuple[str, ...]] = (
        "version",
        "description",
        "direction",
        "operations=ops",
        "lossy",
        "lost",
    )

    version: str
    description: str
    direction: str  # "up" | "down"
    operations: tuple[Operation, ...]
    lost: tuple[str, ...] = ()  # operations a down step cannot undo

    @property
    def lossy(self) -> bool:
        """Whether going down through this step loses what the consumer had."""
        return bool(self.lost)

    @property
    def ops(self) -> tuple[dict[str, Any], ...]:
        """The operations in their template.yaml form, each with a `text` for people."""
        return tuple({**op.to_json(), "text": op.describe()} for op in self.operations)


@dataclass(frozen=True, slots=True)
class MigrationPath(JsonDocument):
    """The steps from `source` to `target`, and what was skipped."""

    json_fields: ClassVar[tuple[str, ...]] = (
        "schema_version",
        "template",
        "from=source",
        "to=target",
        "direction",
        "lossy",
        "steps",
        "notes",
    )

    template: str
    source: str
    target: str
    steps: tuple[Step, ...]
    notes: tuple[str, ...] = ()

    @property
    def direction(self) -> str:
        """One of up, down or none."""
        order = Version.parse(self.target).compare(self.source)
        return "up" if order > 0 else "down" if order < 0 else "none"

    @property
    def lossy(self) -> bool:
        """Whether any step loses values."""
        return any(step.lossy for step in self.steps)


def parse_migrations(entries: list[Any]) -> tuple[Migration, ...]:
    """The schema-checked `migrations:` list (an unparsable version is left to validate)."""
    found = []
    for index, entry in enumerate(entries):
        try:
            version = Version.parse(str(entry["version"]).removeprefix("v"))
        except (ValueError, TypeError, KeyError):
            continue
        operations = tuple(Operation.from_json(op) for op in entry.get("ops") or ())
        found.append(Migration(version, str(entry.get("description") or ""), operations, index))
    return tuple(found)


def plan_path(
    template: str,
    migrations: tuple[Migration, ...],
    source: Version,
    target: Version,
    *,
    yanked: frozenset[str] = frozenset(),
    schema_before: SchemaBefore = lambda version: None,
) -> MigrationPath:
    """The path from `source` to `target` through `migrations` (the higher version's)."""
    low, high = sorted((source, target))
    kept = sorted((m for m in migrations if low < m.version <= high), key=lambda m: m.version)
    notes = tuple(
        f"{m.version} is yanked: no stop on the path, but its migration runs (the change "
        f"is still declared by {high})"
        for m in kept
        if str(m.version) in yanked
    )
    if target >= source:
        steps = tuple(Step(str(m.version), m.description, "up", m.operations) for m in kept)
    else:
        steps = tuple(_down(m, schema_before(m.version)) for m in reversed(kept))
    return MigrationPath(template, str(source), str(target), steps, notes)


def _down(migration: Migration, before: dict[str, Any] | None) -> Step:
    """The inverse of one migration, its operations undone last to first."""
    operations: list[Operation] = []
    lost: list[str] = []
    for operation in reversed(migration.operations):
        inverse = invert(operation, before)
        if inverse is None:
            lost.append(operation.describe())
        else:
            operations.extend(inverse)
    return Step(
        str(migration.version), migration.description, "down", tuple(operations), tuple(lost)
    )


def invert(operation: Operation, before: dict[str, Any] | None) -> tuple[Operation, ...] | None:
    """The operations that undo `operation` (None: it cannot be undone exactly).

    `before` is the parameters schema of the version going back to. A value it does not
    know is removed; a default it has too stays (it means the same there); a guarded
    `replace` maps back only when `before` could not hold the new value (an enum or
    const rules it out), else values that were already that would change too.
    """
    op, path, source = operation.op, operation.path, operation.source
    if path.endswith("/-") or (source or "").endswith("/-"):
        return None  # "the end of a list" is no place to undo from
    if op in ("rename", "move") and source is not None:
        guard = {"if_equals": operation.if_equals} if operation.guarded else {}
        prune = _parent(source) != _parent(path)
        return (Operation("rename", source, path, prune=prune, **guard),)
    if op == "copy":
        return (Operation("remove", path, if_present=True),)
    if op == "test":
        return ()
    if op == "replace" and operation.guarded and excludes(before, path, operation.value):
        return (Operation("replace", path, value=operation.if_equals,
                          if_equals=operation.value),)  # fmt: skip
    if op in ("set_default", "add"):
        declared, default = declared_default(before, path)
        if not declared:
            return (Operation("remove", path, if_present=True),)
        if op == "set_default" and (default is NO_DEFAULT or _same(default, operation.value)):
            return ()  # an absent value meant this default there too
    return None


def _parent(pointer: str) -> str:
    return pointer.rsplit("/", 1)[0]


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and bool(a == b)


class StepError(Exception):
    """A step whose operations cannot apply to the values (the message names it)."""


def migrate(values: Any, path: MigrationPath) -> Outcome:
    """`values` carried along every step of `path` (the input is not changed)."""
    renames: list[tuple[str, str]] = []
    dropped: list[tuple[str, Any]] = []
    for step in path.steps:
        try:
            outcome = apply_operations(values, step.operations)
        except OperationError as err:
            what = f"{step.version}" + (f" ({step.description})" if step.description else "")
            raise StepError(f"the {step.direction} migration {what}: {err}") from err
        values = outcome.values
        renames.extend(outcome.renames)
        dropped.extend(outcome.dropped)
    return Outcome(values, tuple(renames), tuple(dropped))
