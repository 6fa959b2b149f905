"""Migrations proposed for breaking findings no migration covers yet. Pure.

A detected rename becomes `rename`, a removal `remove` (only if present), a property that
is now required `set_default` with its default, or a placeholder to replace. Findings
inside list items (one operation per item would be needed) are left to the author.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from semver import Version

if TYPE_CHECKING:
    from collections.abc import Sequence

    from gitops_templates.compat.core.rules import Finding

PLACEHOLDER = "CHANGE-ME"
_RENAMED = "param-renamed"
_REMOVED = ("param-removed", "param-removed-partial-model", "param-removed-open-model")
_REQUIRED = ("param-added-required", "param-added-required-with-default", "param-became-required")


def propose_operations(findings: Sequence[Finding], parameters: Any) -> tuple[dict[str, Any], ...]:
    """The operations that carry consumers' values over the breaking `findings`."""
    found: list[dict[str, Any]] = []
    for item in findings:
        if not item.breaking or not item.path or not all(isinstance(p, str) for p in item.path):
            continue
        where = _pointer(item.path)
        if item.rule == _RENAMED:
            new_name = item.pointer.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
            found.append(
                {"op": "rename", "from": where, "path": _pointer((*item.path[:-1], new_name))}
            )
        elif item.rule in _REMOVED:
            found.append({"op": "remove", "path": where, "if_present": True})
        elif item.rule in _REQUIRED:
            default = _default(parameters, item.path)
            found.append({"op": "set_default", "path": where, "value": default})
    return tuple(found)


def covered(metadata: Any, since: str) -> bool:
    """Whether template.yaml declares a migration for a version above `since`.

    `since` that is not a version (a revision) counts any migration.
    """
    entries = metadata.get("migrations") if isinstance(metadata, dict) else None
    if not isinstance(entries, list) or not entries:
        return False
    try:
        floor = Version.parse(since.rsplit("@", 1)[-1].removeprefix("v"))
    except ValueError:
        return True
    for entry in entries:
        try:
            if Version.parse(str(entry.get("version", "")).removeprefix("v")) > floor:
                return True
        except (ValueError, AttributeError):
            continue
    return False


def migration_text(
    version: str,
    operations: Sequence[dict[str, Any]],
    description: str = "describe the change for consumers",
    *,
    append: bool = False,
) -> str:
    """The `migrations:` entry as YAML to paste into template.yaml (empty: no operations).

    `append`: template.yaml has a `migrations:` list already; the entry goes at its end.
    """
    if not operations:
        return ""
    lines = ["# add to the end of `migrations:`"] if append else ["migrations:"]
    lines += [
        f"  - version: {json.dumps(version)}",
        f"    description: {json.dumps(description, ensure_ascii=False)}",
        "    ops:",
    ]
    for operation in operations:
        fields = ", ".join(f"{key}: {json.dumps(value, ensure_ascii=False)}"
                           for key, value in operation.items())  # fmt: skip
        note = "  # replace the placeholder" if operation.get("value") == PLACEHOLDER else ""
        lines.append(f"      - {{{fields}}}{note}")
    return "\n".join(lines) + "\n"


def _pointer(path: Sequence[str | int]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _default(parameters: Any, path: Sequence[str | int]) -> Any:
    """The new property's default, else its first allowed value, else a placeholder."""
    node = parameters
    for name in path:
        properties = node.get("properties") if isinstance(node, dict) else None
        node = properties.get(name) if isinstance(properties, dict) else None
    if not isinstance(node, dict):
        return PLACEHOLDER
    if "default" in node:
        return node["default"]
    if "const" in node:
        return node["const"]
    choices = node.get("enum")
    return choices[0] if isinstance(choices, list) and choices else PLACEHOLDER
