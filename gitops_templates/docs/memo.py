"""Generated files remembered by what they were made from (`objects-v1.json`).

A README is a function of its template's files, its version tags, yanked.yaml, the
changes its next version ships, the settings and the doc templates. `docs` keeps, per
such fingerprint, the hash of the file it left; when both still match, the file is up
to date without parsing or rendering anything. Anything else (a new tag, an edit to
the template or to the README by hand) renders it again.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from gitops_templates.catalog.files import read_bytes
from gitops_templates.catalog.validated import ValidatedMemo
from gitops_templates.catalog.workspace import DOC_FILE
from gitops_templates.catalog.yanked import YANKED_FILE
from gitops_templates.docs.core.stamp import has_stamp, stamp_matches, stamped
from gitops_templates.errors import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from pathlib import Path

    from gitops_templates.catalog.validated import Listings
    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.core.planning import ComponentState

MEMO_VERSION = 2  # 2: READMEs carry a digest line
_KIND = "doc-output"


class OutputMemo:
    """Fingerprints of generated files and the content each one produced."""

    def __init__(self, ws: Workspace, salt: str, listings: Listings | None = None) -> None:
        self._ws = ws
        self._salt = salt
        self._contents = ValidatedMemo(ws.facts, salt, ignored=[DOC_FILE],  # the output itself
                                       listings=listings)  # fmt: skip
        self._yanked = ws.blob_ids([f"{ws.head}:{ws.settings.path(YANKED_FILE)}"])[0]

    def template(self, tid: str, directory: Path, state: ComponentState | None) -> str | None:
        """The fingerprint of one template's README (None: its files cannot be read)."""
        content = self._contents.key(directory)
        if content is None:
            return None
        versions = [(v.tag.name, v.tag.object_sha, v.reachable)
                    for v in self._ws.versions.of(tid)]  # fmt: skip
        shipped = [(c.sha, c.subject, int(c.level), c.breaking) for c in state.releasable] \
            if state else []  # fmt: skip
        current = str(state.current.version) if state and state.current else None
        upcoming = str(state.next.version) if state and state.next else None
        return _digest([tid, content, versions, self._yanked, shipped, current, upcoming])

    def index(self, fingerprints: Iterable[str | None]) -> str | None:
        """The index's fingerprint: those of every template."""
        parts = list(fingerprints)
        return None if None in parts else _digest(["index", *parts])

    def fresh(self, fingerprint: str | None, path: Path, *, stamped_only: bool = False) -> bool:
        """`path` holds what `docs` left there for this fingerprint.

        Known from the file's digest line (`core.stamp`: any clone) or from this
        clone's store; `stamped_only`: and the file has a digest line (`docs` gives one
        to a file written before digests).
        """
        if fingerprint is None or not path.is_file():
            return False
        key = self._key(fingerprint)
        try:  # inside the repository, links resolved: else rendering reports it
            data = read_bytes(self._ws.repo.root, path)
        except InvalidInputError:
            return False
        text = data.decode("utf-8", "replace")
        if stamp_matches(text, key):
            return True
        if stamped_only and not has_stamp(text):
            return False
        known = self._ws.facts.lookup(_KIND, [key], lambda _: {}, valid=_is_hex)
        return key in known and known[key] == hashlib.sha256(data).hexdigest()

    def stamp(self, fingerprint: str | None, generated: str) -> str:
        """`generated` with the digest line that makes it trusted unrendered later."""
        return generated if fingerprint is None else stamped(generated, self._key(fingerprint))

    def remember(self, fingerprint: str | None, path: Path) -> None:
        """Record what `path` holds now for this fingerprint."""
        if fingerprint is not None and path.is_file():
            self._ws.facts.remember(_KIND, {self._key(fingerprint): _file_hash(path)})

    def _key(self, fingerprint: str) -> str:
        """40 hex digits, the shape the facts store keys by."""
        return hashlib.sha256(f"{self._salt}{fingerprint}".encode()).hexdigest()[:40]


def salt_of(ws: Workspace, fmt: str, strict: bool, template_files: Sequence[Path]) -> str:
    """What every fingerprint also depends on: tool, settings and the doc templates."""
    from gitops_templates import __version__

    parts: list[Any] = [MEMO_VERSION, __version__, fmt, strict, repr(ws.settings)]
    root = ws.repo.root
    parts += [(p.relative_to(root).as_posix() if p.is_relative_to(root) else p.name,
               hashlib.sha256(read_bytes(None, p)).hexdigest())  # an override by its place
              for p in template_files]  # fmt: skip
    return _digest(parts)


def _digest(parts: list[Any]) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _file_hash(path: Path) -> str:
    return hashlib.sha256(read_bytes(None, path)).hexdigest()


def _is_hex(value: object) -> bool:
    return isinstance(value, str) and len(value) == 64
