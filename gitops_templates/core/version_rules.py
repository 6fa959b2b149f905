"""Version rules: tag formats, bump levels per commit, next version. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType
from typing import TYPE_CHECKING

from gitops_templates.core.models import Level

if TYPE_CHECKING:
    from collections.abc import Mapping

    from semver import Version

    from gitops_templates.core.models import CommitMessage

SEMVER = (
    r"(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)"
    r"(?:-(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*)?"
    r"(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?"
)
_ID = r"[a-z0-9][a-z0-9._-]{0,63}"


def release_as_problem(text: str) -> str | None:
    """Why a `Release-As:` version cannot be a tag (None when it can).

    Build metadata (`+build.1`) is refused: tags that differ only in it would be the
    same version, so such a tag would never count as released.
    """
    version = text.removeprefix("v")
    if "+" in version:
        return f"{text!r} has build metadata, which version tags cannot carry"
    if not re.fullmatch(SEMVER, version):
        return f"{text!r} is not a version such as 1.4.0 or 2.0.0-rc.1"
    return None


_PLACEHOLDER = re.compile(r"\{(id|version)\}")
PRERELEASE_TOKEN = re.compile(r"^(?!0[0-9]+$)[0-9A-Za-z-]+$")  # SemVer: no leading zero in a number
DEFAULT_BUMP_TYPES: Mapping[str, Level] = MappingProxyType(
    {"feat": Level.MINOR, "fix": Level.PATCH, "perf": Level.PATCH}
)


class TagFormatError(ValueError):
    """A `tag_format` string is unusable."""


@dataclass(frozen=True, slots=True)
class TagFormat:
    """A tag naming pattern with `{id}` and `{version}`, parsed anchored."""

    pattern: str
    regex: re.Pattern[str] = field(compare=False, repr=False)

    @classmethod
    def compile(cls, pattern: str) -> TagFormat:
        """Validate `pattern` and build its anchored matcher."""
        names = _PLACEHOLDER.findall(pattern)
        if names.count("version") != 1:
            raise TagFormatError(f"tag_format {pattern!r} needs exactly one {{version}}")
        if names.count("id") > 1:
            raise TagFormatError(f"tag_format {pattern!r} has {{id}} more than once")
        literal = _PLACEHOLDER.sub("", pattern)
        if re.search(r"[{}\s~^:?*\[\\]|\.\.|@\{", literal):
            raise TagFormatError(
                f"tag_format {pattern!r} contains characters not allowed in a tag name"
            )
        return cls(pattern, _matcher(pattern, SEMVER))

    @property
    def has_id(self) -> bool:
        """True when the format names the component (`{id}`)."""
        return "{id}" in self.pattern

    def render(self, component_id: str, version: Version | str) -> str:
        """The tag name for one version of one component."""
        return self.pattern.replace("{id}", component_id).replace("{version}", str(version))

    def near_miss(self, tag: str) -> tuple[str | None, str] | None:
        """`(id or None, text)` for a tag of this shape whose version is not semver.

        `web@1.2`, `web@v1.2.3` and `web@01.2.3` start like versions but are not ones.
        """
        match = _loose(self.pattern).match(tag)
        if match is None:
            return None
        return (match.groupdict().get("id"), match["version"])

    def parse(self, tag: str) -> tuple[str | None, str] | None:
        """`(id or None, version text)` when `tag` matches; anchored both ends."""
        match = self.regex.match(tag)
        if match is None:
            return None
        return (match.groupdict().get("id"), match["version"])


@dataclass(frozen=True, slots=True)
class BumpRules:
    """How commits map to levels and levels to versions (config `bump_types` ...)."""

    bump_types: Mapping[str, Level] = field(default_factory=lambda: DEFAULT_BUMP_TYPES)
    zero_breaking: Level = Level.MINOR  # zero_major.breaking: major | minor
    zero_feat: Level = Level.MINOR  # zero_major.feat: minor | patch
    initial: str = "0.1.0"  # config `initial_version`, parsed on use

    @property
    def initial_version(self) -> Version:
        """The version of a component's first release."""
        return parse_version(self.initial)

    def commit_level(self, message: CommitMessage) -> tuple[Level, str]:
        """The level a commit declares, with the rule that decided it."""
        if message.breaking:
            why = "`!` in the header" if message.bang else "BREAKING CHANGE footer"
            return Level.MAJOR, f"breaking change ({why})"
        if message.type is None:
            return Level.NONE, "not a Conventional Commit"
        level = self.bump_types.get(message.type, Level.NONE)
        return level, f"bump_types: {message.type} -> {level.label}"

    def effective_level(self, base: Version | None, level: Level) -> Level:
        """Apply the 0.x rules (`zero_major`) to a declared level."""
        major = base.major if base is not None else self.initial_version.major
        if major != 0:
            return level
        if level is Level.MAJOR:
            return self.zero_breaking
        if level is Level.MINOR:
            return self.zero_feat
        return level

    def line_of(self, version: Version) -> tuple[int, ...]:
        """The compatibility line of a version: its major (in 0.x its minor too).

        In 0.x with `zero_major.breaking: minor`, each minor is its own line.
        """
        if version.major == 0 and self.zero_breaking is not Level.MAJOR:
            return (0, version.minor)
        return (version.major,)


def bump(version: Version, level: Level) -> Version:
    """Release version after `version` for a level (prerelease parts dropped)."""
    if level is Level.MAJOR:
        return version.bump_major()
    if level is Level.MINOR:
        return version.bump_minor()
    if level is Level.PATCH:
        return version.bump_patch()
    return version


@dataclass(frozen=True, slots=True)
class VersionLine:
    """The versions of one component reachable from HEAD."""

    latest_release: Version | None
    latest_prerelease: Version | None  # only one above latest_release

    @classmethod
    def from_versions(cls, versions: list[Version]) -> VersionLine:
        """Pick the latest release and any newer prerelease."""
        releases = [v for v in versions if not v.prerelease]
        latest = max(releases, key=precedence) if releases else None
        floor = precedence(latest) if latest is not None else None
        pres = [v for v in versions if v.prerelease and (floor is None or precedence(v) > floor)]
        return cls(latest, max(pres, key=precedence) if pres else None)

    @property
    def current(self) -> Version | None:
        """The highest version: what consumers see as the newest."""
        return self.latest_prerelease or self.latest_release


@dataclass(frozen=True, slots=True)
class NextVersion:
    """A computed next version and the sentence that explains it."""

    version: Version
    level: Level  # effective level after the 0.x rules
    reason: str


def next_version(
    line: VersionLine,
    level: Level,
    rules: BumpRules,
    *,
    pre_token: str | None = None,
    new_since_prerelease: bool = True,
) -> NextVersion | None:
    """The next version for a component, or None when nothing is releasable.

    `level` is the declared level of the commits since the latest release;
    `new_since_prerelease` says whether releasable commits arrived after the latest
    prerelease (a prerelease counter only moves when something new arrived).
    """
    if level is Level.NONE:
        return None
    base = line.latest_release
    effective = rules.effective_level(base, level)
    if base is None:
        target, why = (
            rules.initial_version,
            f"first release: initial_version {rules.initial_version}",
        )
    else:
        target = bump(base, effective)
        why = f"{level.label} since {base}"
        if effective is not level:
            why += f" (0.x rule: {level.label} -> {effective.label})"
    pre = line.latest_prerelease
    if pre is not None and pre.finalize_version() >= target:
        target = pre.finalize_version()
        if pre_token is None:
            return NextVersion(target, effective, f"finalise {pre} ({why})")
        return next_prerelease(pre, target, pre_token, effective, why, new_since_prerelease)
    if pre_token is None:
        return NextVersion(target, effective, why)
    return NextVersion(
        target.replace(prerelease=f"{pre_token}.1"),
        effective,
        f"{why}; first {pre_token}",
    )


def next_prerelease(
    pre: Version,
    target: Version,
    token: str,
    level: Level,
    why: str,
    new_since_prerelease: bool,
) -> NextVersion | None:
    """The prerelease of `target` after `pre` (the counter moves only for new commits)."""
    current_token, _, number = str(pre.prerelease).rpartition(".")
    if current_token == token and number.isdigit():
        if not new_since_prerelease:
            return None
        nxt = target.replace(prerelease=f"{token}.{int(number) + 1}")
        return NextVersion(nxt, level, f"{why}; next {token} after {pre}")
    candidate = target.replace(prerelease=f"{token}.1")
    if candidate <= pre:
        raise ValueError(
            f"prerelease {candidate} would sort below the existing {pre}; "
            f"use a token that sorts after {current_token!r}"
        )
    return NextVersion(candidate, level, f"{why}; {token} after {pre}")


def precedence(version: Version) -> tuple[int, int, int, int, tuple[tuple[int, int, str], ...]]:
    """A sort key with semver precedence (python-semver compares in Python, slowly).

    A release sorts above its prereleases; prerelease identifiers compare numerically
    when numeric, lexically otherwise, numeric below alphanumeric, shorter below longer.
    """
    pre = version.prerelease
    if not pre:
        return (version.major, version.minor, version.patch, 1, ())
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in str(pre).split("."))
    return (version.major, version.minor, version.patch, 0, parts)


def level_between(old: Version | None, new: Version) -> Level:
    """The bump level that leads from `old` to `new`."""
    if old is None or new.major != old.major:
        return Level.MAJOR if old is not None else Level.MINOR
    if new.minor != old.minor:
        return Level.MINOR
    return Level.PATCH if new.finalize_version() != old.finalize_version() else Level.NONE


@cache
def _loose(pattern: str) -> re.Pattern[str]:
    return _matcher(pattern, r"[vV]?[0-9][0-9A-Za-z.+-]*")


def _matcher(pattern: str, version: str) -> re.Pattern[str]:
    """An anchored regex for a tag format, `version` the regex of its version part."""
    parts = []
    for piece in re.split(r"(\{id\}|\{version\})", pattern):
        if piece == "{id}":
            parts.append(f"(?P<id>{_ID})")
        elif piece == "{version}":
            parts.append(f"(?P<version>{version})")
        else:
            parts.append(re.escape(piece))
    return re.compile("^" + "".join(parts) + "$")


def parse_version(text: str) -> Version:
    """Parse a full semver string (no `v` prefix)."""
    from semver import Version  # imported on use: commit-msg hooks never need it

    return Version.parse(text)
