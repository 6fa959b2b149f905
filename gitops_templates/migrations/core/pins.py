"""Version pins of instance files: `1.4.2`, `^1.4`, `~1.4`. Pure.

`^` allows what keeps the left-most non-zero part (`^1.4` is >=1.4.0 <2.0.0, `^0.3` is
>=0.3.0 <0.4.0); `~` allows patches (`~1.4` is >=1.4.0 <1.5.0; `~1` is <2.0.0). A range
matches a prerelease only when its base is a prerelease of the same release.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from semver import Version

if TYPE_CHECKING:
    from collections.abc import Iterable

_PIN = re.compile(
    r"(?P<op>[\^~]?)v?(?P<major>0|[1-9]\d{0,8})(?:\.(?P<minor>0|[1-9]\d{0,8})"
    r"(?:\.(?P<patch>0|[1-9]\d{0,8})(?P<rest>[-+][0-9A-Za-z.+-]{1,128})?)?)?"
)


@dataclass(frozen=True, slots=True)
class Pin:
    """A parsed pin: its operator, base version and how many parts were written."""

    text: str
    operator: str  # "" (exact), "^" or "~"
    base: Version
    precision: int  # 1, 2 or 3 parts written

    @classmethod
    def parse(cls, text: str) -> Pin:
        """`ValueError` when `text` is not a version, `^VERSION` or `~VERSION`."""
        match = _PIN.fullmatch(text.strip())
        if match is None:
            raise ValueError(f"{text!r} is not a version pin (write 1.4.2, ^1.4 or ~1.4)")
        parts = [match["major"], match["minor"], match["patch"]]
        precision = sum(part is not None for part in parts)
        if match["op"] == "" and precision < 3:
            raise ValueError(f"{text!r}: an exact pin needs three parts (or write ^{text})")
        rest = match["rest"] or ""
        base = Version.parse(".".join(p or "0" for p in parts) + rest)
        return cls(text, match["op"], base, precision)

    def allows(self, version: Version) -> bool:
        """Whether `version` satisfies the pin."""
        if self.operator == "":
            return version == self.base
        if version < self.base:
            return False
        if version.prerelease and (
            version.finalize_version() != self.base.finalize_version() or not self.base.prerelease
        ):
            return False
        return version < self._ceiling()

    def _ceiling(self) -> Version:
        base = self.base
        if self.operator == "~":
            return base.bump_major() if self.precision == 1 else base.bump_minor()
        if base.major > 0 or self.precision == 1:
            return base.bump_major()
        if base.minor > 0 or self.precision == 2:
            return base.bump_minor()
        return base.bump_patch()

    def best(self, versions: Iterable[Version]) -> Version | None:
        """The highest of `versions` the pin allows."""
        return max((v for v in versions if self.allows(v)), default=None)

    def moved_to(self, version: Version) -> str:
        """The pin for `version`, written as this one was: `^1.4` -> `^3.0`, `v1.2.0` -> `v2.0.0`.

        A range never carries build metadata (it plays no part in matching).
        """
        prefix = self.operator + ("v" if self.text.strip()[len(self.operator) :][:1] == "v" else "")
        if self.operator == "":
            return f"{prefix}{version}"
        if version.prerelease:
            return f"{prefix}{version.replace(build=None)}"
        parts = (version.major, version.minor, version.patch)[: self.precision]
        return prefix + ".".join(str(part) for part in parts)
