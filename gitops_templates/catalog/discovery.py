"""Which directories of HEAD's tree are templates: those holding a `template.yaml`. Pure."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gitops_templates.core.models import Component, Notice, is_valid_id

if TYPE_CHECKING:
    from collections.abc import Sequence

    from gitops_templates.catalog.config import Settings
    from gitops_templates.core.models import TreeEntry


def discover_templates(
    entries: Sequence[TreeEntry], settings: Settings
) -> tuple[list[Component], list[Notice]]:
    """Template directories (those holding `template.yaml`) and naming problems."""
    found: list[Component] = []
    notices: list[Notice] = []
    for entry in entries:
        parts = entry.path.split("/")
        if len(parts) != 2 or parts[1] != "template.yaml":
            continue
        tid = parts[0]
        if tid.startswith(("_", ".")):
            continue
        if not is_valid_id(tid):
            notices.append(
                Notice(
                    "invalid-id",
                    f"{settings.templates_dir}/{tid}: {tid!r} is not a valid template id "
                    "(lower-case letters, digits, `.`, `_`, `-`; no `@`, `/` or `..`); skipped",
                    tid,
                )
            )
            continue
        found.append(Component(tid, f"{settings.templates_dir}/{tid}", settings.tag_format))
    return found, notices
