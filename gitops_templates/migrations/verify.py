"""`validate`'s migration checks: real target versions, and the migration test.

The migration test takes, for each migration, the release just before it: its examples,
its test cases' values and `samples` values generated from its parameters, each valid
there, carried along the work tree's migrations; every one must then be valid under the
work tree's parameters. A failure names the value, the path and the failing step.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from semver import Version

from gitops_templates.errors import GitOpsTemplatesError, Problem
from gitops_templates.migrations.core.paths import Migration, parse_migrations
from gitops_templates.migrations.releases import Releases

if TYPE_CHECKING:
    from collections.abc import Sequence

    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.catalog.yamlio import YamlDocument
    from gitops_templates.migrations.releases import Release

SAMPLES = 20  # generated values per earlier release
_CLEAN = "migration-test-1"  # clean verdicts by what they depend on


def migration_problems(
    ws: Workspace, ids: Sequence[str] = (), *, samples: int = SAMPLES, seed: int = 0
) -> list[Problem]:
    """Problems of the work tree's migrations (templates whose metadata is valid)."""
    from gitops_templates.testing.run import work_tree_templates

    releases = Releases(ws)
    problems: list[Problem] = []
    for tid in work_tree_templates(ws):
        if ids and tid not in ids:
            continue
        loaded = _work_tree(ws, tid)
        if loaded is None:
            continue
        doc, parameters = loaded
        migrations = parse_migrations(doc.data.get("migrations") or [])
        if not migrations:
            continue
        key = _verdict_key(releases, tid, doc, samples, seed)
        if key in ws.facts.lookup(_CLEAN, [key], lambda _: {}, valid=lambda v: v is True):
            continue
        checker = _Checker(ws, releases, tid, doc, parameters)
        found = checker.targets(migrations) + checker.test(migrations, samples, seed)
        if not found and not checker.unreleased(migrations):  # the next version may move
            ws.facts.remember(_CLEAN, {key: True})
        problems += found
    ws.facts.save()
    return problems


def _verdict_key(releases: Releases, tid: str, doc: YamlDocument, samples: int, seed: int) -> str:
    """What a clean migration test depends on.

    That is the migrations and parameters, the template's tags and yanked versions, the
    tool and the sampling.
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


def _work_tree(ws: Workspace, tid: str) -> tuple[YamlDocument, dict[str, Any]] | None:
    """template.yaml with its lines and parameters, when it is valid (else validate says)."""
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

    def unreleased(self, migrations: tuple[Migration, ...]) -> bool:
        """Whether a migration names a version not released yet."""
        return any(m.version not in self.released for m in migrations)

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
        yanked = self.releases.yanked(self.tid) if self.released else frozenset()
        problems: list[Problem] = []
        for migration in migrations:
            before = max((v for v in installable if v < migration.version), default=None)
            target = self.parameters_at(migration.version)
            if before is None or target is None or str(migration.version) in yanked:
                continue
            path = plan_path(self.tid, migrations, before, migration.version)
            for label, values in self.inputs(before, samples, seed):
                failure = self.carry(values, path, target)
                if failure:
                    problems.append(
                        self.problem(
                            migration,
                            f"{label} of {before} {_short(values)}: {failure}",
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
        if samples:
            from gitops_templates.testing.simulate import generate_values

            generated, _ = generate_values(release.parameters, samples, seed)
            found += [(f"generated value {i}", v) for i, v in enumerate(generated)]
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
            f"after {steps} it is {_short(outcome.values)}, which {path.target} rejects: "
            f"{found[0].pointer or 'values'}: {found[0].message}"
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


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= 120 else text[:117] + "..."
