"""Parsing of git's plumbing output (`log -z`, `for-each-ref`, `ls-tree -z`, `cat-file`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from gitops_templates.core.models import CommitRecord, TagRecord

HEX = re.compile(rb"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")


@dataclass(frozen=True, slots=True)
class LogResult:
    """Commits in topological order (children first) and any decoding trouble."""

    commits: tuple[CommitRecord, ...]
    invalid_utf8: tuple[str, ...]  # commits whose message was not valid UTF-8


def text(data: bytes) -> str:
    """Decode git output; invalid UTF-8 becomes U+FFFD."""
    return data.decode("utf-8", errors="replace")


_HEADER = re.compile(r"^[0-9a-f]{40}(?:[0-9a-f]{24})?\0")


class LogParser:
    r"""Incremental parser of `git log -z --name-only --format=<_LOG_FORMAT>` output.

    Records start with `\x1e<sha>\0`; fields are NUL-separated; the file names follow
    the message. Complete records are parsed as soon as they arrive, so parsing runs
    while git is still producing the rest. A `\x1e` inside a message is told apart
    from a record start by the header that must follow it.
    """

    def __init__(self) -> None:
        self._pending = b""
        self.commits: list[CommitRecord] = []
        self.invalid_utf8: list[str] = []

    def feed(self, data: bytes) -> None:
        """Take more output; parse every record known to be complete."""
        self._pending += data
        cut = self._pending.rfind(b"\x1e")
        while cut > 0 and not _HEADER.match(self._pending[cut + 1 : cut + 66].decode("latin-1")):
            cut = self._pending.rfind(b"\x1e", 0, cut)
        if cut <= 0:
            return
        complete, self._pending = self._pending[:cut], self._pending[cut:]
        self._parse(complete)

    def finish(self) -> LogResult:
        """Parse what is left and return everything."""
        if self._pending:
            self._parse(self._pending)
            self._pending = b""
        return LogResult(tuple(self.commits), tuple(self.invalid_utf8))

    def _parse(self, data: bytes) -> None:
        try:
            records = _records(data.decode("utf-8"))
        except UnicodeDecodeError:
            records = _records(data.decode("utf-8", errors="surrogateescape"))
        for record in records:
            fields = record.split("\0")
            sha, parents, an, ae, at, ct, body = fields[:7]
            files = [f for f in fields[7:] if f]
            if files:
                files[0] = files[0].lstrip("\n")
            if _has_surrogates(record):
                self.invalid_utf8.append(sha)
                body, an, ae = (_clean(x) for x in (body, an, ae))
                files = [_clean(f) for f in files]
            self.commits.append(
                CommitRecord(
                    sha,
                    tuple(parents.split()),
                    an,
                    ae,
                    int(at or 0),
                    int(ct or 0),
                    body,
                    tuple(files),
                )
            )


def _records(text_: str) -> list[str]:
    records: list[str] = []
    for piece in text_.split("\x1e")[1:]:
        if records and not _HEADER.match(piece):
            records[-1] += "\x1e" + piece  # a record separator inside a message
        else:
            records.append(piece)
    return records


def _has_surrogates(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _clean(value: str) -> str:
    return value.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")


def parse_log(data: bytes) -> LogResult:
    """Parse a complete `git log` output."""
    parser = LogParser()
    parser.feed(data)
    return parser.finish()


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
        fields = [text(f) for f in record.split(b"\0")]
        if len(fields) < 7:
            continue
        ref, obj, kind, peeled, peeled_kind, when = fields[:6]
        detailed = len(fields) >= 9  # light listings stop after the tagger date
        annotated = kind == "tag"
        signature, contents = (fields[6], fields[7]) if detailed else ("", "")
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
                signed=bool(signature) if detailed else None,
                tagger_time=int(when) if when.strip() else None,
                message=(contents if annotated else "") if detailed else None,
            )
        )
    return tags


def parse_tag_listing(data: bytes) -> list[tuple[str, str, str]]:
    """`for-each-ref` lines `refname NUL object NUL type` (ref names hold no newline)."""
    rows = []
    for line in data.split(b"\n"):
        fields = line.split(b"\0")
        if len(fields) == 3 and fields[0].startswith(b"refs/tags/"):
            rows.append((text(fields[0]).removeprefix("refs/tags/"), text(fields[1]),
                         text(fields[2])))  # fmt: skip
    return rows


def parse_tag_object(name: str, oid: str, kind: str, body: bytes) -> TagRecord:
    """A tag ref's object as `cat-file --batch` gives it (annotated or lightweight)."""
    if kind != "tag":
        commit = oid if kind == "commit" else None
        return TagRecord(name, oid, commit, annotated=False, signed=False,
                         tagger_time=None, message="")  # fmt: skip
    head, _, message = text(body).partition("\n\n")
    fields = dict(line.split(" ", 1) for line in head.splitlines() if " " in line)
    when = fields.get("tagger", "").rsplit(" ", 2)
    signed = ""
    for marker in ("-----BEGIN PGP SIGNATURE-----", "-----BEGIN SSH SIGNATURE-----"):
        if marker in message:
            message, _, rest = message.partition(marker)
            signed = marker + rest
    return TagRecord(
        name=name,
        object_sha=oid,
        commit_sha=fields.get("object") if fields.get("type") == "commit" else None,
        annotated=True,
        signed=bool(signed),
        tagger_time=int(when[1]) if len(when) == 3 and when[1].isdigit() else None,
        message=message,
    )


def parse_tree(data: bytes, id_len: int) -> list[tuple[str, str, str]]:
    """`(mode, name, object id)` of a raw tree object (mode, space, name, NUL, raw id)."""
    entries = []
    pos = 0
    while pos < len(data):
        space = data.index(b" ", pos)
        nul = data.index(b"\0", space)
        mode = data[pos:space].decode()
        end = nul + 1 + id_len
        entries.append((mode, text(data[space + 1 : nul]), data[nul + 1 : end].hex()))
        pos = end
    return entries


def parse_batch(out: bytes, count: int) -> list[tuple[str, str, bytes] | None]:
    """`cat-file --batch` output for `count` requests: (id, type, content) or None."""
    found: list[tuple[str, str, bytes] | None] = []
    pos = 0
    for _ in range(count):
        end = out.index(b"\n", pos)
        header = text(out[pos:end]).split(" ")
        pos = end + 1
        if len(header) != 3 or not header[2].isdigit():
            found.append(None)  # `<spec> missing` / `ambiguous`
            continue
        size = int(header[2])
        found.append((header[0], header[1], out[pos : pos + size]))
        pos += size + 1
    return found
