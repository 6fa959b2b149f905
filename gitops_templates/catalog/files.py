"""Every read and write of catalog files, guarded.

Catalog files come from whoever can push, so a path is followed only while it stays
inside the repository once symlinks are resolved, only regular files are read (a FIFO
or `/dev/zero` would block or never end), reads are capped in size, and writes never go
through a symlink (they would land wherever it points). Each refusal is exit 3 naming
the path; nothing is read or written past it. Released content is read from Git
objects instead, where a symlink is just a blob.
"""

from __future__ import annotations

import os
import stat
from typing import TYPE_CHECKING

from gitops_templates.errors import InvalidInputError, Problem

if TYPE_CHECKING:
    from pathlib import Path

MAX_FILE_BYTES = 8 * 1024 * 1024


def inside(root: Path, path: Path) -> Path:
    """`path` with symlinks resolved, refused when that leaves `root`."""
    top, real = _real(root), _real(path)
    if real != top and not real.startswith(top.rstrip("/") + "/"):
        raise _refused(root, path, f"leads outside {root.name}/ (through a symlink)")
    return type(path)(real)


def real_path(path: Path) -> Path:
    """`path.resolve()`, for an existing path in a few system calls where Linux allows."""
    return type(path)(_real(path))


def _real(path: Path) -> str:
    """`str(path.resolve())`: from the kernel when it can say, else from `resolve`.

    `resolve` is pure Python (an `lstat` per path component, ~30 us a file); the kernel
    knows where an opened path leads (`/proc/self/fd`). Opening with `O_PATH` reads
    nothing and never blocks (a FIFO); anything else (no such file, a symlink loop,
    no `/proc`, not Linux) is left to `resolve`, with its results and errors.
    """
    flag = getattr(os, "O_PATH", 0)
    if flag:
        try:
            handle = os.open(path, flag | os.O_CLOEXEC)
        except OSError:
            return str(path.resolve())
        try:  # a str, not a Path: building Paths costs as much as the system calls
            found = os.readlink(f"/proc/self/fd/{handle}")  # noqa: PTH115
        except OSError:
            found = ""
        finally:
            os.close(handle)
        if found.startswith("/"):
            return found
    return str(path.resolve())


def link_or_blob(root: Path, path: Path) -> bytes | None:
    """What Git stores for `path`: a symlink's target, a regular file's bytes, else None."""
    if path.is_symlink():
        return str(path.readlink()).encode()
    try:  # what `is_regular` checks, then the read, with one resolution
        real = inside(root, path)
        info = real.stat()
    except (InvalidInputError, OSError):
        return None
    return _read(root, path, real, info, MAX_FILE_BYTES) if stat.S_ISREG(info.st_mode) else None


def walk(directory: Path) -> list[Path]:
    """Files and symlinks below `directory`, sorted; symlinked directories are not entered."""
    from pathlib import Path

    found: list[Path] = []
    for top, dirs, names in os.walk(directory, followlinks=False):
        base = Path(top)
        found += [base / d for d in dirs if (base / d).is_symlink()]
        found += [base / n for n in names]
    return sorted(found)


def walk_names(directory: Path) -> tuple[list[str], list[str]]:
    """(regular files, other non-directories) below `directory`, relative, in `walk`'s order.

    Found by `scandir` without following a symbolic link; a symlinked directory is among
    the others, never entered. So each regular file is inside `directory` (barring a race,
    which `read_found` checks again).
    """
    import os

    regular: list[tuple[list[str], str]] = []
    other: list[tuple[list[str], str]] = []
    pending = [("", str(directory))]
    while pending:
        prefix, top = pending.pop()
        with os.scandir(top) as entries:
            for entry in entries:
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    pending.append((rel + "/", entry.path))
                else:
                    kind = regular if entry.is_file(follow_symlinks=False) else other
                    kind.append((rel.split("/"), rel))
    return [rel for _, rel in sorted(regular)], [rel for _, rel in sorted(other)]


def read_found(directory: Path, rel: str) -> bytes:
    """`read_bytes(directory, directory / rel)` for a regular file `walk_names` found.

    One open that follows no symbolic link; anything unexpected (it changed meanwhile,
    it is too large) goes through `read_bytes`, which refuses it with its own words.
    """
    import os

    try:
        handle = os.open(f"{directory}/{rel}", os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        handle = -1
    if handle >= 0:
        with os.fdopen(handle, "rb") as stream:
            info = os.fstat(stream.fileno())
            if stat.S_ISREG(info.st_mode) and info.st_size <= MAX_FILE_BYTES:
                data = stream.read(MAX_FILE_BYTES + 1)
                if len(data) <= MAX_FILE_BYTES:
                    return data
    return read_bytes(directory, directory / rel)


def is_regular(root: Path, path: Path) -> bool:
    """A regular file inside the repository (symlinks resolved); False for anything else."""
    try:
        real = inside(root, path)
        return stat.S_ISREG(real.stat().st_mode)
    except (InvalidInputError, OSError):
        return False


def read_each(root: Path, directory: Path, name: str) -> dict[str, bytes]:
    """`name` in each subdirectory of `directory`, by subdirectory (in one guarded pass).

    `directory` must stay inside `root` (checked once); subdirectories and files that are
    symbolic links, and files that are not regular or are too large, are left out.
    """
    base = inside(root, directory)
    found: dict[str, bytes] = {}
    with os.scandir(base) as entries:
        for entry in entries:
            if not entry.is_dir(follow_symlinks=False):
                continue
            try:
                flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK  # a FIFO must not block
                handle = os.open(f"{entry.path}/{name}", flags)
            except OSError:
                continue
            with os.fdopen(handle, "rb") as stream:
                info = os.fstat(stream.fileno())
                if stat.S_ISREG(info.st_mode) and info.st_size <= MAX_FILE_BYTES:
                    found[entry.name] = stream.read(MAX_FILE_BYTES + 1)
    return found


def read_bytes(root: Path | None, path: Path, *, limit: int = MAX_FILE_BYTES) -> bytes:
    """The content of a regular file inside `root` (any place: None), at most `limit` bytes."""
    real = inside(root, path) if root is not None else real_path(path)
    try:
        info = real.stat()
    except OSError as err:
        raise _refused(root, path, f"cannot be read ({err.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise _refused(root, path, "is not a regular file")
    return _read(root, path, real, info, limit)


def _read(root: Path | None, path: Path, real: Path, info: os.stat_result, limit: int) -> bytes:
    """The bytes of a regular file `path` (at `real`, as `info` says), at most `limit`."""
    if info.st_size > limit:
        raise _refused(root, path, f"is larger than {limit} bytes")
    with real.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise _refused(root, path, f"is larger than {limit} bytes")
    return data


def write_text(root: Path, path: Path, text: str) -> None:
    """Write a file inside the repository, never through a symlink (file or directory)."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        raise _refused(root, path, "is outside the repository") from None
    current = root
    for part in parts:
        current = current / part
        if current.is_symlink():
            raise _refused(root, path, "would be written through a symlink")
    path.parent.mkdir(parents=True, exist_ok=True)
    inside(root, path.parent)
    path.write_text(text, "utf-8")


def _refused(root: Path | None, path: Path, why: str) -> InvalidInputError:
    try:
        shown = path.relative_to(root).as_posix() if root is not None else str(path)
    except ValueError:
        shown = str(path)
    return InvalidInputError(
        f"{shown} {why}",
        hint="catalog files must be regular files inside the repository",
        problems=(Problem(why, file=shown),),
    )
