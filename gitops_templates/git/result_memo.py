"""Whole results remembered by a digest of every input (`.git/gitops-templates/results/`).

A caller names everything its result is computed from; the key adds the tool itself
(its version and the size and modification time of each of its modules, so an upgrade
or an edited checkout never reads a result an older build computed). A file whose key
does not match, or that does not parse, is a miss; the newest few results of a kind
are kept, the rest removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitops_templates.git.cachefile import read_json, write_json

if TYPE_CHECKING:
    from collections.abc import Iterable

KEPT = 8  # results kept per kind: a plan of everything and a few of single templates
_PACKAGE = Path(__file__).resolve().parent.parent


def result_key(kind: str, parts: Iterable[str]) -> str:
    """sha256 over the tool's identity, `kind` and the inputs (one per line)."""
    digest = hashlib.sha256(f"{tool_identity()}\n{kind}\n".encode())
    for part in parts:
        digest.update(part.encode("utf-8", "surrogateescape") + b"\n")
    return digest.hexdigest()


def recall(state_dir: Path, kind: str, key: str) -> Any:
    """The value stored under `key`, or None."""
    path = _path(state_dir, kind, key)
    if path.parent.is_symlink():
        return None  # never read (or written) outside the repository
    data = read_json(path)
    if not isinstance(data, dict) or data.get("key") != key or "value" not in data:
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept longest
    return data["value"]


def keep(state_dir: Path, kind: str, key: str, value: Any) -> None:
    """Store `value` under `key` (a read-only clone goes without) and prune the kind."""
    path = _path(state_dir, kind, key)
    if not path.parent.is_symlink() and write_json(path, {"key": key, "value": value}):
        _prune(path.parent, kind)


def _path(state_dir: Path, kind: str, key: str) -> Path:
    return state_dir / "results" / f"{kind}-{key[:32]}.json"


def _prune(directory: Path, kind: str) -> None:
    """Remove all but the `KEPT` most recently used results of one kind.

    Only regular files named as this module names them are ever removed.
    """
    named = re.compile(re.escape(kind) + r"-[0-9a-f]{32}\.json")
    try:
        with os.scandir(directory) as entries:
            found = [(e.stat(follow_symlinks=False).st_mtime_ns, e.path) for e in entries
                     if named.fullmatch(e.name) and e.is_file(follow_symlinks=False)]  # fmt: skip
    except OSError:
        return
    for _, path in sorted(found, reverse=True)[KEPT:]:
        with contextlib.suppress(OSError):
            Path(path).unlink()


@cache
def tool_identity() -> str:
    """This build of the tool: its version and its modules (one `stat` each)."""
    from gitops_templates import __version__

    return modules_identity(_PACKAGE, __version__)


def modules_identity(package: Path, version: str) -> str:
    """sha256 over `version` and each module's path, size and modification time."""
    found: list[str] = []
    _stat_modules(str(package), found)
    found.sort()
    return hashlib.sha256("\n".join([version, *found]).encode()).hexdigest()


def _stat_modules(directory: str, found: list[str]) -> None:
    with os.scandir(directory) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
                _stat_modules(entry.path, found)
            elif entry.name.endswith(".py"):
                info = entry.stat(follow_symlinks=False)
                found.append(f"{entry.path} {info.st_size} {info.st_mtime_ns}")
