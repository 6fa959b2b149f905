"""Snapshots: the rendered files of a case, as `render` prints them, in one file.

`templates/<id>/tests/__snapshots__/<file>/<case>.snap` holds every target under a
`==> path <==` line. A missing snapshot is written (and passes) unless `CI` is set,
where it fails; `--update-snapshots` rewrites what differs; a mismatch fails with a
unified diff.
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

    status: str  # matched | created | updated | missing | differs
    diff: str = ""

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
    from gitops_templates.catalog.files import read_bytes, write_text

    actual = snapshot_text(files)
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
