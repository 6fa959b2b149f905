"""Instance files: a consumer's `{template, version, values}`, read, checked and written."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gitops_templates.errors import InvalidInputError, NotFoundError, Problem
from gitops_templates.migrations.core.pins import Pin

if TYPE_CHECKING:
    from gitops_templates.catalog.yamlio import YamlDocument

MAX_INSTANCE_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class Instance:
    """One instance file as read."""

    path: Path
    shown: str  # as the user named it
    raw: bytes
    document: YamlDocument
    template: str
    pin: Pin

    @property
    def values(self) -> dict[str, Any]:
        """The values (an empty mapping when the file has none)."""
        values = self.document.data.get("values")
        return values if isinstance(values, dict) else {}


def read_instance(name: str) -> Instance:
    """Read and check one instance file; `InvalidInputError` naming file, line and rule."""
    from gitops_templates.catalog.schema import validate_against
    from gitops_templates.catalog.yamlio import load_yaml

    path = Path(name)
    raw = _read(path, name)
    document = load_yaml(raw, name)
    if not isinstance(document.data, dict):
        why = "an instance file is a mapping: template, version, values"
        raise InvalidInputError(f"{name}: {why}", problems=(Problem(why, file=name, line=1),))
    problems = validate_against(document, "instance.schema.json")
    if problems:
        raise InvalidInputError(
            f"{name} is not an instance file: {problems[0].location()}: {problems[0].message}",
            hint="an instance file holds `template: ID`, `version: 1.4.2|^1.4|~1.4`, `values:`",
            problems=tuple(problems),
        )
    try:
        pin = Pin.parse(document.data["version"])
    except ValueError as err:
        line = document.line_of(("version",))
        raise InvalidInputError(
            f"{name}: {err}", problems=(Problem(str(err), file=name, pointer="version", line=line),)
        ) from None
    return Instance(path, name, raw, document, document.data["template"], pin)


def _read(path: Path, name: str) -> bytes:
    try:
        if not path.exists():
            raise NotFoundError(f"{name} does not exist", hint="name instance files (YAML)")
        if not path.is_file():
            raise InvalidInputError(f"{name} is not a regular file",
                                    hint="name instance files (YAML)")  # fmt: skip
        if path.stat().st_size > MAX_INSTANCE_BYTES:
            raise InvalidInputError(
                f"{name} is larger than {MAX_INSTANCE_BYTES >> 20} MiB",
                hint="is this an instance file?",
            )
        return path.read_bytes()
    except OSError as err:
        raise InvalidInputError(f"{name}: {err.strerror or err}") from None


def write_instance(instance: Instance, content: bytes) -> None:
    """Replace the file with `content` in one rename: readers see the old or the new file.

    The file must be unchanged since it was read and not a symbolic link; its mode is kept.
    """
    import tempfile

    path = instance.path
    if path.is_symlink():
        raise InvalidInputError(
            f"{instance.shown} is a symbolic link; not rewriting through it",
            hint="upgrade the file it points to",
        )
    if path.read_bytes() != instance.raw:
        raise InvalidInputError(
            f"{instance.shown} changed while it was being upgraded", hint="run the upgrade again"
        )
    mode = path.stat().st_mode & 0o7777
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        Path(temporary).chmod(mode)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
