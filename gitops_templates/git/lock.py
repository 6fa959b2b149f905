"""One mutating command at a time per clone: `.git/gitops-templates.lock`.

The lock file holds the pid, host and start time of its owner, the command, and what
the command is about to change (`branch`). A lock whose process is gone (same host) is
reported as stale and `gitops-templates recover` settles it; it is never removed
silently, because the repository may need a look first.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gitops_templates.errors import LockedError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

UNREADABLE_GRACE = 5.0  # seconds a just-created lock may take to get its owner written
RECOVER_HINT = "`gitops-templates recover` finishes or undoes what it did and frees the lock"


@contextlib.contextmanager
def repository_lock(
    state_dir: Path, command: str, *, enabled: bool = True, branch: str | None = None
) -> Iterator[None]:
    """Hold `<git common dir>/gitops-templates.lock` for the duration of a command."""
    if not enabled:
        yield
        return
    import socket

    path = lock_path(state_dir)
    owner = {"pid": os.getpid(), "host": socket.gethostname(), "time": int(time.time()),
             "command": command, "branch": branch}  # fmt: skip
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        raise _locked(state_dir) from None
    with os.fdopen(fd, "w") as handle:
        json.dump(owner, handle)
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def lock_path(state_dir: Path) -> Path:
    """`<git common dir>/gitops-templates.lock`."""
    return state_dir.parent / "gitops-templates.lock"


@dataclass(frozen=True, slots=True)
class LockOwner:
    """Who holds the lock, as its file says; `running` unless provably gone.

    `branch` is the ref the command was changing (`HEAD` when detached), None when the
    lock does not say.
    """

    path: Path
    command: str
    who: str
    since: int
    running: bool
    elsewhere: bool = False
    branch: str | None = None


def read_lock(state_dir: Path) -> LockOwner | None:
    """The lock's owner, or None when nobody holds it.

    An owner is gone when its pid no longer exists on this host, or when the file is
    unreadable and older than a few seconds (a command killed while writing it).
    """
    path = lock_path(state_dir)
    if path.is_dir():
        raise LockedError(f"{path} is a directory, not a lock", hint=f"remove it: rm -r {path}")
    try:
        raw, mtime = path.read_bytes(), path.stat().st_mtime
    except FileNotFoundError:
        return None
    except OSError as err:
        raise LockedError(f"{path} cannot be read ({err.strerror})", hint=f"rm {path}") from err
    owner = _parse(raw)
    if owner is None:
        fresh = time.time() - mtime < UNREADABLE_GRACE
        return LockOwner(path, "an unknown command", "an unreadable lock", int(mtime), fresh)
    import socket

    pid, host, since, command, branch = owner
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(since))
    who = f"{command} (pid {pid} on {host}, since {stamp})"
    elsewhere = host != socket.gethostname()
    running = elsewhere or _alive(pid)
    return LockOwner(path, command, who, since, running, elsewhere, branch)


def _parse(raw: bytes) -> tuple[int, str, int, str, str | None] | None:
    """pid, host, start time, command and branch of a lock file; None when unreadable."""
    try:
        info: Any = json.loads(raw.decode())
        pid, host, since = int(info["pid"]), str(info["host"]), int(info["time"])
        command, branch = str(info.get("command", "a command")), info.get("branch")
        time.localtime(since)  # a time no clock can show is a broken file
    except (ValueError, KeyError, TypeError, OverflowError, OSError, AttributeError):
        return None
    if pid <= 0 or not isinstance(branch, str | None):
        return None
    return pid, host, since, command, branch


def ensure_unlocked(state_dir: Path) -> None:
    """Raise the lock's error now when it is held (before checks it would confuse)."""
    owner = read_lock(state_dir)
    if owner is not None:
        raise held_error(owner)


def held_error(owner: LockOwner) -> LockedError:
    """The error for a lock someone holds: still running, elsewhere, or stale."""
    if owner.elsewhere:
        return LockedError(
            f"{owner.who} holds the lock {owner.path}",
            hint=f"if nothing runs there any more: rm {owner.path}, then "
            "`gitops-templates recover` checks what it left",
        )
    if owner.running:
        return LockedError(
            f"another gitops-templates command holds the lock: {owner.who}",
            hint="wait for it to finish",
        )
    return LockedError(f"stale lock {owner.path}: {owner.who} is no longer running",
                       hint=RECOVER_HINT)  # fmt: skip


def _locked(state_dir: Path) -> LockedError:
    owner = read_lock(state_dir)
    if owner is None:  # released in between
        return LockedError("the repository lock was busy", hint="run the command again")
    return held_error(owner)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError, ValueError):
        return False
    except PermissionError:
        return True
    return True
