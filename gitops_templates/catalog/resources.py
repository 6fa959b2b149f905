"""Files shipped with the tool: JSON Schemas and doc templates.

In the wheel they live inside the package (`gitops_templates/schemas/`, force-included
by hatch); in a source checkout they are the top-level `schemas/` and `doc_templates/`.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

# Where the schemas are published: each schema's `$id`, and what editors are pointed at.
SCHEMA_BASE = "https://raw.githubusercontent.com/gitops-templates/gitops-templates/main/schemas/"


def schema_url(name: str) -> str:
    """The published address of a shipped schema, e.g. `template.schema.json`."""
    return SCHEMA_BASE + name


def editor_line(name: str) -> str:
    """The first line that makes yaml-language-server (VS Code, ...) validate a file."""
    return f"# yaml-language-server: $schema={schema_url(name)}\n"


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


@cache
def schema_stamp(name: str) -> str:
    """This tool's version and a digest of one shipped schema.

    A verdict remembered against that schema holds only for them: another version of
    the tool or of the schema checks anew.
    """
    import hashlib

    from gitops_templates import __version__

    shipped = (resource_dir("schemas") / name).read_bytes()
    return f"{__version__}+{hashlib.sha256(shipped).hexdigest()[:12]}"
