"""Files shipped with the tool: JSON Schemas and doc templates.

In the wheel they live inside the package (`gitops_templates/schemas/`, force-included
by hatch); in a source checkout they are the top-level `schemas/` and `doc_templates/`.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any


def resource_dir(name: str) -> Path:
    """Directory of shipped files: `schemas` or `doc_templates`."""
    package = Path(__file__).resolve().parents[1]  # what importlib.resources.files() gives
    packaged = package / name
    if packaged.is_dir():
        return packaged
    return package.parent / name


@cache
def load_schema(name: str) -> dict[str, Any]:
    """A JSON Schema shipped in `schemas/`, e.g. `template.schema.json`."""
    data: dict[str, Any] = json.loads((resource_dir("schemas") / name).read_text("utf-8"))
    return data
