"""Which body files a template renders and where to. Pure.

`files:` in template.yaml lists them (`source`, `target`, optional `output_schema`);
without it every `*.j2` file of the template renders to its own path without `.j2`,
except partials (`_name.j2`, included by others, as in Helm) and anything under
`tests/` and `examples/`. A target is a relative path that stays
inside the output directory: no absolute path, no `..`, no backslash, no NUL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

BODY_SUFFIX = ".j2"
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# A `.git` component would write into a repository's own files (its config runs commands)
_GIT_DIR = re.compile(r"^\.git[. ]*$", re.IGNORECASE)
NOT_BODIES = ("tests/", "examples/")  # directories of a template that hold no body files


@dataclass(frozen=True, slots=True)
class BodyFile:
    """One file to render: its source in the template directory and its output path."""

    source: str
    target: str
    output_schema: str | None = None
    index: int | None = None  # its place in `files:`, None when found by `*.j2`


def clean_path(path: Any) -> str | None:
    """`path` normalized (`a/./b` -> `a/b`), or None when it could leave its directory.

    Control characters (a newline would forge a `==> path <==` header, an escape would
    reach the terminal) and backslashes are refused too.
    """
    if not isinstance(path, str) or not path or "\\" in path or _CONTROL.search(path):
        return None
    if path.startswith("/") or (len(path) > 1 and path[1] == ":"):  # `/etc`, `C:`
        return None
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        return None
    return "/".join(parts)


def body_files(metadata: Mapping[str, Any], paths: Iterable[str]) -> tuple[BodyFile, ...]:
    """The body files of a template whose directory holds `paths` (relative, posix)."""
    declared = metadata.get("files")
    if isinstance(declared, list):
        return tuple(_declared(declared))
    return tuple(
        BodyFile(path, path.removesuffix(BODY_SUFFIX)) for path in sorted(paths) if _is_body(path)
    )


def _is_body(path: str) -> bool:
    """`*.j2` outside tests/ and examples/; `_name.j2` is a partial (as in Helm)."""
    name = path.rsplit("/", 1)[-1]
    return (
        name.endswith(BODY_SUFFIX) and len(name) > len(BODY_SUFFIX)
        and not name.startswith("_") and not path.startswith(NOT_BODIES)
    )  # fmt: skip


def _declared(entries: list[Any]) -> Iterable[BodyFile]:
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        schema = entry.get("output_schema")
        yield BodyFile(
            str(entry.get("source", "")),
            str(entry.get("target", "")),
            schema if isinstance(schema, str) else None,
            index,
        )


def target_problems(bodies: Iterable[BodyFile]) -> list[tuple[BodyFile, str]]:
    """Targets refused, each with why.

    Those that would leave the output directory or enter a `.git` directory, those
    written twice, and those that would be both a file and a directory (`a`, `a/b`).
    """
    found: list[tuple[BodyFile, str]] = []
    seen: dict[str, BodyFile] = {}
    for body in bodies:
        target = clean_path(body.target)
        if target is None:
            why = "an absolute path, `..` or a control character"
            found.append((body, f"target {body.target!r} would be written outside the output "
                                f"directory ({why})"))  # fmt: skip
        elif any(_GIT_DIR.match(part) for part in target.split("/")):
            found.append((body, f"target {target!r} would write into a `.git` directory"))
        elif target in seen:
            found.append((body, f"target {target!r} is also the target of "
                                f"{seen[target].source!r}"))  # fmt: skip
        else:
            seen[target] = body
    found += _file_and_directory(seen)
    return found


def _file_and_directory(targets: dict[str, BodyFile]) -> list[tuple[BodyFile, str]]:
    parents = {"/".join(t.split("/")[:n]): t for t in targets for n in range(1, t.count("/") + 1)}
    return [(body, f"target {t!r} is also a directory of {parents[t]!r}")
            for t, body in targets.items() if t in parents]  # fmt: skip
