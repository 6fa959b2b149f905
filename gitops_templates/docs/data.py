"""The data doc templates see: one context per template and one for the catalog.

Metadata comes from the work tree (what is about to be committed); versions, their
changelogs (tag messages) and the schema of each release come from Git in batches;
unreleased commits from the same analysis `status` uses. Values are plain dicts and
lists, so overriding doc templates need nothing but Jinja2.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from gitops_templates.core.jsonform import to_json
from gitops_templates.docs.core.model import (
    ParameterRow,
    history_of_names,
    parameter_rows,
    with_history,
)
from gitops_templates.errors import GitOpsTemplatesError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.catalog.yanked import YankedVersion
    from gitops_templates.core.planning import ComponentState
    from gitops_templates.core.tags import VersionTag

_ROW_FIELDS = tuple(f.name for f in fields(ParameterRow))
CONTEXTS_PARALLEL_MIN = 48  # templates before their contexts are worth a second core


@dataclass(frozen=True, slots=True)
class PlannedVersion:
    """A version a release pull request will tag: docs show it as released.

    `message` is the tag message it will carry (its changelog and trailers are read
    as a tag's); `date` the release date that tag states (`Release-Date`).
    """

    version: str
    tag: str
    message: str


def template_contexts(
    ws: Workspace,
    metadata: Mapping[str, dict[str, Any]],
    planned: Mapping[str, PlannedVersion] | None = None,
) -> list[dict[str, Any]]:
    """One context per template id in `metadata` (parsed template.yaml), in id order.

    `planned` (`release-pr`): those versions are shown as released, as `docs` will
    show them once the tags exist.
    """
    from gitops_templates.catalog.parallel import fork_map
    from gitops_templates.catalog.yanked import read_yanked

    known = {c.id for c in ws.components if c.kind == "template"}
    released = [tid for tid in metadata if tid in known]
    states = {s.component.id: s for s in ws.analyze(released).states} if released else {}
    versions = ws.detailed_versions if released else {}
    yanked = read_yanked(ws)
    schemas = _release_parameters(ws, {tid: versions.get(tid, []) for tid in released})
    ids = sorted(metadata)
    made = fork_map(lambda tid: _context(ws, tid, metadata[tid], states.get(tid),
                                         versions.get(tid, []), yanked.get(tid, ()),
                                         schemas.get(tid, [])),
                    ids, min_items=CONTEXTS_PARALLEL_MIN)  # fmt: skip
    contexts = []
    for tid, context in zip(ids, made, strict=True):
        upcoming = (planned or {}).get(tid)
        if upcoming is not None:
            from gitops_templates.core.version_rules import parse_version

            final = not parse_version(upcoming.version).prerelease  # as _release_parameters
            names = [*schemas.get(tid, []), *([(upcoming.version, _names_now(metadata[tid]))]
                                              if final else [])]  # fmt: skip
            context = _as_released(context, metadata[tid], upcoming, names)
        contexts.append(context)
    return contexts


def _names_now(meta: Mapping[str, Any]) -> list[tuple[str, bool]] | None:
    from gitops_templates.docs.core.model import parameter_names

    params = meta.get("parameters")
    return list(parameter_names(params)) if isinstance(params, dict) else None


def _as_released(
    context: dict[str, Any],
    meta: Mapping[str, Any],
    upcoming: PlannedVersion,
    schemas: Sequence[tuple[str, list[tuple[str, bool]] | None]],
) -> dict[str, Any]:
    """The context once `upcoming` is tagged: current, in the history, nothing unreleased.

    A prerelease leaves `next` and the unreleased commits as they are: what graduating
    it would ship is still to come (`docs` says so at its tag too).
    """
    from gitops_templates.core.version_rules import parse_version

    parameters = meta.get("parameters") if isinstance(meta.get("parameters"), dict) else {}
    rows = with_history(parameter_rows(parameters or {}), history_of_names(schemas))
    entry = _entry(upcoming.version, upcoming.tag, upcoming.message, None, None)
    prerelease = bool(parse_version(upcoming.version).prerelease)
    entry["prerelease"] = prerelease
    history = [entry, *context["versions"]]
    deprecated = context["status"] == "deprecated"
    return context | {
        "status": "deprecated" if deprecated else "active",
        "current": upcoming.version,
        "next": context["next"] if prerelease else None,
        "parameters": [_row_dict(r) for r in rows],
        "versions": history,
        "unreleased": context["unreleased"] if prerelease else [],
        "timeline": _timeline(history),
    }


def index_context(templates: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The catalog index: every template, grouped by category, and the search index."""
    categories: dict[str, list[Mapping[str, Any]]] = {}
    for t in templates:
        categories.setdefault(t["category"] or "uncategorised", []).append(t)
    search = [{"id": t["id"], "text": _searchable(t)} for t in templates]
    return {"templates": list(templates), "categories": dict(sorted(categories.items())),
            "search": search}  # fmt: skip


def _searchable(t: Mapping[str, Any]) -> str:
    words = [t["id"], t["name"], t["description"], t["category"], *t["owners"], *t["tags"]]
    words += [p["name"] for p in t["parameters"]]
    return " ".join(words).lower()


def _context(
    ws: Workspace,
    tid: str,
    meta: dict[str, Any],
    state: ComponentState | None,
    versions: Sequence[VersionTag],
    yanked: Sequence[YankedVersion],
    schemas: Sequence[tuple[str, list[tuple[str, bool]] | None]],
) -> dict[str, Any]:
    parameters = meta.get("parameters") if isinstance(meta.get("parameters"), dict) else {}
    rows = with_history(parameter_rows(parameters or {}), history_of_names(schemas))
    released = [v for v in versions if v.reachable]
    current = str(state.current.version) if state and state.current else None
    withdrawn = {y.version: y for y in yanked}
    history = [_version(v, withdrawn.get(str(v.version))) for v in released]
    deprecated = meta.get("deprecated")
    status = "deprecated" if deprecated else "active" if current else "unreleased"
    examples = [e for e in meta.get("examples") or [] if isinstance(e, dict)]
    return {
        "id": tid,
        "path": f"{ws.settings.templates_dir}/{tid}",
        "name": str(meta.get("name") or tid),
        "description": str(meta.get("description") or ""),
        "owners": [str(o) for o in meta.get("owners") or []],
        "category": str(meta.get("category") or ""),
        "tags": [str(t) for t in meta.get("tags") or []],
        "status": status,
        "deprecation": _deprecation(deprecated),
        "current": current,
        "next": str(state.next.version) if state and state.next else None,
        "parameters": [_row_dict(r) for r in rows],
        "undocumented": [r.name for r in rows if not r.description.strip()],
        "examples": [
            {
                "name": str(e.get("name", "")),
                "description": str(e.get("description", "")),
                "values": _yaml(e.get("values") or {}),
            }
            for e in examples
        ],
        "usage_values": _yaml((examples[0].get("values") if examples else None) or {}),
        "files": [f for f in meta.get("files") or [] if isinstance(f, dict)],
        "health": _yaml(meta["health"]) if meta.get("health") else None,
        "health_checks": _health_checks(meta.get("health")),
        "migrations": [_yaml(m) for m in meta.get("migrations") or []],
        "upgrades": _upgrades(meta.get("migrations")),
        "versions": history,
        "yanked": to_json(yanked),
        "unreleased": [
            {
                "sha": c.sha[:12],
                "subject": c.subject,
                "level": c.level.label,
                "breaking": c.breaking,
            }
            for c in (state.releasable if state else ())  # what the next version ships
        ],
        "timeline": _timeline(history),
    }


def _row_dict(row: ParameterRow) -> dict[str, Any]:
    """`dataclasses.asdict(row)` without its deep copies (the fields are immutable)."""
    return {name: getattr(row, name) for name in _ROW_FIELDS}


def _version(item: VersionTag, yanked: YankedVersion | None) -> dict[str, Any]:
    entry = _entry(str(item.version), item.tag.name, item.tag.message or "",
                   item.tag.tagger_time, yanked)  # fmt: skip
    entry["prerelease"] = bool(item.version.prerelease)
    return entry


def _entry(
    version: str, tag: str, message: str, when: int | None, yanked: YankedVersion | None
) -> dict[str, Any]:
    """A version in the history; its date is the tag's `Release-Date`, else the tagger's."""
    from gitops_templates.core.changelog import read_tag_message

    note = read_tag_message(message)
    day = datetime.fromtimestamp(when, UTC).date().isoformat() if when else ""
    return {
        "version": version,
        "tag": tag,
        "date": note.trailers.get("release-date") or day,
        "changelog": note.changelog.strip(),
        "compatibility": note.compatibility or "",
        "prerelease": False,
        "rollback_of": note.trailers.get("rollback-of"),
        "rollback_to": note.trailers.get("rollback-to"),
        "yanked": yanked.reason if yanked else None,
    }


def _timeline(history: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Releases per date, oldest first (the Mermaid timeline)."""
    days: dict[str, list[str]] = {}
    for item in reversed(history):
        if item["prerelease"]:
            continue
        label = item["version"] + (" yanked" if item["yanked"] else "")
        label += " rollback" if item["rollback_of"] else ""
        days.setdefault(item["date"] or "undated", []).append(label)
    return [{"date": day, "versions": labels} for day, labels in days.items()]


def _release_parameters(
    ws: Workspace, versions: Mapping[str, Sequence[VersionTag]], *, parallel: bool = True
) -> dict[str, list[tuple[str, list[tuple[str, bool]] | None]]]:
    """Each template's (parameter, deprecated) names at every reachable release, oldest first.

    What docs need of an old template.yaml is remembered by its blob id, so a warm run
    parses none of them.
    """
    base = ws.settings.templates_dir
    places = [(tid, str(v.version), f"{v.tag.commit_sha}:{base}/{tid}/template.yaml")
              for tid, items in versions.items() for v in reversed(items)
              if v.reachable and v.tag.commit_sha and not v.version.prerelease]  # fmt: skip
    ids = ws.blob_ids([spec for _, _, spec in places])
    sources = {sha: spec for (_, _, spec), sha in zip(places, ids, strict=True) if sha}

    def fetch(keys: list[str]) -> dict[str, Any]:
        from gitops_templates.catalog.parallel import fork_map

        blobs = ws.repo.read_blobs(keys)
        found = fork_map(_names_in, [(blobs.get(k, b""), sources[k]) for k in keys],
                         min_items=64 if parallel else len(keys) + 1)  # fmt: skip
        return dict(zip(keys, found, strict=True))

    found = ws.facts.lookup("param-names", sources, fetch, valid=_is_names)
    ws.facts.save()
    result: dict[str, list[tuple[str, list[tuple[str, bool]] | None]]] = {}
    for (tid, version, _), sha in zip(places, ids, strict=True):
        names = found.get(sha) if sha else None
        result.setdefault(tid, []).append((version, [tuple(n) for n in names] if names else None))
    return result


def release_names(ws: Workspace, ids: Sequence[str]) -> None:
    """What `_release_parameters` will look up, learned with every tag taken as reachable.

    Run by a forked child while history is walked (`catalog.parallel.learned_meanwhile`).
    """
    from gitops_templates.core.tags import read_versions

    reachable = {t.commit_sha for t in ws.tags if t.commit_sha}
    versions = read_versions(ws.components, ws.tags, reachable)
    _release_parameters(ws, {tid: versions.of(tid) for tid in ids}, parallel=False)


def _names_in(blob: tuple[bytes, str]) -> list[list[Any]] | None:
    return _names_of(*blob)


def _names_of(text: bytes, source: str) -> list[list[Any]] | None:
    from gitops_templates.catalog.yamlio import load_yaml
    from gitops_templates.docs.core.model import parameter_names

    try:
        data = load_yaml(text, source).data
    except GitOpsTemplatesError:
        return None  # an old release with broken metadata: no parameters known
    params = data.get("parameters") if isinstance(data, dict) else None
    return [[n, d] for n, d in parameter_names(params)] if isinstance(params, dict) else None


def _is_names(value: object) -> bool:
    return value is None or (isinstance(value, list) and all(
        isinstance(i, list) and len(i) == 2 and isinstance(i[0], str) and isinstance(i[1], bool)
        for i in value))  # fmt: skip


def _deprecation(value: Any) -> dict[str, str] | None:
    if not value:
        return None
    if isinstance(value, dict):
        return {"message": str(value.get("message", "")),
                "replacement": str(value.get("replacement", ""))}  # fmt: skip
    return {"message": "", "replacement": ""}


def _upgrades(entries: Any) -> list[dict[str, Any]]:
    """Each migration for people: "Upgrading to 2.0.0 (from 1.x)", its operations."""
    from gitops_templates.migrations.core.paths import invert, parse_migrations

    if not isinstance(entries, list):
        return []
    found = []
    for migration in parse_migrations(entries):
        version = migration.version
        since = f"{version.major - 1}.x" if (version.minor, version.patch) == (0, 0) else None
        found.append({
            "version": str(version),
            "from": since or f"versions before {version}",
            "description": migration.description,
            "steps": [op.describe() for op in migration.operations],
            "reversible": all(invert(op, None) is not None for op in migration.operations),
        })  # fmt: skip
    return found


def _yaml(value: Any) -> str:
    from gitops_templates.catalog.yamlio import dump_yaml

    return dump_yaml(value, width=88).rstrip()


def _health_checks(health: Any) -> list[dict[str, str]]:
    """Each declared health check as table cells (as written; defaults left to the config)."""
    checks = health.get("checks") if isinstance(health, dict) else None
    keys = ("name", "type", "warning", "critical", "window", "for", "keep_firing_for",
            "min_samples", "quantile")  # fmt: skip
    return [{k: "" if c.get(k) is None else str(c.get(k)) for k in keys}
            for c in checks or () if isinstance(c, dict)]  # fmt: skip
