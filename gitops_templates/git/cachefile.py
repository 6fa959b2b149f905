"""JSON files under `.git/gitops-templates/`: read leniently, written atomically.

Every cache the tool keeps goes through here. A file that is missing or does not parse
reads as None (the caller recomputes); a write goes to a temporary sibling that is then
renamed over the file, so a reader never sees half a file; a read-only clone simply
goes without (writes that fail are dropped, never raised).
"""

from __future__ import annotations

import contextlib
import json
import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path


def read_json(path: Path) -> Any:
    """The file's JSON value, or None when it is absent or not JSON."""
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
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
