"""JSON files under `.git/gitops-templates/`: read leniently, written atomically.

Every cache the tool keeps goes through here. A file that is missing or does not parse
reads as None (the caller recomputes), and so does anything that is not a regular file
of at most `MAX_BYTES` (a symlink, a FIFO, a device) or nests too deeply to parse; a
write goes to a temporary sibling that is then renamed over the file, so a reader never
sees half a file and a symlink in its place is replaced, never written through; a
read-only clone simply goes without (writes that fail are dropped, never raised).
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

MAX_BYTES = 64 * 1024 * 1024  # far above any cache the tool writes (objects: 50k a kind)
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


def read_json(path: Path) -> Any:
    """The file's JSON value, or None when it is absent, not a small regular file, or not JSON."""
    try:
        handle = os.open(path, _READ_FLAGS | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        with os.fdopen(handle, "rb") as stream:
            info = os.fstat(stream.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
                return None
            return json.loads(stream.read(MAX_BYTES + 1))
    except (OSError, ValueError, RecursionError):
        return None


def write_json(path: Path, data: Any) -> bool:
    """Replace the file with `data` as compact JSON; False when it could not be written."""
    try:
        payload = json.dumps(data, separators=(",", ":"), check_circular=False)
    except (TypeError, ValueError):
        return False  # not JSON-able (a YAML date, say): callers recompute next time
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(payload, encoding="utf-8")
        tmp.replace(path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        return False
    return True
