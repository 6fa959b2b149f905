"""`validate` renders every example: the checker it is given (see `catalog/validation.py`).

Each example that validated against the parameters is completed with the defaults and
rendered from the work tree (or the copy a push hook made) exactly as `render` would;
a failure is a problem named after the example, at the body file and line. All the
examples of one template render within `EXAMPLES_BUDGET` seconds together.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from gitops_templates.errors import GitOpsTemplatesError, Problem

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from gitops_templates.catalog.yamlio import YamlDocument

EXAMPLES_BUDGET = 30.0  # seconds for all the examples of one template (hooks run this)


def render_examples(
    directory: Path, doc: YamlDocument, examples: Sequence[tuple[str, Any]]
) -> list[Problem]:
    """Problems of rendering each `(label, values)` of the template in `directory`."""
    from gitops_templates.rendering.core.values import with_defaults
    from gitops_templates.rendering.render import render_bodies
    from gitops_templates.rendering.source import source_in

    if not examples:
        return []
    base = doc.source.rsplit("/", 1)[0]
    try:
        source = source_in(directory, directory.name, base, directory.parent)
    except GitOpsTemplatesError as err:
        return list(err.problems) or [Problem(err.message, file=base)]
    parameters = doc.data.get("parameters")
    parameters = parameters if isinstance(parameters, dict) else {}
    problems: list[Problem] = []
    deadline = time.monotonic() + EXAMPLES_BUDGET
    for label, values in examples:
        filled = with_defaults(parameters, values if isinstance(values, dict) else {})
        try:
            render_bodies(source, doc.data, filled, None, deadline=deadline)
        except GitOpsTemplatesError as err:
            found = err.problems or (Problem(err.message, file=base),)
            problems += [replace(p, message=f"{label}: {p.message}") for p in found]
    return problems
