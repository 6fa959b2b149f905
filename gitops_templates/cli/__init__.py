"""The click layer: parse options, call the `Catalog` API, print. Nothing else.

The click application lives in `cli.app`; this package only names it (`main`,
`COMMANDS`) lazily, so `cli.githook`, which installed git hooks run on every commit,
starts without importing click.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gitops_templates.cli.app import COMMANDS, main

__all__ = ["COMMANDS", "main"]


def __getattr__(name: str) -> Any:
    """`main` and `COMMANDS`, imported from `cli.app` on first use."""
    if name in __all__:
        from gitops_templates.cli import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
