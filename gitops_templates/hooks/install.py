"""Use-case `hooks install`: native git hooks that call the tool.

Hooks go where git looks for them (`git rev-parse --git-path hooks`, which honours
`core.hooksPath`). A hook file someone else wrote is never replaced silently: without
`--force` the install stops and names it; with `--force` it is kept beside ours as
`<name>.pre-gitops-templates` and ours runs it first, with the same arguments and stdin.
"""

from __future__ import annotations

import shlex
import stat
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from gitops_templates.core.jsonform import JsonDocument
from gitops_templates.errors import GitStateError, Problem

if TYPE_CHECKING:
    from pathlib import Path

    from gitops_templates.catalog.workspace import Workspace

CLIENT_HOOKS = ("commit-msg", "pre-push")
SERVER_HOOKS = ("pre-receive",)
MARKER = "# gitops-templates hook: `gitops-templates hooks install` rewrites this file"
CHAINED_SUFFIX = ".pre-gitops-templates"
ENTRY = "gitops_templates.cli.githook"

_SCRIPT = """\
#!/bin/sh
{marker}
PYTHON={python}
if [ ! -x "$PYTHON" ]; then
  echo "gitops-templates {name} hook: $PYTHON is gone; run \\`gitops-templates hooks \\
install\\` again (or bypass once with --no-verify)" >&2
  exit 1
fi
{chain}exec "$PYTHON" -m {entry} {name} "$@"
"""
_CHAIN_ARGS = """\
if [ -x "$0{suffix}" ]; then
  "$0{suffix}" "$@" || exit $?
fi
"""
_CHAIN_STDIN = """\
if [ -x "$0{suffix}" ]; then
  input=$(cat)
  printf '%s\\n' "$input" | "$0{suffix}" "$@" || exit $?
  printf '%s\\n' "$input" | "$PYTHON" -m {entry} {name} "$@"
  exit $?
fi
"""


@dataclass(frozen=True, slots=True)
class InstalledHook:
    """One hook file and what happened to it."""

    name: str
    path: str
    action: str  # created | updated | unchanged | chained (a foreign hook kept, run first)


@dataclass(frozen=True, slots=True)
class InstallResult(JsonDocument):
    """The hooks directory and each hook written."""

    json_fields: ClassVar[tuple[str, ...]] = ("schema_version", "directory", "hooks")

    directory: str
    hooks: tuple[InstalledHook, ...]


def hook_script(name: str, python: str) -> str:
    """The shell script git runs for hook `name` (stdin passed through untouched)."""
    template = _CHAIN_STDIN if name in ("pre-push", "pre-receive") else _CHAIN_ARGS
    chain = template.format(suffix=CHAINED_SUFFIX, entry=ENTRY, name=name)
    return _SCRIPT.format(marker=MARKER, python=shlex.quote(python), name=name, entry=ENTRY,
                          chain=chain)  # fmt: skip


def install_hooks(
    ws: Workspace, *, server: bool = False, force: bool = False, python: str | None = None
) -> InstallResult:
    """Write the client hooks (or, with `server`, pre-receive) into the hooks directory."""
    directory = ws.repo.hooks_dir()
    names = SERVER_HOOKS if server else CLIENT_HOOKS
    foreign = [n for n in names if _is_foreign(directory / n)]
    if foreign and not force:
        raise GitStateError(
            f"{len(foreign)} hook(s) already exist and were not written by gitops-templates: "
            + ", ".join(foreign),
            hint=f"pass --force to keep them as <hook>{CHAINED_SUFFIX} and run them first",
            problems=tuple(Problem("foreign hook", file=str(directory / n)) for n in foreign),
        )
    directory.mkdir(parents=True, exist_ok=True)
    done = []
    for name in names:
        path = directory / name
        action = "created"
        if name in foreign:
            path.rename(directory / f"{name}{CHAINED_SUFFIX}")
            action = "chained"
        script = hook_script(name, python or sys.executable)
        if path.exists():
            action = "unchanged" if path.read_text(errors="replace") == script else "updated"
        if action != "unchanged":
            path.write_text(script)
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        done.append(InstalledHook(name, str(path), action))
    return InstallResult(str(directory), tuple(done))


def _is_foreign(path: Path) -> bool:
    if not path.exists():
        return False
    try:
        return MARKER not in path.read_text(errors="replace")
    except OSError:
        return True
