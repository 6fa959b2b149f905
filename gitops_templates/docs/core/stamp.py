"""The digest line a generated README ends with, so any clone can trust it unrendered.

`docs` appends `<!-- gitops-templates docs digest: <sha256> -->` to what it generates:
the digest of the generated text and of everything it was made from (the template's
files, its version tags, yanked.yaml, what the next version ships, the settings, the
doc templates and the tool's version: `docs.memo`). A later `docs --check`, on a fresh
clone too, that finds the same inputs and the same text above the line knows the file
is up to date without parsing or rendering anything. Any other file is rendered and
compared as usual, the digest line left out of the comparison: a tool upgrade or a new
tag over unchanged text is not a change to write or to fail on. Pure.
"""

from __future__ import annotations

import hashlib
import re

from gitops_templates.docs.core.model import BEGIN

PREFIX = "<!-- gitops-templates docs digest: "
_LINE = re.compile(r"^<!-- gitops-templates docs digest: ([0-9a-f]{64}) -->\n?", re.MULTILINE)


def stamped(generated: str, inputs: str) -> str:
    """`generated` ending with its digest line (`inputs`: the fingerprint of the inputs)."""
    body = generated.rstrip("\n") + "\n"
    return f"{body}{PREFIX}{_digest(inputs, body)} -->\n"


def stamp_matches(text: str, inputs: str) -> bool:
    """`text` (a whole file) holds generated text whose digest line says `inputs`.

    The generated text is the file up to its last digest line, or from the `BEGIN`
    marker when the file keeps hand-written parts around it.
    """
    found = list(_LINE.finditer(text))[-1:]
    if not found:
        return False
    line = found[0]
    begin = text.rfind(BEGIN, 0, line.start())
    start = begin + len(BEGIN) + 1 if begin != -1 else 0
    return line.group(1) == _digest(inputs, text[start : line.start()])


def unstamped(text: str) -> str:
    """`text` without digest lines: what is compared when rendering is needed anyway."""
    return _LINE.sub("", text)


def has_stamp(text: str) -> bool:
    """Whether `text` carries a digest line at all (a cheap first look)."""
    return PREFIX in text


def _digest(inputs: str, body: str) -> str:
    return hashlib.sha256(f"{inputs}\n{body}".encode()).hexdigest()
