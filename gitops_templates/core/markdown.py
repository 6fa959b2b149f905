"""Untrusted text in Markdown: prose, table cells and code spans. Pure.

Used by the generated docs, job summaries and reports alike.
"""

from __future__ import annotations

import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")
_LINE_START = re.compile(r"^(\s*)(?:([-=>])|(\d+)\.)", re.MULTILINE)


def markdown_text(value: object) -> str:
    """Untrusted text for Markdown prose: specials escaped, HTML inert."""
    escaped = _MD_SPECIAL.sub(r"\\\1", str(value))
    return _LINE_START.sub(_line_start, escaped)


def _line_start(match: re.Match[str]) -> str:
    r"""`- x` -> `\- x`; `1. x` -> `1\. x` (CommonMark escapes punctuation, not digits)."""
    indent, mark, digits = match.groups()
    return f"{indent}\\{mark}" if mark else f"{indent}{digits}\\."


def markdown_cell(value: object) -> str:
    """Untrusted text for a Markdown table cell (one line, `|` escaped)."""
    lines = [markdown_text(line.strip()) for line in str(value).splitlines()]
    return "<br>".join(line for line in lines if line)


def inline_code(value: object) -> str:
    """Text inside a code span, with a fence longer than any backtick run in it."""
    text = str(value).replace("\n", " ").replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


_ENTRY = re.compile(r"- (.*?)((?: \([0-9a-f]{7,40}\))?)")


def changelog_notes(changelog: str) -> str:
    """A tag message's changelog as Markdown to publish.

    Its own `#` headings are kept; every other line (commit subjects, notes) is escaped,
    the commit ids that end entries left plain.
    """
    lines = []
    for line in changelog.splitlines():
        entry = _ENTRY.fullmatch(line)
        if line.startswith(("## ", "### ")) or not line.strip():  # the headings we write
            lines.append(line)
        elif entry is not None:
            lines.append(f"- {markdown_text(entry[1])}{entry[2]}")
        else:
            lines.append(markdown_text(line))
    return "\n".join(lines).strip() + "\n" if changelog.strip() else ""
