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

from gitops_templates.docs.core.model import BEGIN, END, GENERATED

PREFIX = "<!-- gitops-templates docs digest: "
_LINE = re.compile(r"^<!-- gitops-templates docs digest: ([0-9a-f]{64}) -->\n?", re.MULTILINE)


def stamped(generated: str, inputs: str) -> str:
    """`generated` ending with its digest line (`inputs`: the fingerprint of the inputs)."""
    body = generated.rstrip("\n") + "\n"
    return f"{body}{PREFIX}{_digest(inputs, body)} -->\n"


def stamp_matches(text: str, inputs: str) -> bool:
    """`text` (a whole file) is generated text whose digest line says `inputs`.

    The generated text is where `inject` would put the next generation: the whole file
    when it starts with the generated header, else what lies between the first `BEGIN`
    and the first `END` markers; the digest line must end it, so nothing added after
    the line (or a stray marker in hand-written text) is trusted.
    """
    if text.startswith(GENERATED):
        region = text
    else:
        start, end = text.find(BEGIN), text.find(END)
        if start == -1 or end <= start:
            return False
        region = text[start + len(BEGIN) + 1 : end]
    found = list(_LINE.finditer(region))[-1:]
    if not found or found[0].end() != len(region):
        return False
    return found[0].group(1) == _digest(inputs, region[: found[0].start()])


def unstamped(text: str) -> str:
    """`text` without digest lines: what is compared when rendering is needed anyway."""
    return _LINE.sub("", text)


def has_stamp(text: str) -> bool:
    """Whether `text` carries a digest line at all (a cheap first look)."""
    return PREFIX in text


def _digest(inputs: str, body: str) -> str:
    return hashlib.sha256(f"{inputs}\n{body}".encode()).hexdigest()
