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

if TYPE_CHECKING:
    from collections.abc import Sequence

    from gitops_templates.catalog.yamlio import YamlDocument


@dataclass(frozen=True, slots=True)
class Values:
    """Merged values and the value files they came from."""

    data: dict[str, Any] = field(default_factory=dict)
    documents: tuple[YamlDocument, ...] = ()


def load_values(files: Sequence[str] = (), sets: Sequence[str] = ()) -> Values:
    """`-f` files merged in order, then each `--set key=value`."""
    from pathlib import Path

    from gitops_templates.catalog.files import read_bytes
    from gitops_templates.catalog.yamlio import load_yaml

    data: dict[str, Any] = {}
    documents = []
    for name in files:
        doc = load_yaml(read_bytes(None, Path(name)), name)  # a file the user named: anywhere
        if doc.data is None:
            continue
        if not isinstance(doc.data, dict):
            why = "a values file must be a mapping of parameter names to values"
            raise InvalidInputError(f"{name}: {why}", problems=(Problem(why, file=name, line=1),))
        data = merge(data, doc.data)
        documents.append(doc)
    for assignment in sets:
        data = set_path(data, *_assignment(assignment))
    return Values(data, tuple(documents))


def _assignment(text: str) -> tuple[list[str], Any]:
    from gitops_templates.catalog.yamlio import load_yaml

    key, sep, raw = text.partition("=")
    parts = split_key(key.strip()) if sep else None
    if parts is None:
        raise InvalidInputError(f"--set {text!r}: expected KEY=VALUE",
                                hint="e.g. --set replicas=3 --set db.host=pg.internal")  # fmt: skip
    value = load_yaml(raw, f"--set {key}").data if raw.strip() else ""
    return parts, value
