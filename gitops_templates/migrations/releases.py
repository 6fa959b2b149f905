"""What a catalog offers a consumer: versions, yanked ones, a version's metadata and files.

Each version is read from Git once per process.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from semver import Version

from gitops_templates.errors import InvalidInputError, NotFoundError
from gitops_templates.migrations.core.paths import Migration, MigrationPath, parse_migrations

if TYPE_CHECKING:
    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.migrations.core.pins import Pin
    from gitops_templates.rendering.source import TemplateSource


@dataclass(frozen=True, slots=True)
class Release:
    """One version of a template as a consumer sees it."""

    metadata: dict[str, Any]
    parameters: dict[str, Any]
    migrations: tuple[Migration, ...]
    source: TemplateSource


def where(pointer: str | None) -> str:
    """A problem's place in the values, as people read it (`values` for the whole)."""
    return "values" if pointer in (None, "", "(document)") else f"values.{pointer}"


def parse_version(text: str) -> Version:
    """`1.2.0` or `v1.2.0`; `InvalidInputError` otherwise."""
    try:
        return Version.parse(text.strip().removeprefix("v"))
    except (ValueError, TypeError):
        raise InvalidInputError(
            f"{text!r} is not a version", hint="write MAJOR.MINOR.PATCH, such as 2.0.0"
        ) from None


class Releases:
    """The versions of the catalog's templates (tags at the moment it is opened)."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self._loaded: dict[tuple[str, Version], Release] = {}

    @cached_property
    def _by_template(self) -> dict[str, dict[Version, str]]:
        """Id -> version -> commit, from the tag listing alone (no history walk)."""
        from gitops_templates.core.tags import read_versions

        found = read_versions(self.ws.components, self.ws.tags, set()).by_component
        return {
            cid: {tag.version: tag.tag.commit_sha for tag in tags if tag.tag.commit_sha}
            for cid, tags in found.items()
        }

    @cached_property
    def _yanked(self) -> dict[str, frozenset[str]]:
        from gitops_templates.catalog.yanked import read_yanked, versions_of

        yanked = read_yanked(self.ws)
        return {cid: frozenset(versions_of(yanked, cid)) for cid in yanked}

    def versions(self, tid: str) -> list[Version]:
        """Every released version of `tid`, lowest first; `NotFoundError` for no template."""
        if tid not in self._by_template:
            raise NotFoundError(
                f"the catalog has no template {tid!r}",
                hint="check the instance's `template:` (or --catalog)",
            )
        return sorted(self._by_template[tid])

    def commit(self, tid: str, version: Version) -> str:
        """The commit a version's tag points at."""
        self.versions(tid)
        commit = self._by_template[tid].get(version)
        if commit is None:
            raise NotFoundError(
                f"{tid} has no version {version}",
                hint=f"list them with `gitops-templates history {tid}`",
            )
        return commit

    def yanked(self, tid: str) -> frozenset[str]:
        """The yanked versions of `tid`."""
        return self._yanked.get(tid, frozenset())

    def installable(self, tid: str) -> list[Version]:
        """Versions a consumer may move to: released and not yanked, lowest first."""
        yanked = self.yanked(tid)
        return [v for v in self.versions(tid) if str(v) not in yanked]

    def latest(self, tid: str) -> Version | None:
        """The highest installable version that is not a prerelease."""
        return max((v for v in self.installable(tid) if not v.prerelease), default=None)

    def resolve(self, tid: str, pin: Pin) -> Version | None:
        """What `pin` gives today: its best installable version, else its best yanked one."""
        return pin.best(self.installable(tid)) or pin.best(self.versions(tid))

    def target(self, tid: str, pin: Pin, to: str | None) -> Version:
        """Where an upgrade goes: `to` (a version or `latest`), else the pin's best.

        Yanked versions are never chosen; `NotFoundError` when nothing fits.
        """
        if to is None:
            found = pin.best(self.installable(tid))
            if found is None:
                raise NotFoundError(
                    f"no installable version of {tid} matches {pin.text!r}",
                    hint="pass --to VERSION or --to latest",
                )
            return found
        if to == "latest":
            latest = self.latest(tid)
            if latest is None:
                raise NotFoundError(
                    f"{tid} has no installable version", hint="release one, or unyank a version"
                )
            return latest
        version = parse_version(to.removeprefix(f"{tid}@"))  # `alerts@2.0.0` as render reads it
        if version not in self.versions(tid):
            raise NotFoundError(
                f"{tid} has no version {version}",
                hint=f"list them with `gitops-templates history {tid}`",
            )
        if str(version) in self.yanked(tid):
            raise InvalidInputError(
                f"{tid} {version} is yanked; an upgrade never goes there",
                hint="pick another version, or --to latest",
            )
        return version

    def release(self, tid: str, version: Version) -> Release:
        """Metadata, parameters, migrations and files of one version (validated)."""
        key = (tid, version)
        if key not in self._loaded:
            self._loaded[key] = self._load(tid, version)
        return self._loaded[key]

    def _load(self, tid: str, version: Version) -> Release:
        from gitops_templates.rendering.render import load_source, read_metadata

        self.commit(tid, version)
        source = load_source(self.ws, tid, str(version))
        metadata, parameters = read_metadata(source)
        return Release(
            metadata, parameters, parse_migrations(metadata.get("migrations") or []), source
        )

    def schema_before(self, tid: str, version: Version) -> dict[str, Any] | None:
        """Parameters of the highest version below `version` (where a down step lands)."""
        below = [v for v in self.versions(tid) if v < version]
        if not below:
            return None
        try:
            return self.release(tid, max(below)).parameters
        except InvalidInputError:
            return None

    def path(self, tid: str, source: Version, target: Version) -> MigrationPath:
        """The migration path from `source` to `target`.

        Read from the lowest release at or above both (a pin's base need not be one).
        """
        from gitops_templates.migrations.core.paths import plan_path

        owner = min((v for v in self.versions(tid) if v >= max(source, target)), default=None)
        if owner is None:
            raise NotFoundError(
                f"{tid} has no release at or above {max(source, target)}",
                hint=f"list them with `gitops-templates history {tid}`",
            )
        higher = self.release(tid, owner)
        return plan_path(
            tid,
            higher.migrations,
            source,
            target,
            yanked=self.yanked(tid),
            schema_before=lambda v: self.schema_before(tid, v),
        )
