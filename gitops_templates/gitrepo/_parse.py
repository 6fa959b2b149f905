"""Parsing of git's plumbing output (`log -z`, `for-each-ref`, `ls-tree -z`, `cat-file`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from gitops_templates.models import CommitRecord, TagRecord

HEX = re.compile(rb"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")


@dataclass(frozen=True, slots=True)
class LogResult:
    """Commits in topological order (children first) and any decoding trouble."""

    commits: tuple[CommitRecord, ...]
    invalid_utf8: tuple[str, ...]  # commits whose message was not valid UTF-8


def text(data: bytes) -> str:
    """Decode git output; invalid UTF-8 becomes U+FFFD."""
    return data.decode("utf-8", errors="replace")


def parse_log(data: bytes) -> LogResult:
    chunks: list[bytes] = []
    for piece in data.split(b"\x1e")[1:]:
        head = piece[:65].split(b"\0", 1)[0]
        if chunks and not HEX.match(head):
            chunks[-1] += b"\x1e" + piece  # a record separator inside a message
        else:
            chunks.append(piece)
    commits, invalid = [], []
    for chunk in chunks:
        fields = chunk.split(b"\0")
        sha, parents, an, ae, at, ct, body = (f for f in fields[:7])
        files = [f.lstrip(b"\n") for f in fields[7:] if f.strip(b"\n")]
        try:
            message = body.decode("utf-8")
        except UnicodeDecodeError:
            message = text(body)
            invalid.append(sha.decode())
        commits.append(
            CommitRecord(
                sha=sha.decode(),
                parents=tuple(parents.decode().split()),
                author_name=text(an),
                author_email=text(ae),
                author_time=int(at or 0),
                commit_time=int(ct or 0),
                message=message,
                files=tuple(text(f) for f in files),
            )
        )
    return LogResult(tuple(commits), tuple(invalid))


def parse_tags(data: bytes) -> list[TagRecord]:
    records: list[bytes] = []
    for piece in data.split(b"\x1e"):
        piece = piece.lstrip(b"\n")
        if not piece:
            continue
        if records and not piece.startswith(b"refs/tags/"):
            records[-1] += b"\x1e" + piece
        else:
            records.append(piece)
    tags = []
    for record in records:
        fields = record.split(b"\0")
        if len(fields) < 8:
            continue
        ref, obj, kind, peeled, peeled_kind, when, signature, contents = (
            text(f) for f in fields[:8]
        )
        annotated = kind == "tag"
        if signature and contents.endswith(signature):
            contents = contents[: -len(signature)]
        if annotated:
            commit = peeled if peeled_kind == "commit" else None
        else:
            commit = obj if kind == "commit" else None
        tags.append(
            TagRecord(
                name=ref.removeprefix("refs/tags/"),
                object_sha=obj,
                commit_sha=commit,
                annotated=annotated,
                signed=bool(signature),
                tagger_time=int(when) if when.strip() else None,
                message=contents if annotated else "",
            )
        )
    return tags
