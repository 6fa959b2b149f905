r"""Content digest of a template subtree, independent of Git's object format. Pure.

`sha256:` over the sorted entries `<mode> <relative path>\\0<sha256 of content>\\n`
(submodules contribute their commit id instead of content). Two trees with the same
files, modes and bytes have the same digest in SHA-1 and SHA-256 repositories alike,
and the digest can be recomputed from a plain checkout.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from gitops_templates.core.models import TreeEntry


def tree_digest(entries: Iterable[TreeEntry], read: Callable[[str], bytes]) -> str:
    """Digest of `entries`; `read(sha)` returns a blob's bytes."""
    outer = hashlib.sha256()
    for entry in sorted(entries, key=lambda e: e.path.encode()):
        if entry.kind == "commit":
            inner = f"commit {entry.sha}"
        else:
            inner = hashlib.sha256(read(entry.sha)).hexdigest()
        outer.update(f"{entry.mode} {entry.path}\0{inner}\n".encode())
    return "sha256:" + outer.hexdigest()
