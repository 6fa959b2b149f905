"""One mutating command at a time per clone: `.git/gitops-templates.lock`.

The lock file holds the pid, host and start time of its owner. A lock whose process is
gone (same host) is reported as stale with the command to remove it; it is never
removed silently, because the repository may need a look first.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gitops_templates.errors import LockedError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@contextlib.contextmanager
def repository_lock(state_dir: Path, command: str, *, enabled: bool = True) -> Iterator[None]:
    """Hold `<git common dir>/gitops-templates.lock` for the duration of a command."""
    if not enabled:
        yield
        return
    import socket

    path = lock_path(state_dir)
    owner = {"pid": os.getpid(), "host": socket.gethostname(), "time": int(time.time()),
             "command": command}  # fmt: skip
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        raise _locked(path) from None
    with os.fdopen(fd, "w") as handle:
        json.dump(owner, handle)
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


BACKUP = "refs/gitops-templates/backup/"
UNREADABLE_GRACE = 5.0  # seconds a just-created lock may take to get its owner written


def lock_path(state_dir: Path) -> Path:
    """`<git common dir>/gitops-templates.lock`."""
    return state_dir.parent / "gitops-templates.lock"


@dataclass(frozen=True, slots=True)
class LockOwner:
    """Who holds the lock, as its file says; `running` unless provably gone."""

    path: Path
    command: str
    since: int
    running: bool


def read_lock(state_dir: Path) -> LockOwner | None:
    """The lock's owner, or None when nobody holds it.

    An owner is gone when its pid no longer exists on this host, or when the file is
    unreadable and older than a few seconds (a command killed while writing it).
    """
    import socket

    path = lock_path(state_dir)
    try:
        raw, mtime = path.read_text(), path.stat().st_mtime
    except FileNotFoundError:
        return None
    try:
        info = json.loads(raw)
        pid, host, since = int(info["pid"]), str(info["host"]), int(info["time"])
        command = str(info.get("command", "a command"))
    except (ValueError, KeyError, TypeError):
        fresh = time.time() - mtime < UNREADABLE_GRACE
        return LockOwner(path, "an unknown command", int(mtime), running=fresh)
    gone = host == socket.gethostname() and not _alive(pid)
    return LockOwner(path, command, since, running=not gone)


def ensure_unlocked(state_dir: Path) -> None:
    """Raise the lock's error now when it is held (before checks it would confuse)."""
    if read_lock(state_dir) is not None:
        raise _locked(lock_path(state_dir))


def _locked(path: Path) -> LockedError:
    import socket

    try:
        info = json.loads(path.read_text())
        pid, host = int(info["pid"]), str(info["host"])
        since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(int(info["time"])))
        who = f"{info.get('command', 'a command')} (pid {pid} on {host}, since {since})"
    except (OSError, ValueError, KeyError, TypeError):
        return LockedError(
            f"{path} exists and is unreadable",
            hint=f"if no gitops-templates command is running, remove it: rm {path}",
        )
    if host == socket.gethostname() and not _alive(pid):
        backups = sorted((path.parent / "refs" / "gitops-templates" / "backup").glob("*"))
        undo = (f"; a backup of HEAD before it is {BACKUP}{backups[-1].name}: `git reset --keep "
                f"{BACKUP}{backups[-1].name}` undoes what it did" if backups else "")  # fmt: skip
        return LockedError(
            f"stale lock {path}: {who} is no longer running{undo}",
            hint="`gitops-templates recover` finishes or undoes what it did and frees the lock",
        )
    return LockedError(
        f"another gitops-templates command holds the lock: {who}",
        hint="wait for it to finish",
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
