"""Snapshots: the rendered files of a case, as `render` prints them, in one file.

`templates/<id>/tests/__snapshots__/<test file>/<case>.snap` holds every target under a
`==> path <==` line. A missing snapshot is written (and passes) unless `CI` is set,
where it fails; `--update-snapshots` rewrites what differs; a mismatch fails with a
unified diff. A snapshot that cannot be read or written (a symbolic link out of the
repository, a directory, a FIFO) fails its case, naming why.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path


@dataclass(frozen=True, slots=True)
class SnapshotCheck:
    """What comparing one case with its snapshot found."""

    status: str  # matched | created | updated | missing | differs | refused
    diff: str = ""  # the unified diff, or why it was refused

    @property
    def passed(self) -> bool:
        """Matched, or (re)written on request."""
        return self.status in ("matched", "created", "updated")


def snapshot_text(files: Mapping[str, str]) -> str:
    """The files in `render`'s printed form."""
    parts = []
    for index, (path, text) in enumerate(files.items()):
        parts.append(("\n" if index else "") + f"==> {path} <==\n")
        parts.append(text if text.endswith("\n") else text + "\n")
    return "".join(parts)


def check_snapshot(
    root: Path, path: Path, shown: str, files: Mapping[str, str], *, update: bool, ci: bool
) -> SnapshotCheck:
    """Compare (or write) the snapshot at `path` (inside the repository `root`)."""
    from gitops_templates.errors import InvalidInputError

    try:
        return _check(root, path, shown, snapshot_text(files), update=update, ci=ci)
    except InvalidInputError as err:
        return SnapshotCheck("refused", err.message)
    except OSError as err:
        return SnapshotCheck("refused", f"{shown}: {err.strerror or err}")


def _check(root: Path, path: Path, shown: str, actual: str, *, update: bool,
           ci: bool) -> SnapshotCheck:  # fmt: skip
    from gitops_templates.catalog.files import read_bytes, write_text

    if not path.exists():
        if ci and not update:
            return SnapshotCheck("missing")
        write_text(root, path, actual)
        return SnapshotCheck("created")
    expected = read_bytes(root, path).decode("utf-8", "replace")
    if expected == actual:
        return SnapshotCheck("matched")
    if update:
        write_text(root, path, actual)
        return SnapshotCheck("updated")
    diff = difflib.unified_diff(expected.splitlines(keepends=True),
                                actual.splitlines(keepends=True),
                                f"{shown} (snapshot)", f"{shown} (rendered)")  # fmt: skip
    return SnapshotCheck("differs", "".join(diff))
