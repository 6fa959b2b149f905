"""What an upgrade changes, as unified diffs: the values, and the rendered output."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any

from gitops_templates.errors import GitOpsTemplatesError

if TYPE_CHECKING:
    from gitops_templates.rendering.source import TemplateSource


def values_diff(old: dict[str, Any], new: dict[str, Any], shown: str) -> str:
    """The values before and after, as YAML, in one unified diff."""
    from gitops_templates.catalog.yamlio import dump_yaml

    return _unified(
        dump_yaml(old) if old else "",
        dump_yaml(new) if new else "",
        f"{shown} (values before)",
        f"{shown} (values after)",
    )


def output_diff(
    old_source: TemplateSource, old_values: Any, new_source: TemplateSource, new_values: Any
) -> str:
    """What the template renders before and after, file by file (`` when the same).

    A side that does not render says why in place of its files.
    """
    old_files, old_error = _rendered(old_source, old_values)
    new_files, new_error = _rendered(new_source, new_values)
    parts = [
        f"# {label} does not render: {error}\n"
        for label, error in (("before", old_error), ("after", new_error))
        if error
    ]
    for name in sorted(set(old_files) | set(new_files)):
        parts.append(
            _unified(
                old_files.get(name, ""),
                new_files.get(name, ""),
                f"a/{name} ({old_source.version})",
                f"b/{name} ({new_source.version})",
            )
        )
    return "".join(parts)


def _rendered(source: TemplateSource, values: Any) -> tuple[dict[str, str], str]:
    from gitops_templates.rendering.render import render_source, renderer_for

    try:
        files, _ = render_source(source, values, renderer_for(source))
    except GitOpsTemplatesError as err:
        return {}, err.message
    return files, ""


def _unified(old: str, new: str, old_label: str, new_label: str) -> str:
    if old == new:
        return ""
    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), old_label, new_label
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
