"""`.gitops-templates/yanked.yaml`: versions withdrawn by a rollback.

A yanked version stays tagged (tags never move) but is never picked again as a
rollback target, an upgrade or a rollout candidate until a roll-forward un-yanks it.
The file is committed with the rollback, so every clone agrees on it.

    web:
      - version: 1.3.0
        reason: error rate doubled
        by: web@1.3.1
        date: '2026-11-24'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gitops_templates.core.jsonform import to_json
from gitops_templates.errors import InvalidInputError, Problem

if TYPE_CHECKING:
    from collections.abc import Mapping

    from gitops_templates.catalog.workspace import Workspace

YANKED_FILE = ".gitops-templates/yanked.yaml"
_HEADER = (
    "# Versions withdrawn by `gitops-templates rollback`: never picked again as a\n"
    "# rollback target, upgrade or rollout candidate. `rollforward` removes an entry.\n"
)


@dataclass(frozen=True, slots=True)
class YankedVersion:
    """One withdrawn version."""

    version: str
    reason: str
    by: str  # the tag that withdrew it
    date: str


Yanked = dict[str, tuple[YankedVersion, ...]]


def parse_yanked(data: Any, source: str = YANKED_FILE) -> Yanked:
    """The file's mapping `id -> entries`; `InvalidInputError` naming the entry."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise _invalid(source, "", "must be a mapping of template id to a list of entries")
    result: Yanked = {}
    for cid, entries in data.items():
        if not isinstance(entries, list):
            raise _invalid(source, str(cid), "must be a list of {version, reason, by, date}")
        found = []
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict) or not isinstance(entry.get("version"), str):
                raise _invalid(source, f"{cid}[{index}]", "needs a `version` string")
            found.append(
                YankedVersion(
                    entry["version"],
                    str(entry.get("reason") or ""),
                    str(entry.get("by") or ""),
                    str(entry.get("date") or ""),
                )
            )
        result[str(cid)] = tuple(found)
    return result


def read_yanked(ws: Workspace) -> Yanked:
    """The yanked versions committed at HEAD (empty when there is no file).

    The parsed file is remembered by blob id: an unchanged file costs no YAML parse.
    """
    name = ws.settings.path(YANKED_FILE)
    blob = ws.blob_ids([f"{ws.head}:{name}"])[0]
    if blob is None:
        ws.facts.save()
        return {}

    def fetch(keys: list[str]) -> dict[str, Any]:
        from gitops_templates.catalog.yamlio import load_yaml

        raw = ws.repo.read_blobs(keys)[keys[0]]
        parsed = parse_yanked(load_yaml(raw, name).data, name)
        return {keys[0]: {cid: to_json(entries) for cid, entries in parsed.items()}}

    stored = ws.facts.lookup("yanked", [blob], fetch, valid=_parses)
    ws.facts.save()
    return parse_yanked(stored[blob])


def _parses(value: object) -> bool:
    """A remembered parse that still reads as a yanked file (else it is read again)."""
    try:
        parse_yanked(value)
    except InvalidInputError:
        return False
    return True


def versions_of(yanked: Mapping[str, tuple[YankedVersion, ...]], cid: str) -> set[str]:
    """Yanked version strings of one template."""
    return {entry.version for entry in yanked.get(cid, ())}


def with_yanked(yanked: Yanked, cid: str, entry: YankedVersion) -> Yanked:
    """`yanked` with `entry` added (replacing an entry for the same version)."""
    kept = tuple(e for e in yanked.get(cid, ()) if e.version != entry.version)
    return {**yanked, cid: (*kept, entry)}


def without_yanked(yanked: Yanked, cid: str, version: str) -> Yanked:
    """`yanked` with `version` of `cid` removed (the id dropped when empty)."""
    kept = tuple(e for e in yanked.get(cid, ()) if e.version != version)
    rest = {k: v for k, v in yanked.items() if k != cid}
    return {**rest, cid: kept} if kept else rest


def render_yanked(yanked: Yanked) -> str:
    """The file's text: a header, ids sorted, entries in the order they were added."""
    from gitops_templates.catalog.yamlio import dump_yaml

    body = {cid: to_json(entries) for cid, entries in sorted(yanked.items())}
    return _HEADER + (dump_yaml(body) if body else "{}\n")


def _invalid(source: str, pointer: str, message: str) -> InvalidInputError:
    return InvalidInputError(
        f"{source} is invalid: {pointer or 'top level'} {message}",
        problems=(Problem(message, file=source, pointer=pointer or None),),
        hint="the file is written by `rollback`/`rollforward`; restore it from Git history",
    )
