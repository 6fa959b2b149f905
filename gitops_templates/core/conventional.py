"""Conventional Commits 1.0.0 parser (our own; not git's trailer parser).

Header: `type(scope)!: subject`. Footers: `Token: value` or `Token #value`, where a
token is a word with `-` for spaces, except `BREAKING CHANGE` (upper case) which may
contain a space. Footers are read only from the trailing footer paragraphs: the final
paragraph must start with a footer line, and paragraphs directly before it that also
start with one belong to the block too (so `git commit -s`, which puts
`Signed-off-by:` in its own paragraph after a `BREAKING CHANGE:` line that git does not
recognise as a trailer, still counts). Lines of a footer paragraph that do not start a
new footer continue the previous value. Prose in the body never counts.
"""

from __future__ import annotations

import re

from gitops_templates.core.models import CommitMessage, Footer

HEADER = re.compile(
    r"^(?P<type>[A-Za-z][A-Za-z0-9_-]*)"
    r"(?:\((?P<scope>[^()\r\n]+)\))?"
    r"(?P<bang>!)?: +(?P<subject>\S.*)$"  # linear: the header comes stripped, no \s*$ here
)
FOOTER = re.compile(
    r"^(?P<token>BREAKING[ -]CHANGE|[A-Za-z0-9][A-Za-z0-9-]*)(?:: | #)(?P<value>.*)$"
)
_BLANK = re.compile(r"\n[ \t]*\n")


def parse_message(message: str) -> CommitMessage:
    """Parse a full commit message (header, body, footers)."""
    text = message.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    header, _, rest = text.partition("\n")
    header = header.strip()
    paragraphs = [p.strip("\n") for p in _BLANK.split(rest.strip("\n"))] if rest else []
    paragraphs = [p for p in paragraphs if p.strip()]
    split = _footer_start(paragraphs)
    body = "\n\n".join(paragraphs[:split])
    footers = _parse_footers(paragraphs[split:])
    match = HEADER.match(header)
    if match is None:
        return CommitMessage(header, None, None, False, header, body, footers)
    scope = match["scope"].strip() if match["scope"] else None
    return CommitMessage(
        header=header,
        type=match["type"].lower(),
        scope=scope or None,
        bang=bool(match["bang"]),
        subject=match["subject"],
        body=body,
        footers=footers,
    )


def _footer_start(paragraphs: list[str]) -> int:
    """Index of the first paragraph of the trailing footer block."""
    start = len(paragraphs)
    while start > 0 and FOOTER.match(paragraphs[start - 1].split("\n", 1)[0]):
        start -= 1
    return start


def _parse_footers(paragraphs: list[str]) -> tuple[Footer, ...]:
    footers: list[tuple[str, list[str]]] = []
    for paragraph in paragraphs:
        for line in paragraph.split("\n"):
            match = FOOTER.match(line)
            if match:
                footers.append((match["token"], [match["value"].strip()]))
            elif footers:
                footers[-1][1].append(line.strip())
    return tuple(Footer(token, "\n".join(v).strip()) for token, v in footers)


def split_list(value: str) -> list[str]:
    """Split a footer value listing ids (`a, b c`) into its items."""
    return [item for item in re.split(r"[\s,]+", value) if item]
