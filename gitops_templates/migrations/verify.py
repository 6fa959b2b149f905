"""`validate`'s migration checks: real target versions, and the migration test.

The migration test takes, for each migration, the release just before it: its examples,
its test cases' values and `samples` values generated from its parameters, each valid
there, carried along the work tree's migrations; every one must then be valid under the
work tree's parameters. A failure names the value, the path and the failing step.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from semver import Version

from gitops_templates.core.models import Notice
from gitops_templates.errors import GitOpsTemplatesError, Problem
from gitops_templates.migrations.core.operations import shown
from gitops_templates.migrations.core.paths import Migration, parse_migrations
from gitops_templates.migrations.releases import Releases, where

if TYPE_CHECKING:
    from collections.abc import Sequence

    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.catalog.yamlio import YamlDocument
    from gitops_templates.migrations.releases import Release

SAMPLES = 20  # generated values per earlier release
GENERATION_BUDGET = 10.0  # seconds to generate them
BUDGET = 30.0  # seconds for generating all the values of one template's migration test
_CLEAN = "migration-test-1"  # clean verdicts by what they depend on


def migration_problems(
    ws: Workspace, ids: Sequence[str] = (), *, samples: int = SAMPLES, seed: int = 0
) -> tuple[list[Problem], list[Notice]]:
    """Problems of the work tree's migrations, and what the test could not try.

    Templates whose metadata is invalid are left to validation; values that cannot be
    generated, or a spent time budget, are notices (and the verdict is not remembered).
    """
    releases = Releases(ws)
    problems: list[Problem] = []
    notices: list[Notice] = []
    for tid in _with_migrations(ws, ids):
        loaded = _work_tree(ws, tid)
        migrations = parse_migrations(loaded[0].data.get("migrations") or []) if loaded else ()
        if loaded is None or not migrations:
            continue
        checker = _Checker(ws, releases, tid, *loaded)
        key = _verdict_key(releases, tid, loaded[0], checker.planned_if_needed(migrations),
                           samples, seed)  # fmt: skip
        if key in ws.facts.lookup(_CLEAN, [key], lambda _: {}, valid=lambda v: v is True):
            continue
        found = checker.targets(migrations) + checker.test(migrations, samples, seed)
        if not found and not checker.untried:
            ws.facts.remember(_CLEAN, {key: True})
        problems += found
        notices += [Notice("migration-test-untried", text, tid) for text in checker.untried]
    ws.facts.save()
    return problems, notices


def _verdict_key(
    releases: Releases, tid: str, doc: YamlDocument, planned: Any, samples: int, seed: int
) -> str:
    """What a clean migration test depends on.

    That is the migrations and parameters, the template's tags and yanked versions, the
    next version (when a migration names it), the tool and the sampling.
    """
    import hashlib

    from gitops_templates import __version__

    try:
        tags = [(str(v), releases.commit(tid, v)) for v in releases.versions(tid)]
        yanked = sorted(releases.yanked(tid))
    except GitOpsTemplatesError:
        tags, yanked = [], []
    metadata = {k: doc.data.get(k) for k in ("migrations", "parameters")}
    text = json.dumps(
        [__version__, metadata, tags, yanked, samples, seed], sort_keys=True, default=str
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _with_migrations(ws: Workspace, ids: Sequence[str]) -> list[str]:
    """Templates in the work tree whose template.yaml mentions migrations (not parsed)."""
    from gitops_templates.catalog.files import read_each
    from gitops_templates.core.models import is_valid_id

    base = ws.repo.root / ws.settings.templates_dir
    if not base.is_dir():
        return []
    found = read_each(ws.repo.root, base, "template.yaml")
    return sorted(tid for tid, raw in found.items() if b"migrations" in raw and is_valid_id(tid)
                  and (not ids or tid in ids))  # fmt: skip


def _work_tree(ws: Workspace, tid: str) -> tuple[YamlDocument, dict[str, Any]] | None:
    """template.yaml with its lines and parameters (None: invalid, validation says why)."""
    from gitops_templates.catalog.yamlio import load_yaml
    from gitops_templates.rendering.render import load_source, read_metadata

    try:
        source = load_source(ws, tid, None)
        _, parameters = read_metadata(source)
        raw = source.read("template.yaml") or b""
        return load_yaml(raw, source.shown("template.yaml")), parameters
    except GitOpsTemplatesError:
        return None


class _Checker:
    """The checks of one template's migrations."""

    def __init__(
        self,
        ws: Workspace,
        releases: Releases,
        tid: str,
        doc: YamlDocument,
        parameters: dict[str, Any],
    ) -> None:
        self.ws, self.releases, self.tid = ws, releases, tid
        self.doc, self.parameters = doc, parameters
        self._inputs: dict[Version, list[tuple[str, Any]]] = {}
        self.untried: list[str] = []  # what could not be tested, said as notices
        self.deadline = time.monotonic() + BUDGET
        try:
            self.released = releases.versions(tid)
        except GitOpsTemplatesError:
            self.released = []

    def problem(self, migration: Migration, message: str, hint: str | None = None) -> Problem:
        path = ("migrations", migration.index)
        return Problem(
            message,
            file=self.doc.source,
            pointer=f"migrations[{migration.index}]",
            line=self.doc.line_of(path),
            rule="migration",
            hint=hint,
        )

    def planned_if_needed(self, migrations: tuple[Migration, ...]) -> Version | None:
        """The next version, when a migration names a version not released yet."""
        if all(m.version in self.released for m in migrations):
            return None
        return self.planned()

    def targets(self, migrations: tuple[Migration, ...]) -> list[Problem]:
        """Each migration's version is released, or the template's next version."""
        unknown = [m for m in migrations if m.version not in self.released]
        if not unknown:
            return []
        planned = self.planned()
        return [
            self.problem(
                m,
                f"{m.version} is neither a version of {self.tid} nor its next "
                f"one ({planned or 'nothing planned'})",
                "a migration names the version its change lands in",
            )
            for m in unknown
            if m.version != planned
        ]

    def planned(self) -> Version | None:
        """The version `plan` gives the template now (None: nothing to release)."""
        try:
            states = self.ws.analyze([self.tid]).states
        except GitOpsTemplatesError:
            return None
        found = states[0].next if states else None
        return Version.parse(str(found.version)) if found is not None else None

    def test(self, migrations: tuple[Migration, ...], samples: int, seed: int) -> list[Problem]:
        """Each migration from the release before it to its own version's parameters.

        The parameters of a released version are its own; of the next one, the work
        tree's. So a failure is blamed on the one migration that lets it through.
        """
        from gitops_templates.migrations.core.paths import plan_path

        installable = set(self.releases.installable(self.tid)) if self.released else set()
        problems: list[Problem] = []
        for migration in migrations:
            before = max((v for v in installable if v < migration.version), default=None)
            target = self.parameters_at(migration.version)
            if before is None or target is None:
                continue
            path = plan_path(self.tid, migrations, before, migration.version)
            for label, values in self.inputs(before, samples, seed):
                failure = self.carry(values, path, target)
                if failure:
                    problems.append(
                        self.problem(
                            migration,
                            f"{label} of {before} {shown(values, 120)}: {failure}",
                            "add or fix the operations that carry such values over",
                        )
                    )
                    break
        return problems

    def parameters_at(self, version: Version) -> dict[str, Any] | None:
        """The parameters a migration to `version` must reach (None: unknown)."""
        if version not in self.released:
            return self.parameters
        try:
            return self.releases.release(self.tid, version).parameters
        except GitOpsTemplatesError:
            return None

    def inputs(self, version: Version, samples: int, seed: int) -> list[tuple[str, Any]]:
        """Values valid at `version`: examples, test cases, then generated ones."""
        if version not in self._inputs:
            self._inputs[version] = self._inputs_at(version, samples, seed)
        return self._inputs[version]

    def _inputs_at(self, version: Version, samples: int, seed: int) -> list[tuple[str, Any]]:
        from gitops_templates.rendering.core.values import with_defaults
        from gitops_templates.rendering.values import value_problems

        try:
            release = self.releases.release(self.tid, version)
        except GitOpsTemplatesError:
            return []
        found = [
            (label, values)
            for label, values in _declared(release)
            if isinstance(values, dict)
            and not value_problems(release.parameters, with_defaults(release.parameters, values))
        ]
        left = self.deadline - time.monotonic()
        if samples and left < 1:
            self.untried.append(f"no values generated from {version}: the migration test "
                                f"spent its {BUDGET:.0f} s")  # fmt: skip
        elif samples:
            from gitops_templates.testing.simulate import generate_values

            generated, why = generate_values(release.parameters, samples, seed,
                                             min(GENERATION_BUDGET, left))  # fmt: skip
            found += [(f"generated value {i}", v) for i, v in enumerate(generated)]
            if why:
                self.untried.append(f"no values generated from {version}'s parameters: {why}")
        return found

    def carry(self, values: dict[str, Any], path: Any, parameters: dict[str, Any]) -> str:
        """Why `values` do not arrive valid along `path` (empty when they do)."""
        from gitops_templates.migrations.core.paths import StepError, migrate
        from gitops_templates.rendering.core.values import with_defaults
        from gitops_templates.rendering.values import value_problems

        try:
            outcome = migrate(values, path)
        except StepError as err:
            return str(err)
        found = value_problems(parameters, with_defaults(parameters, outcome.values))
        if not found:
            return ""
        steps = " -> ".join(step.version for step in path.steps) or "no migration"
        return (
            f"after {steps} it is {shown(outcome.values, 120)}, which {path.target} rejects: "
            f"{where(found[0].pointer)}: {found[0].message}"
        )


def _declared(release: Release) -> list[tuple[str, Any]]:
    """Examples and test-case values of a release."""
    from gitops_templates.testing.run import examples_of
    from gitops_templates.testing.suites import load_cases

    found = [
        (f"example {name}", values)
        for name, values in examples_of(release.source, release.metadata)
    ]
    cases, _ = load_cases(release.source)
    return found + [(f"case {case.suite}: {case.name}", case.values) for case in cases]
