"""Writing rendered files below an output directory, and never outside it.

Targets were checked to be relative paths without `..`; here every directory on the way
and the file itself must not be a symbolic link (one planted in the output directory
would carry the write elsewhere), and each file is written to a new temporary file beside
it (created exclusively: a planted name is never followed) and renamed over the target, so
a reader never sees half a file. All targets are checked before the first write: a
refused one leaves the directory as it was; an error of the file system is exit 3.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from gitops_templates.errors import InvalidInputError, Problem

if TYPE_CHECKING:
    from collections.abc import Mapping


def write_outputs(directory: Path, files: Mapping[str, str]) -> list[str]:
    """Write every file below `directory` (created when missing); the paths written."""
    if directory.exists() and not directory.is_dir():
        raise _refused(str(directory), "the output directory is not a directory")
    for target in files:
        _check(directory, target)
    written = []
    for target, text in files.items():
        try:
            _write(directory, target, text)
        except OSError as err:
            raise _refused(target, f"cannot be written: {err.strerror or err}") from None
        written.append(target)
    return written


def _write(directory: Path, target: str, text: str) -> None:
    import os
    import tempfile

    path = directory.joinpath(*target.split("/"))
    path.parent.mkdir(parents=True, exist_ok=True)
    _check(directory, target)  # again: a directory made above may now be in the way
    mode = _mode_of(path)
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:100]}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        Path(name).chmod(mode)
        Path(name).replace(path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def _mode_of(path: Path) -> int:
    """The mode a rewritten file keeps, or a new file gets (0666 less the umask)."""
    import os

    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def _check(directory: Path, target: str) -> None:
    parts = target.split("/")
    current = directory
    for depth, part in enumerate(parts, start=1):
        current = current / part
        if current.is_symlink():
            raise _refused(target, f"{current} is a symbolic link: the write would leave "
                                   f"{directory}")  # fmt: skip
        if depth < len(parts) and current.exists() and not current.is_dir():
            raise _refused(target, f"{current} is a file where a directory is needed")
    if current.exists() and not current.is_file():
        raise _refused(target, f"{current} exists and is not a regular file")


def _refused(target: str, why: str) -> InvalidInputError:
    return InvalidInputError(
        f"cannot write {target}: {why}",
        hint="choose an output directory that holds no links or special files",
        problems=(Problem(why, file=target),),
    )
