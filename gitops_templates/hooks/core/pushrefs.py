"""The ref updates git hands to push hooks, parsed. Pure.

`pre-push` gets `<local-ref> SP <local-oid> SP <remote-ref> SP <remote-oid>` per line;
`pre-receive` gets `<old-oid> SP <new-oid> SP <ref-name>`. An all-zero id means "no
object": a ref being created (old) or deleted (new). SHA-256 repositories use 64 zeros,
so nullness is "only zeros", not a fixed string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gitops_templates.errors import InvalidInputError, Problem

_OID = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")


@dataclass(frozen=True, slots=True)
class RefUpdate:
    """One ref a push changes: `old` on the receiving side, `new` what is pushed."""

    ref: str
    old: str | None  # None: the ref does not exist there yet
    new: str | None  # None: the push deletes it

    @property
    def is_tag(self) -> bool:
        """A ref below refs/tags/."""
        return self.ref.startswith("refs/tags/")

    @property
    def is_branch(self) -> bool:
        """A ref below refs/heads/."""
        return self.ref.startswith("refs/heads/")

    @property
    def name(self) -> str:
        """The short name (tag or branch): only the leading refs/tags/ or refs/heads/ goes."""
        for prefix in ("refs/tags/", "refs/heads/"):
            if self.ref.startswith(prefix):
                return self.ref[len(prefix) :]
        return self.ref


def parse_pre_push(text: str) -> list[RefUpdate]:
    """Lines of a `pre-push` hook's stdin."""
    updates = []
    for number, fields in _lines(text, 4):
        _local_ref, local, remote_ref, remote = fields
        updates.append(RefUpdate(remote_ref, _oid(remote, number), _oid(local, number)))
    return updates


def parse_pre_receive(text: str) -> list[RefUpdate]:
    """Lines of a `pre-receive` hook's stdin."""
    return [
        RefUpdate(ref, _oid(old, number), _oid(new, number))
        for number, (old, new, ref) in _lines(text, 3)
    ]


def _lines(text: str, width: int) -> list[tuple[int, list[str]]]:
    result = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        fields = line.split(" ")
        if len(fields) != width:
            raise _bad(number, f"expected {width} fields separated by spaces, got {len(fields)}")
        result.append((number, fields))
    return result


def _oid(value: str, number: int) -> str | None:
    if not _OID.match(value):
        raise _bad(number, f"{value[:80]!r} is not an object id")
    return None if set(value) == {"0"} else value


def _bad(number: int, message: str) -> InvalidInputError:
    return InvalidInputError(
        f"hook input line {number}: {message}",
        hint="push hooks read the lines git writes on stdin; run them from git",
        problems=(Problem(message, file="<stdin>", line=number),),
    )
