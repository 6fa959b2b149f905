"""Frozen values shared by every layer. Pure: no IO, no third-party imports."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum

# Every `--json` document carries this; keys are only ever added, never renamed.
SCHEMA_VERSION = 1

# Template ids: never `@`, `/` or `..`; safe in ref names and paths.
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


def is_valid_id(value: str) -> bool:
    """True when `value` can name a template or component, in any tag format.

    Git refuses ref names with a component ending in `.` or `.lock`, so `a.` or
    `b.lock` could not be released under `{id}/{version}`.
    """
    return (
        bool(ID_PATTERN.match(value)) and ".." not in value and not value.endswith((".", ".lock"))
    )


class Level(IntEnum):
    """A semver bump level; ordered so that `max()` gives the required bump."""

    NONE = 0
    PATCH = 1
    MINOR = 2
    MAJOR = 3

    @property
    def label(self) -> str:
        """Lower-case name as used in config and JSON (`none`, `patch`, ...)."""
        return self.name.lower()

    @property
    def compatibility(self) -> str:
        """Compatibility wording for tag trailers: `breaking|minor|patch|none`."""
        return "breaking" if self is Level.MAJOR else self.label

    @classmethod
    def parse(cls, text: object) -> Level:
        """Read a level from its lower-case name; `breaking` means major (KeyError if not)."""
        key = "major" if text == "breaking" else text
        if not isinstance(key, str) or key.upper() not in cls.__members__:
            raise KeyError(f"{text!r} is not a level (major, minor, patch, none)")
        return cls[key.upper()]


@dataclass(frozen=True, slots=True)
class Footer:
    """One Conventional Commits footer (`token: value` or `token #value`)."""

    token: str
    value: str


@dataclass(frozen=True, slots=True)
class CommitMessage:
    """A commit message parsed by the Conventional Commits 1.0.0 rules."""

    header: str
    type: str | None  # lower-cased; None when the header is not conventional
    scope: str | None
    bang: bool
    subject: str
    body: str
    footers: tuple[Footer, ...]

    @property
    def conventional(self) -> bool:
        """True when the header follows `type(scope)!: subject`."""
        return self.type is not None

    @property
    def breaking_notes(self) -> tuple[str, ...]:
        """Values of `BREAKING CHANGE:` / `BREAKING-CHANGE:` footers."""
        return tuple(f.value for f in self.footers if f.token in BREAKING_TOKENS)

    @property
    def breaking(self) -> bool:
        """`!` in the header or a breaking-change footer."""
        return self.bang or bool(self.breaking_notes)

    def footer_values(self, token: str) -> tuple[str, ...]:
        """Values of the footers named `token` (case-insensitive, like git)."""
        wanted = token.lower()
        return tuple(f.value for f in self.footers if f.token.lower() == wanted)


BREAKING_TOKENS = frozenset({"BREAKING CHANGE", "BREAKING-CHANGE"})


@dataclass(frozen=True, slots=True)
class CommitRecord:
    """One commit as read from `git log` (files relative to the repository root)."""

    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    author_time: int
    commit_time: int
    message: str
    files: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TagRecord:
    """One tag as read from `for-each-ref` (message without the signature block).

    `message` and `signed` are None when the listing skipped message bodies.
    """

    name: str
    object_sha: str
    commit_sha: str | None  # None when the tag does not point at a commit
    annotated: bool
    signed: bool | None
    tagger_time: int | None
    message: str | None


@dataclass(frozen=True, slots=True)
class TreeEntry:
    """One blob, link or submodule below a path in a Git tree."""

    mode: str
    kind: str  # blob | commit
    sha: str
    path: str  # relative to the listed directory


@dataclass(frozen=True, slots=True)
class Component:
    """A versioned unit: a template directory or a declared component path."""

    id: str
    path: str  # repository-relative, no trailing slash
    tag_format: str
    kind: str = "template"  # template | component


@dataclass(frozen=True, slots=True)
class Notice:
    """A non-fatal observation reported next to results (`--json`: `warnings`)."""

    code: str
    message: str
    subject: str | None = None  # template id, tag or commit it is about
