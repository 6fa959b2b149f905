"""Parameter values from the command line: `-f` value files and `--set key=value`.

Files are YAML mappings (JSON is YAML), read with the safe loader, at most 2 MB, merged
in order; `--set` values are read as YAML scalars or flow collections (`3` is a number,
`true` a boolean, `[a, b]` a list, `'3'` a string) and go last. The documents are kept
so a value that does not validate is reported at its file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gitops_templates.errors import InvalidInputError, Problem
from gitops_templates.rendering.core.values import merge, set_path, split_key

MAX_NESTING = 64  # levels of lists and mappings in parameter values

if TYPE_CHECKING:
    from collections.abc import Sequence

    from gitops_templates.catalog.yamlio import YamlDocument


@dataclass(frozen=True, slots=True)
class Values:
    """Merged values and the value files they came from."""

    data: dict[str, Any] = field(default_factory=dict)
    documents: tuple[YamlDocument, ...] = ()
    sets: tuple[list[str], ...] = ()  # the key paths `--set` gave, in order


def load_values(files: Sequence[str] = (), sets: Sequence[str] = ()) -> Values:
    """`-f` files merged in order, then each `--set key=value`."""
    from pathlib import Path

    from gitops_templates.catalog.files import read_bytes
    from gitops_templates.catalog.yamlio import load_yaml

    data: dict[str, Any] = {}
    documents = []
    for name in files:
        try:  # a file the user named: anywhere, but a regular file of a sensible size
            raw = read_bytes(None, Path(name))
        except InvalidInputError as err:
            why = err.problems[0].message if err.problems else err.message
            raise InvalidInputError(f"-f {name}: {why}", problems=err.problems,
                                    hint="a values file is a YAML mapping of parameter values",
                                    ) from None  # fmt: skip
        doc = load_yaml(raw, name)
        if doc.data is None:
            continue
        if nesting(doc.data) > MAX_NESTING:
            raise InvalidInputError(f"{name}: values nest more than {MAX_NESTING} levels deep")
        if not isinstance(doc.data, dict):
            why = "a values file must be a mapping of parameter names to values"
            raise InvalidInputError(f"{name}: {why}", problems=(Problem(why, file=name, line=1),))
        data = merge(data, doc.data)
        documents.append(doc)
    keys = []
    for assignment in sets:
        parts, value = _assignment(assignment)
        data = set_path(data, parts, value)
        keys.append(parts)
    if nesting(data) > MAX_NESTING:
        raise InvalidInputError(f"values nest more than {MAX_NESTING} levels deep")
    return Values(data, tuple(documents), tuple(keys))


def nesting(value: Any) -> int:
    """How deep lists and mappings nest in `value` (without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth <= MAX_NESTING:
                stack += [
                    (v, depth + 1) for v in (item.values() if isinstance(item, dict) else item)
                ]
    return deepest


def _assignment(text: str) -> tuple[list[str], Any]:
    from gitops_templates.catalog.yamlio import load_yaml

    key, sep, raw = text.partition("=")
    parts = split_key(key.strip()) if sep else None
    if parts is None:
        raise InvalidInputError(f"--set {text!r}: expected KEY=VALUE",
                                hint="e.g. --set replicas=3 --set db.host=pg.internal")  # fmt: skip
    value = load_yaml(raw, f"--set {key}").data if raw.strip() else ""
    return parts, value


def value_problems(
    parameters: dict[str, Any], values: Any, given: Values | None = None
) -> list[Problem]:
    """Values against the parameter schema, each problem where its value came from.

    That is the `--set` that gave it, or the value file that set the most of its path.
    """
    from gitops_templates.catalog.schema import validate_values
    from gitops_templates.catalog.yamlio import YamlDocument

    found = validate_values(parameters, values, YamlDocument(values, {}, "values"), ())
    return [_located(problem, given) for problem in found] if given else found


def _located(problem: Problem, given: Values) -> Problem:
    from dataclasses import replace

    path = _path(problem.pointer or "")
    for parts in reversed(given.sets):  # applied last: they win
        if parts and tuple(parts) == path[: len(parts)]:
            return replace(problem, file=f"--set {'.'.join(parts)}", line=None)
    best, depth = None, -1
    for doc in given.documents:
        known = max((n for n in range(len(path) + 1) if path[:n] in doc.lines), default=-1)
        if known >= depth and known >= 0:
            best, depth = doc, known
    if best is None:
        return problem
    return replace(problem, file=best.source, line=best.lines.get(path[:depth]))


def _path(pointer: str) -> tuple[str | int, ...]:
    """`a.b[0]` (the pointer form problems print) back to a path."""
    import re

    parts: list[str | int] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", pointer):
        parts.append(int(index) if index else name)
    return tuple(parts)
