"""The click layer: parse options, call the `Catalog` API, print. Nothing else.

The click application lives in `cli.app`; this package only names it (`main`,
`COMMANDS`) lazily, so `cli.githook`, which installed git hooks run on every commit,
starts without importing click.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gitops_templates.cli.app import COMMANDS, main

__all__ = ["COMMANDS", "leave", "main", "run"]


def run(prog_name: str | None = None) -> None:
    """The console scripts' entry point: the CLI, then `leave` with its exit code."""
    from gitops_templates.cli.app import main

    try:
        main(prog_name=prog_name)
    except SystemExit as done:
        leave(done.code)
    leave(0)


def leave(code: object) -> None:
    """Exit as `sys.exit(code)` would, without tearing the interpreter down.

    Every command writes and closes its files (and reaps its children) before it
    returns; what Python would still do is free every object one by one, 15-25 ms of
    each command. stdout and stderr are flushed first; a flush that fails (a closed
    pipe) exits 120, as Python's own shutdown does.
    """
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        if sys.stderr is not None:
            sys.stderr.write(f"{code}\n")
        status = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:  # started with that descriptor closed
                stream.flush()
        except (OSError, ValueError):
            status = status or 120
    os._exit(status & 0xFF)


def __getattr__(name: str) -> Any:
    """`main` and `COMMANDS`, imported from `cli.app` on first use."""
    if name in __all__:
        from gitops_templates.cli import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
