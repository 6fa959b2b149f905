"""Template directories that validated, remembered by content (`objects-v1.json`).

A template's verdict depends only on the files in its directory and on what the tool
checks them against, so a directory whose every file has the same content (by Git blob
id, computed here without git) as when it last validated is not parsed or validated
again. The key also holds this module's version, the tool's version and the shipped
`template.schema.json`. Only clean verdicts are remembered: problems are found anew.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from gitops_templates.errors import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    from gitops_templates.git.object_facts import ObjectFacts

VALIDATION_VERSION = 2  # 2: the 2020-12 metaschema check covers $id, $schema, ...
_KIND = "validated"


def blob_id(data: bytes) -> str:
    """Git's SHA-1 blob id of `data` (as `git hash-object` prints it)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


Listing = list[tuple[str, str, int]]  # (path in the directory, blob id, executable bits)
Listings = dict[tuple["Path", frozenset[str]], Listing]  # by directory and names left out


class ValidatedMemo:
    """Which directory contents validated cleanly before.

    `listings` keeps what each directory held when first read, for the memo's life or,
    shared, for one run of `docs`, whose two memos (validation, output) then read and
    hash a template's files once (and `validate` the shared `_shared/` once).
    """

    def __init__(
        self,
        facts: ObjectFacts,
        salt: str,
        *,
        ignored: Iterable[str] = (),
        listings: Listings | None = None,
    ) -> None:
        self._facts = facts
        self._salt = salt
        self._ignored = frozenset(ignored)  # names in the directory no verdict depends on
        self._listings = {} if listings is None else listings

    def key(self, directory: Path, *, also: Path | None = None) -> str | None:
        """`<template.yaml blob id>:<digest of every file>`, None when unreadable.

        `also` is a directory the verdict depends on too (`_shared/` when rendering).
        """
        digest = hashlib.sha256(f"{VALIDATION_VERSION} {self._salt}\n".encode())
        meta = None
        try:
            for label, root in (("", directory), ("also/", also)):
                if root is None or (label and not root.is_dir()):
                    continue
                found = self._digest(root, label, digest)
                if found is None:
                    return None
                meta = meta or found.get("template.yaml")
        except (OSError, InvalidInputError):
            return None
        return f"{meta}:{digest.hexdigest()[:40]}" if meta else None

    def _digest(self, root: Path, label: str, digest: Any) -> dict[str, str] | None:
        """Feed every file below `root` to `digest`; their blob ids, None when unreadable."""
        found = self._listing(root)
        if found is None:
            return None
        for rel, oid, mode in found:
            digest.update(f"{label}{rel}\0{oid}\0{mode:o}\n".encode())
        return {rel: oid for rel, oid, _ in found}

    def _listing(self, root: Path) -> Listing | None:
        """`(path, blob id, executable bits)` of every file below `root`, read once."""
        from gitops_templates.catalog.files import link_or_blob, walk

        key = (root, self._ignored)
        if key in self._listings:
            return self._listings[key]
        found = []
        for path in walk(root):
            rel = path.relative_to(root).as_posix()
            if rel in self._ignored:
                continue
            data = link_or_blob(root, path)
            if data is None:
                return None  # not a file Git would hold: validate it every time
            found.append((rel, blob_id(data), path.stat().st_mode & 0o111))
        self._listings[key] = found
        return found

    def known(self, key: str | None) -> bool:
        """Validated cleanly before, with the same content."""
        if key is None:
            return False
        found = self._facts.lookup(_KIND, [key], lambda _: {}, valid=lambda v: v is True)
        return key in found

    def remember(self, key: str | None) -> None:
        """Record a clean verdict."""
        if key is not None:
            self._facts.remember(_KIND, {key: True})
