"""Use-cases `init` and `new`: a commented config and a template that validates as is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from gitops_templates.catalog.config import CONFIG_NAMES
from gitops_templates.catalog.resources import editor_line
from gitops_templates.core.jsonform import JsonDocument
from gitops_templates.errors import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from gitops_templates.catalog.workspace import Workspace

DEFAULT_CONFIG = """\
# gitops-templates catalog configuration. Every key is optional; the values below
# are the defaults. Reference: the project README (Configuration).

# Where templates live: one directory per template, each with a template.yaml.
templates_dir: templates

# How version tags are named. {id} may be left out only in a one-component
# catalog (e.g. "v{version}"). Repositories migrating from release-please or
# changesets may use "{id}-v{version}".
tag_format: "{id}@{version}"

# Version of a template's first release. Quote versions: YAML reads 1.10 as 1.1.
initial_version: "0.1.0"

# Commit type -> bump level (major | minor | patch | none). Types not listed do not
# release; breaking changes (`!` or a BREAKING CHANGE footer) are always major.
bump_types:
  feat: minor
  fix: patch
  perf: patch
  # revert: patch
  # refactor: patch
  # deps: patch

# Rules while a template is 0.x (release-please's bump-minor-pre-major and
# bump-patch-for-minor-pre-major): breaking -> major|minor, feat -> minor|patch.
zero_major:
  breaking: minor
  feat: minor

# Directories without template.yaml that should still be versioned, with changelogs
# and tags (not validated or rendered):
# components:
#   web: packages/web
#   api: {path: services/api, tag_format: "api-v{version}"}

# Walk only the first-parent chain (merge commits stand for their branches).
first_parent: false

# Always sign version tags (otherwise git config tag.gpgSign decides).
sign_tags: false

# When commits declare less than the schema diff detects: enforce | escalate | warn.
compatibility: enforce

# Changelog files (Keep a Changelog) written by `release --commit` in the release commit:
# each template's templates/<id>/CHANGELOG.md, and with catalog: true one for the catalog.
# changelog:
#   file: CHANGELOG.md
#   catalog: false
"""

TEMPLATE_YAML = """\
{editor_line}apiVersion: gitops-templates/v1
id: {id}
name: {name}
description: >-
  What {id} renders and when to use it. One or two sentences for the catalog index.
owners: [platform-team]
category: general
tags: []
parameters:
  $schema: "http://json-schema.org/draft-07/schema#"
  type: object
  additionalProperties: false
  required: [name]
  properties:
    name:
      type: string
      description: Name of the service this instance is for.
      pattern: "^[a-z][a-z0-9-]{{0,62}}$"
    environment:
      type: string
      description: Target environment.
      enum: [dev, staging, prod]
      default: dev
files:
  - source: config.yaml.j2
    target: config.yaml
examples:
  - name: minimal
    values:
      name: checkout
"""

BODY = """\
# Rendered by gitops-templates from {id}.
service: {{{{ name }}}}
environment: {{{{ environment | default("dev") }}}}
"""

EXAMPLE = """\
name: checkout
environment: prod
"""


@dataclass(frozen=True, slots=True)
class ScaffoldResult(JsonDocument):
    """Files a scaffolding command wrote."""

    json_fields: ClassVar[tuple[str, ...]] = ("schema_version", "written")

    written: tuple[str, ...]


def init(
    ws: Workspace, *, force: bool = False, extras: Mapping[str, str] | None = None
) -> ScaffoldResult:
    """Write a commented default `gitops-templates.yaml`, and `extras` (CI files).

    With `extras` an existing configuration is kept; the other files are all written
    or, when one exists already (without `force`), none.
    """
    extras = dict(extras or {})
    root = ws.repo.root
    existing = [name for name in CONFIG_NAMES if (root / name).exists()]
    if existing and not force and not extras:
        raise InvalidInputError(
            f"{existing[0]} already exists", hint="pass --force to overwrite it"
        )
    config = editor_line("config.schema.json") + DEFAULT_CONFIG
    files = {} if existing and not force else {CONFIG_NAMES[0]: config}
    written = write_files(root, files | extras, force=force)
    return ScaffoldResult(written + _ignore(root, IGNORED))


IGNORED = ".gitops-templates/metrics.db*"  # the metrics database and its WAL files


def _ignore(root: Path, pattern: str) -> tuple[str, ...]:
    """Add `pattern` to `.gitignore` unless it is there; (".gitignore",) when written."""
    from gitops_templates.catalog.files import read_bytes, write_text

    path = root / ".gitignore"
    text = read_bytes(root, path).decode("utf-8", "replace") if path.exists() else ""
    if pattern in text.splitlines():
        return ()
    separator = "" if not text or text.endswith("\n") else "\n"
    write_text(root, path, f"{text}{separator}{pattern}\n")
    return (".gitignore",)


def write_files(root: Path, files: Mapping[str, str], *, force: bool) -> tuple[str, ...]:
    """Write all files, or none when one exists already (unless `force`)."""
    existing = [p for p in files if (root / p).exists()]
    if existing and not force:
        raise InvalidInputError(f"{existing[0]} already exists", hint="pass --force to overwrite")
    from gitops_templates.catalog.files import write_text

    for path, text in files.items():
        write_text(root, root / path, text)
    return tuple(files)


def new_template(ws: Workspace, tid: str) -> ScaffoldResult:
    """Scaffold `templates/<id>/` with metadata, a body and an example."""
    from gitops_templates.core.models import is_valid_id

    if not is_valid_id(tid):
        raise InvalidInputError(
            f"{tid!r} is not a valid template id",
            hint="use lower-case letters, digits, '.', '_' and '-' (no '@', '/' or '..'), "
            "starting with a letter or digit, not ending in '.' or '.lock', at most 64 "
            "characters",
        )
    rel = f"{ws.settings.templates_dir}/{tid}"
    directory: Path = ws.repo.root / rel
    if directory.exists():
        raise InvalidInputError(f"{rel} already exists", hint="choose another id")
    name = tid.replace("-", " ").replace("_", " ").title()
    files = {
        "template.yaml": TEMPLATE_YAML.format(
            id=tid, name=name, editor_line=editor_line("template.schema.json")
        ),
        "config.yaml.j2": BODY.format(id=tid),
        "examples/prod.yaml": EXAMPLE,
    }
    from gitops_templates.catalog.files import write_text

    for path, text in files.items():
        write_text(ws.repo.root, directory / path, text)
    return ScaffoldResult(tuple(f"{rel}/{p}" for p in files))
