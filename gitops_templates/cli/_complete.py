"""Shell completion of template ids and versions (`rollback web --to <TAB>`).

Completion runs without the group's callback, so the catalog is opened from the root
command's `--repo`/`--config` values; any failure completes nothing rather than print.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from click.shell_completion import CompletionItem

if TYPE_CHECKING:
    import click

    from gitops_templates.api import Catalog

# The parameters that name a template, whichever the command calls it.
_ID_PARAMETERS = ("template_id", "cid", "ref", "ids")


def template_ids(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Template ids starting with `incomplete`."""
    catalog = _catalog(ctx)
    if catalog is None:
        return []
    try:
        ids = [c.id for c in catalog.components if c.kind == "template"]
    except Exception:  # completion must never print a traceback
        return []
    return [CompletionItem(i) for i in sorted(ids) if i.startswith(incomplete)]


def template_refs(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """`ID`, or once an `@` is typed, `ID@VERSION` for each version of that template."""
    if "@" not in incomplete:
        return template_ids(ctx, param, incomplete)
    tid, _, start = incomplete.partition("@")
    return [CompletionItem(f"{tid}@{v}") for v in _versions(ctx, tid) if v.startswith(start)]


def versions(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Versions of the template the command names already, highest first."""
    named = next((ctx.params.get(name) for name in _ID_PARAMETERS if ctx.params.get(name)), None)
    if named is None:  # `ID --to <TAB>`: parsing stopped at the option; ID is still unparsed
        named = next((arg for arg in ctx.args if not arg.startswith("-")), None)
    tid = named[0] if isinstance(named, tuple) else named
    if not isinstance(tid, str):
        return []
    found = _versions(ctx, tid.partition("@")[0])
    return [CompletionItem(v) for v in found if v.startswith(incomplete)]


def _versions(ctx: click.Context, tid: str) -> list[str]:
    catalog = _catalog(ctx)
    try:
        return catalog.versions(tid) if catalog is not None else []
    except Exception:
        return []


def _catalog(ctx: click.Context) -> Catalog | None:
    from gitops_templates.api import Catalog

    root = ctx.find_root().params
    try:
        return Catalog(root.get("repo_path") or ".", config=root.get("config_path"))
    except Exception:
        return None
