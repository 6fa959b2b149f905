"""Rewrite an instance file after a migration, keeping its comments, key order and quoting.

The file's text is split around its document markers, its indentation detected, and its
round-trip tree (ruamel.yaml) changed in place by `yamltree`: the renames, then the pin
and the values. A file that already reads as the result comes back byte-identical.
"""

from __future__ import annotations

import re
from functools import lru_cache
from io import StringIO
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import AliasEvent, ScalarEvent
from ruamel.yaml.scalarstring import ScalarString

from gitops_templates.errors import InvalidInputError, Problem

if TYPE_CHECKING:
    from collections.abc import Sequence

from gitops_templates.migrations.yamltree import (
    LINES,
    NODES,
    last_key,
    pointer_tokens,
    rename_key,
    same,
    set_key,
)

SAFE_LOADER: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
START, END = re.compile(r"---(?:[ \t]+(?:#.*)?)?\n?"), re.compile(r"\.\.\.(?:[ \t]+(?:#.*)?)?\n?")
BLOCK = re.compile(r"(?:^|:|-)[ \t]+[|>][-+1-9]*[ \t]*(?:#.*)?$")  # `key: |-`, `- >`
LEAD = re.compile(r" *(?:-[ \t]+)*")
HINT = "fix the YAML syntax; quote strings that YAML would read otherwise"


def rewrite_instance(
    raw: bytes, shown: str, *, values: Any, renames: Sequence[tuple[str, str]], version: str
) -> bytes:
    """The instance file with `values` and the pin `version`, comments, order and quoting kept."""
    if _reads_as(raw, values, version):
        return raw
    bom, newline, lines, start, end = _split(raw, shown)
    body = "".join(lines[start:end])
    doc = _load(body, shown, start)
    changed = False
    for source, target in renames:
        changed |= rename_key(doc, pointer_tokens(source), pointer_tokens(target))
    changed |= set_key(doc, "version", version) | set_key(doc, "values", values)
    if not changed:
        return raw
    stream, last = StringIO(), doc
    _yaml(*_indentation(body)).dump(doc, stream)
    while isinstance(last, NODES) and last:
        last = last[last_key(last)]
    out = stream.getvalue()
    if not body.endswith("\n") and not isinstance(last, ScalarString):  # a `|` ends its line
        out = out.removesuffix("\n")
    out = "".join(lines[:start]) + out + "".join(lines[end:])
    return (bom + out.replace("\n", newline)).encode()


def _reads_as(raw: bytes, values: Any, version: str) -> bool:
    """Whether the file already reads as `values` and `version` (fast: libyaml, no ruamel)."""
    try:  # without anchors: no alias may share a part
        data = yaml.load(raw, Loader=SAFE_LOADER) if b"&" not in raw else None  # noqa: S506
    except (yaml.YAMLError, ValueError, RecursionError):
        return False
    return (
        isinstance(data, dict)
        and same(data.get("version"), version)
        and (same(data["values"], values) if "values" in data else not values)
    )


@lru_cache(maxsize=16)
def _yaml(mapping: int, sequence: int, offset: int) -> YAML:
    """One round-trip `YAML` per indentation style, reused across files."""
    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.width = 1 << 30  # never re-wrap a long line
    rt.indent(mapping=mapping, sequence=sequence, offset=offset)
    return rt


def _split(raw: bytes, shown: str) -> tuple[str, str, list[str], int, int]:
    """(BOM, line end, lines, first and last line of the document without `---`/`...`)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise _invalid(
            shown, f"not valid UTF-8 (byte {err.start})", None, "save it as UTF-8"
        ) from err
    bom, newline = text[:1] if text[:1] == "\ufeff" else "", "\r\n" if "\r\n" in text else "\n"
    lines = LINES.findall(text.removeprefix(bom).replace("\r\n", "\n"))
    start, end = 0, len(lines)
    for index, line in enumerate(lines):
        start = index + 1 if START.fullmatch(line) else start
        if line.strip() and not line.lstrip().startswith(("#", "%")):
            break
    for index in range(len(lines) - 1, start - 1, -1):
        end = index if END.fullmatch(lines[index]) else end
        if lines[index].strip() and not lines[index].lstrip().startswith("#"):
            break
    return bom, newline, lines, start, end


def _load(body: str, shown: str, skipped: int) -> CommentedMap:
    """The round-trip tree of the one mapping in `body` (which starts after `skipped` lines)."""
    loader = _yaml(2, 4, 2)
    try:
        line = _shared(loader, body) if any(mark in body for mark in "&*<") else None
        if line is not None:
            why = "uses anchors, aliases or merge keys: not rewritten (shared values would split)"
            hint = "expand `&name`, `*name` and `<<:` by hand, then upgrade again"
            raise _invalid(shown, why, line + 1 + skipped, hint)
        documents = list(loader.load_all(body))
    except YAMLError as err:
        mark, problem = getattr(err, "problem_mark", None), getattr(err, "problem", None) or err
        line = mark.line + 1 + skipped if mark is not None else None
        raise _invalid(shown, f"invalid YAML: {problem}", line) from err
    except (ValueError, IndexError, RecursionError) as err:  # ruamel cannot read a scalar
        raise _invalid(shown, f"ruamel.yaml cannot read it: {err!r}", None) from err
    if len(documents) > 1:
        hint = "keep one instance per file"
        raise _invalid(shown, f"holds {len(documents)} YAML documents", None, hint)
    if not documents or not isinstance(documents[0], CommentedMap):
        why = "an instance file is a mapping: template, version, values"
        raise _invalid(shown, why, skipped + 1, None)
    return documents[0]


def _shared(loader: YAML, body: str) -> int | None:
    """The line (from 0) of the first anchor, alias or merge key `<<`, if any."""
    for event in loader.parse(body):
        merge = isinstance(event, ScalarEvent) and event.value == "<<" and not event.style
        if merge or isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
            return int(event.start_mark.line)
    return None


def _invalid(shown: str, why: str, line: int | None, hint: str | None = HINT) -> Any:
    problem = Problem(why, file=shown, line=line)
    return InvalidInputError(f"{problem.location()}: {why}", hint=hint, problems=(problem,))


def _indentation(body: str) -> tuple[int, int, int]:
    """(mapping indent, sequence indent, dash offset) as the file writes them."""
    mapping = sequence = offset = None
    lines, block = [], -1
    for line in body.split("\n"):
        indent = len(line) - len(line.lstrip(" "))
        if not line.strip() or line.lstrip().startswith("#") or 0 <= block < indent:
            continue  # blank, a comment, or the text of a block scalar
        block = indent if BLOCK.search(line) else -1
        lines.append(line)
    for line, below in pairwise(lines):
        column, inner = _lead(line), len(below) - len(below.lstrip(" "))
        if not re.sub(r"\s+#.*$", "", line).endswith(":"):
            continue
        if below.lstrip(" ").startswith("-") and offset is None and inner >= column:
            offset, sequence = inner - column, _lead(below) - column
        elif not below.lstrip(" ").startswith("-") and mapping is None and inner > column:
            mapping = inner - column
    mapping = mapping or 2
    offset = mapping if offset is None else offset
    return mapping, max(sequence or 0, offset + 2), offset


def _lead(line: str) -> int:
    """The column after a line's indentation and dashes."""
    return len(line) - len(LEAD.sub("", line, count=1))
