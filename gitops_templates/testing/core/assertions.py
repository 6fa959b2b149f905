"""Assertions of test cases on rendered files, in the spirit of helm-unittest. Pure.

An assertion is one mapping with one kind and optional `file`, `document` (which YAML
document of the file, from 0) and `not` (inverts it):

    contains: "replicas: 3"            not_contains: debug
    matches: "^kind: Deployment$"      (a regular expression, multi-line, time-bounded)
    equals: {path: spec.replicas, value: 3}
    exists: metadata.labels.app        length: {path: spec.ports, value: 2}

Text kinds look at `file`, or at any file when none is named; path kinds need the parsed
file (`file` may be left out when only one file was rendered). Paths are dotted with
`[n]` indexes and `["key"]` for keys holding dots (`spec.containers[0].image`,
`metadata.labels["app.kubernetes.io/name"]`). `snapshot` and `fails` are handled by the
runner, not here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gitops_templates.core.patterns import search
from gitops_templates.errors import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

TEXT_KINDS = ("contains", "not_contains", "matches")
PATH_KINDS = ("equals", "exists", "length")
KINDS = (*TEXT_KINDS, *PATH_KINDS, "snapshot", "fails")
MISSING = object()
_PATH_PART = re.compile(r'\["([^"]*)"\]|\[(\d+)\]|([^.\[\]]+)')


@dataclass(frozen=True, slots=True)
class Outcome:
    """Whether one assertion held, and why not."""

    passed: bool
    message: str = ""


def kind_of(assertion: Mapping[str, Any]) -> str:
    """The assertion's kind (the schema guarantees exactly one)."""
    return next(k for k in KINDS if k in assertion)


def evaluate(
    assertion: Mapping[str, Any],
    files: Mapping[str, str],
    parse: Callable[[str], list[Any]],
) -> Outcome:
    """A text or path assertion on `files` (target -> text).

    `parse(target)` gives the documents of a YAML or JSON file (`ValueError` for others).
    """
    kind = kind_of(assertion)
    inverted = bool(assertion.get("not"))
    if kind in TEXT_KINDS:
        outcome = _text(kind, assertion, files)
    else:
        outcome = _path(kind, assertion, files, parse)
    if not inverted:
        return outcome
    if outcome.message.startswith("no file"):
        return outcome  # a missing file is not a negative result
    return Outcome(
        not outcome.passed, "" if not outcome.passed else f"not: {_describe(kind, assertion)} held"
    )


def _text(kind: str, assertion: Mapping[str, Any], files: Mapping[str, str]) -> Outcome:
    wanted = assertion[kind]
    chosen = _chosen(assertion, files)
    if isinstance(chosen, Outcome):
        return chosen
    if kind == "matches":
        try:
            hits = [name for name, text in chosen.items() if search(wanted, text, multiline=True)]
        except (ValueError, InvalidInputError) as err:  # does not compile, or too slow
            return Outcome(False, str(err))
    else:
        hits = [name for name, text in chosen.items() if str(wanted) in text]
    where = ", ".join(chosen) or "no file"
    if kind == "not_contains":
        return Outcome(not hits, f"{hits[0]} contains {wanted!r}" if hits else "")
    verb = "matches" if kind == "matches" else "contains"
    return Outcome(bool(hits), "" if hits else f"no line of {where} {verb} {wanted!r}")


def _chosen(assertion: Mapping[str, Any], files: Mapping[str, str]) -> dict[str, str] | Outcome:
    name = assertion.get("file")
    if name is None:
        return dict(files)
    if name not in files:
        return Outcome(False, f"no file {name!r} rendered (rendered: {', '.join(files) or 'none'})")
    return {name: files[name]}


def _path(
    kind: str, assertion: Mapping[str, Any], files: Mapping[str, str],
    parse: Callable[[str], list[Any]],
) -> Outcome:  # fmt: skip
    spec = assertion[kind]
    path = spec if isinstance(spec, str) else spec.get("path", "")
    name = assertion.get("file") or (next(iter(files)) if len(files) == 1 else None)
    if name is None or name not in files:
        return Outcome(False, f"no file {name!r} rendered" if name else
                       "no file named: several files were rendered, add `file:`")  # fmt: skip
    try:
        documents = parse(name)
    except ValueError as err:
        return Outcome(False, f"{name}: {err}")
    index = int(assertion.get("document", 0))
    if index >= len(documents):
        return Outcome(False, f"{name} has {len(documents)} document(s), not {index + 1}")
    found = lookup(documents[index], path)
    return _compare(kind, spec, path, found, name)


def _compare(kind: str, spec: Any, path: str, found: Any, name: str) -> Outcome:
    where = f"{name}: {path or '(document)'}"
    if kind == "exists":
        return Outcome(
            found is not MISSING, "" if found is not MISSING else f"{where} does not exist"
        )
    if found is MISSING:
        return Outcome(False, f"{where} does not exist")
    if kind == "equals":
        wanted = spec.get("value")
        same = found == wanted and isinstance(found, bool) == isinstance(wanted, bool)
        return Outcome(same, "" if same else f"{where} is {found!r}, expected {wanted!r}")
    size = len(found) if isinstance(found, list | dict | str) else None
    wanted = spec.get("value")
    return Outcome(size == wanted, "" if size == wanted else
                   f"{where} has length {size}, expected {wanted}")  # fmt: skip


def lookup(document: Any, path: str) -> Any:
    """The value at a dotted path (`a.b[0].c`), or `MISSING`."""
    node = document
    for quoted, index, plain in _PATH_PART.findall(path):
        name = quoted or plain
        if index:
            position = int(index)
            if not isinstance(node, list) or position >= len(node):
                return MISSING
            node = node[position]
        elif isinstance(node, dict) and name in node:
            node = node[name]
        else:
            return MISSING
    return node


def _describe(kind: str, assertion: Mapping[str, Any]) -> str:
    spec = assertion[kind]
    return f"{kind} {spec!r}" if not isinstance(spec, dict) else f"{kind} {spec.get('path')}"
