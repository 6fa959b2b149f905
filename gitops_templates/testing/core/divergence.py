"""How two renders of the same input differ, and which differences have the same shape. Pure.

A difference is described by position (`diff_shape`, `describe`: which lines were
replaced, inserted or deleted). It is grouped by kind (`group_key`): per file, each
change's kind and the skeleton of the lines it touches (indentation, YAML/JSON keys and
punctuation; values and positions left out). Two inputs that take the same `{% if %}`
branch change the same skeleton even when their values differ and when optional blocks
above it move it down, so they fall in one group.
"""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

Opcodes = tuple[tuple[str, int, int, int, int], ...]
Shape = tuple[tuple[str, str, Opcodes], ...]
GroupKey = tuple[tuple[str, str, tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]], ...]

_KEY = re.compile(r"""^(\s*(?:- )*)(["']?[\w.$@/-]+["']?\s*:)(?=\s|$)""")
_VALUE = re.compile(r"""("(?:[^"\\]|\\.)*"|'[^']*'|[^\s"'\[\]{}(),:=<>|]+)""")


def diff_shape(champion: Mapping[str, str], challenger: Mapping[str, str]) -> Shape:
    """The shape of the difference between two sets of files (empty when identical)."""
    shape: list[tuple[str, str, Opcodes]] = []
    for path in sorted(champion.keys() | challenger.keys()):
        if path not in challenger:
            shape.append((path, "removed", ()))
        elif path not in champion:
            shape.append((path, "added", ()))
        elif champion[path] != challenger[path]:
            old, new = champion[path].splitlines(), challenger[path].splitlines()
            matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
            ops = tuple(op for op in matcher.get_opcodes() if op[0] != "equal")
            shape.append((path, "changed", ops))
    return tuple(shape)


def group_key(champion: Mapping[str, str], challenger: Mapping[str, str]) -> GroupKey:
    """What kind of difference this is: positions and values left out (see the module)."""
    key = []
    for path, kind, ops in diff_shape(champion, challenger):
        old = champion.get(path, "").splitlines()
        new = challenger.get(path, "").splitlines()
        changes = tuple((tag, tuple(_skeleton(x) for x in old[i1:i2]),
                         tuple(_skeleton(x) for x in new[j1:j2]))
                        for tag, i1, i2, j1, j2 in ops)  # fmt: skip
        key.append((path, kind, changes))
    return tuple(key)


def _skeleton(line: str) -> str:
    """`  port: 8080` -> `  port: ~`; a line without a key keeps its punctuation only."""
    keyed = _KEY.match(line)
    head, rest = (keyed.group(0), line[keyed.end() :]) if keyed else ("", line)
    return head + _VALUE.sub("~", rest)


def describe(shape: Shape) -> str:
    """`body.yaml: lines 3-4 replaced, line 9 inserted` and the like."""
    parts = []
    for path, kind, ops in shape:
        if kind != "changed":
            parts.append(f"{path} {'only from the challenger' if kind == 'added' else 'dropped'}")
            continue
        changes = [_change(tag, i1, i2, j1, j2) for tag, i1, i2, j1, j2 in ops]
        parts.append(f"{path}: {', '.join(changes) or 'line endings'}")
    return "; ".join(parts)


def _change(tag: str, i1: int, i2: int, j1: int, j2: int) -> str:
    if tag == "insert":
        return f"{_lines(j1, j2)} inserted"
    if tag == "delete":
        return f"{_lines(i1, i2)} deleted"
    return f"{_lines(i1, i2)} replaced"


def _lines(start: int, end: int) -> str:
    return f"line {start + 1}" if end - start <= 1 else f"lines {start + 1}-{end}"


def unified(champion: Mapping[str, str], challenger: Mapping[str, str],
            labels: tuple[str, str]) -> str:  # fmt: skip
    """A unified diff of every file that differs."""
    out: list[str] = []
    for path in sorted(champion.keys() | challenger.keys()):
        old, new = champion.get(path, ""), challenger.get(path, "")
        if old != new:
            out += difflib.unified_diff(
                old.splitlines(keepends=True), new.splitlines(keepends=True),
                f"{path} ({labels[0]})", f"{path} ({labels[1]})",
            )  # fmt: skip
    return "".join(line if line.endswith("\n") else line + "\n" for line in out)
