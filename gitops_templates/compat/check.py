"""Use-case `diff` and the compatibility check that `plan` and `verify` apply.

A `Snapshot` is one template as stored at a commit (or in the work tree): its
template.yaml and the content ids of its files. `compare` turns two snapshots into a
`CompatibilityReport`: parameter-schema findings with counterexamples, metadata and
output findings, the files changed, the catalog's rule overrides and commit waivers
applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache, partial
from typing import TYPE_CHECKING, Any, ClassVar

from gitops_templates.compat.core.metadata import FileChanges, diff_metadata, file_changes
from gitops_templates.compat.core.proposals import covered, propose_operations
from gitops_templates.compat.core.rules import (
    PROFILES,
    RULES,
    SEVERITIES,
    apply_overrides,
    detected_level,
    waive,
)
from gitops_templates.compat.core.shapes import same_json
from gitops_templates.compat.memo import FindingsMemo
from gitops_templates.core.jsonform import JsonDocument
from gitops_templates.core.models import Level
from gitops_templates.errors import ConfigError, InvalidInputError, NotFoundError, Problem
from gitops_templates.git.object_facts import is_object_id

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.compat.core.rules import Finding
    from gitops_templates.core.models import Component

WORK_TREE = "work tree"


class Snapshot:
    """One template at one commit (None: the work tree); template.yaml parsed on demand."""

    def __init__(
        self,
        label: str,
        commit: str | None,
        files: dict[str, str],
        source: str,
        load: Callable[[], bytes | None],
    ) -> None:
        self.label = label
        self.commit = commit
        self.files = files  # path in the template directory -> blob id
        self.source = source  # where template.yaml came from, for errors
        self._load = load

    @property
    def meta_id(self) -> str | None:
        """Blob id of template.yaml (equal ids: equal metadata)."""
        return self.files.get("template.yaml")

    @cached_property
    def metadata(self) -> dict[str, Any]:
        """template.yaml, parsed (one parse per blob id in a process)."""
        text = self._load()
        if not text:
            return {}
        if self.meta_id and is_object_id(self.meta_id):
            return _parsed_blob(self.meta_id, text, self.source)
        return _parse_metadata(text, self.source)

    def check_schema(self) -> None:
        """Exit 3 when template.yaml's `parameters` is not a valid JSON Schema."""
        _check_parameters(self.metadata, self._load() or b"", self.source)


@dataclass(frozen=True, slots=True)
class CompatibilityReport(JsonDocument):
    """What changed between two versions of a template, classified."""

    json_fields: ClassVar[tuple[str, ...]] = (
        "schema_version",
        "id",
        "from=old",
        "to=new",
        "profile",
        "compatibility=level.compatibility",
        "findings",
        "files",
        "proposed_migration=proposed",
    )

    id: str
    old: str
    new: str
    profile: str
    findings: tuple[Finding, ...]
    files: FileChanges = field(default_factory=lambda: FileChanges((), (), ()))
    # operations for breaking findings that no migration covers yet
    proposed: tuple[dict[str, Any], ...] = ()
    declares_migrations: bool = False  # the proposal joins a `migrations:` list already there

    @property
    def level(self) -> Level:
        """The detected level (waived findings excluded)."""
        return detected_level(list(self.findings))

    @property
    def waived(self) -> tuple[Finding, ...]:
        """Findings a `Compatibility-Waiver:` footer accepted."""
        return tuple(f for f in self.findings if f.waived)

    def proposal(self, version: str) -> str:
        """The `migrations:` text to paste for the breaking findings no migration covers."""
        from gitops_templates.compat.core.proposals import migration_text

        return migration_text(version, self.proposed, append=self.declares_migrations)

    def summary(self) -> str:
        """One line per counted finding above patch, for tag messages and errors."""
        lines = [
            f"{f.level.compatibility}: {f.rule} at {f.pointer}: {f.message}"
            for f in self.findings
            if f.counts >= Level.MINOR
        ]
        return "\n".join(lines)


def compare(
    old: Snapshot,
    new: Snapshot,
    *,
    cid: str,
    profile: str | Callable[[], str],
    overrides: dict[str, str],
    waivers: set[tuple[str, str]] | None = None,
    memo: FindingsMemo | None = None,
) -> CompatibilityReport:
    """Classify `old` -> `new`; `profile` may be given lazily (from new's metadata).

    `new`'s parameter schema must be valid JSON Schema (exit 3 otherwise); `old` is
    history and compared as it is. With `memo`, raw findings are remembered per pair.
    """
    files = file_changes(old.files, new.files)
    request = profile if isinstance(profile, str) else "auto"

    def compute() -> tuple[str, list[Finding]]:
        chosen = profile if isinstance(profile, str) else profile()
        return chosen, raw_findings(old, new, files, chosen)

    memo = memo or FindingsMemo(None)
    memo.schema_checked(new.meta_id, new.check_schema)
    chosen, findings = memo.findings((old.meta_id, new.meta_id), files, request, compute)
    findings = waive(apply_overrides(findings, overrides), waivers or set())
    findings.sort(key=lambda f: (-f.level, f.area, f.pointer, f.rule))
    proposed, declared = _proposed(old, new, findings, memo)
    return CompatibilityReport(cid, old.label, new.label, chosen, tuple(findings), files,
                               proposed, declared)  # fmt: skip


def _proposed(
    old: Snapshot, new: Snapshot, findings: list[Finding], memo: FindingsMemo
) -> tuple[tuple[dict[str, Any], ...], bool]:
    """Operations for breaking findings no migration of `new` covers (remembered).

    Also whether `new` has a `migrations:` list the proposal joins.
    """
    breaking = [(f.rule, f.pointer, f.path) for f in findings if f.breaking]
    if not breaking:
        return (), False

    def compute() -> tuple[tuple[dict[str, Any], ...], bool]:
        declared = bool(new.metadata.get("migrations"))
        if covered(new.metadata, old.label):
            return (), declared
        return propose_operations(findings, new.metadata.get("parameters")), declared

    return memo.proposal(new.meta_id, [old.label, breaking], compute)


def raw_findings(old: Snapshot, new: Snapshot, files: FileChanges, profile: str) -> list[Finding]:
    """Parameter-schema and metadata findings, before overrides and waivers."""
    from gitops_templates.compat.core.schemadiff import diff_schemas
    from gitops_templates.compat.core.witness import attach_counterexamples

    if old.meta_id == new.meta_id:
        return diff_metadata({}, {}, files, profile)
    findings: list[Finding] = []
    before = old.metadata.get("parameters") or {}
    after = new.metadata.get("parameters") or {}
    if not same_json(before, after):
        from gitops_templates.catalog.userschema import user_validator

        found = diff_schemas(before, after, profile)
        findings = attach_counterexamples(found, before, after, user_validator)
    return findings + diff_metadata(old.metadata, new.metadata, files, profile)


def against_line(
    ws: Workspace,
    cid: str,
    new: Snapshot,
    older: Sequence[Snapshot],
    *,
    overrides: dict[str, str],
    waivers: set[tuple[str, str]],
    memo: FindingsMemo,
) -> CompatibilityReport:
    """`new` against `older[0]`, plus breaking findings against the rest of the line.

    A parameter removed in 1.2 and re-added with another type in 1.3 is compatible
    with 1.2 but breaks 1.1: such findings are added, marked "(against 1.1.0)".
    """
    profile = partial(profile_for, ws, new)
    check = partial(compare, cid=cid, profile=profile, overrides=overrides, waivers=waivers,
                    memo=memo)  # fmt: skip
    report = check(older[0], new)
    seen = {(f.rule, f.pointer) for f in report.findings}
    extra = []
    for snap in older[1:]:
        if snap.meta_id == new.meta_id:
            continue
        for item in check(snap, new).findings:
            if item.breaking and (item.rule, item.pointer) not in seen:
                seen.add((item.rule, item.pointer))
                extra.append(replace(item, message=f"{item.message} (against {snap.label})"))
    return replace(report, findings=(*report.findings, *extra)) if extra else report


def profile_for(ws: Workspace, snapshot: Snapshot) -> str:
    """The template's own profile, else the catalog's."""
    own = snapshot.metadata.get("compatibility_profile")
    return own if own in PROFILES else ws.settings.compatibility_profile


def load_overrides(ws: Workspace) -> dict[str, str]:
    """The catalog's `rule id -> err|warn|info|none` file (empty when there is none)."""
    name = ws.settings.rules_file
    text = ws.rules_text  # the bytes a remembered plan was keyed by
    if text is None:
        if ws.settings.compatibility_rules:
            raise ConfigError(
                f"compatibility_rules file {name} does not exist",
                hint="create it or remove `compatibility_rules` from the config",
            )
        return {}
    from gitops_templates.catalog.yamlio import load_yaml

    doc = load_yaml(text, name)
    data = doc.data or {}
    problems = []
    if not isinstance(data, dict):
        problems.append(
            Problem("expected a mapping of rule id to err|warn|info|none", file=name, line=1)
        )
        data = {}
    for rule, level in data.items():
        if rule not in RULES:
            problems.append(
                Problem(
                    f"unknown rule {rule!r}",
                    file=name,
                    pointer=str(rule),
                    line=doc.line_of((rule,)),
                    hint="`gitops-templates diff --rules` lists them",
                )
            )
        elif level not in SEVERITIES:
            problems.append(
                Problem(
                    f"{rule}: {level!r} is not err|warn|info|none",
                    file=name,
                    pointer=str(rule),
                    line=doc.line_of((rule,)),
                )
            )
    if problems:
        raise ConfigError(
            f"{name} is invalid ({len(problems)} problem(s))", problems=tuple(problems)
        )
    return {str(k): str(v) for k, v in data.items()}


def snapshots(
    ws: Workspace,
    places: Iterable[tuple[Component, str, str]],
    *,
    files: bool = True,
    known: Mapping[str, str] | None = None,
) -> dict[tuple[str, str], Snapshot]:
    """Snapshots at many `(component, label, commit)` places, in batched reads.

    With `files=False` only template.yaml is looked at (one `cat-file --batch-check`
    for the ids `known` does not already hold as `<commit>:<path>` -> blob id), which
    is all the release policy needs; template.yaml is read only when parsed.
    """
    wanted = list(dict.fromkeys(places))
    if files:
        specs = [f"{commit}:{component.path}" for component, _, commit in wanted]
        trees = ws.repo.trees(list(dict.fromkeys(specs)))
        listings = [
            {e.path: e.sha for e in found[1] if e.kind == "blob"} if (found := trees[spec]) else {}
            for spec in specs
        ]
    else:
        specs = [f"{commit}:{component.path}/template.yaml" for component, _, commit in wanted]
        ids: dict[str, str | None] = dict(known or {})
        missing = [spec for spec in specs if spec not in ids]
        ids.update(ws.facts.lookup(
            "blob", missing, lambda keys: dict(zip(keys, ws.repo.blob_ids(keys), strict=True)),
            valid=_blob_id_or_none,
        ))  # fmt: skip
        ws.facts.save()
        listings = [{"template.yaml": sha} if (sha := ids.get(spec)) else {} for spec in specs]
    blobs: dict[str, bytes] = {}

    def loader(sha: str | None) -> Callable[[], bytes | None]:
        def load() -> bytes | None:
            if sha is None:
                return None
            if not blobs:  # every template.yaml these places need, in one read
                metas = {listing.get("template.yaml") for listing in listings} - {None}
                blobs.update(ws.repo.read_blobs(m for m in metas if m))
            return blobs.get(sha)

        return load

    result = {}
    for (component, label, commit), listing in zip(wanted, listings, strict=True):
        source = f"{commit[:12]}:{component.path}/template.yaml"
        result[(component.id, label)] = Snapshot(
            label, commit, listing, source, loader(listing.get("template.yaml"))
        )
    return result


def _blob_id_or_none(value: object) -> bool:
    return value is None or (isinstance(value, str) and is_object_id(value))


def work_tree_snapshot(ws: Workspace, component: Component) -> Snapshot:
    """The template as it is on disk now."""
    root = ws.repo.root / component.path
    if not root.is_dir():
        raise NotFoundError(f"{component.path} does not exist in the work tree")
    from gitops_templates.catalog import files
    from gitops_templates.catalog.validated import blob_id

    found = [p for p in files.walk(root) if "\n" not in p.name]
    regular = [p for p in found if not p.is_symlink() and files.is_regular(root, p)]
    links = {p.relative_to(root).as_posix(): blob_id(files.link_or_blob(root, p) or b"")
             for p in found if p.is_symlink()}  # fmt: skip
    paths = [p.relative_to(root).as_posix() for p in regular]
    ids = ws.repo.hash_files([f"{component.path}/{p}" for p in paths])
    source = f"{component.path}/template.yaml"
    meta = root / "template.yaml"
    return Snapshot(
        WORK_TREE,
        None,
        dict(sorted({**dict(zip(paths, ids, strict=True)), **links}.items())),
        source,
        lambda: files.read_bytes(root, meta) if meta.exists() or meta.is_symlink() else None,
    )


@lru_cache(maxsize=4096)
def _parsed_blob(blob: str, text: bytes, source: str) -> dict[str, Any]:
    """Parsed template.yaml by blob id (errors are not remembered; they name `source`)."""
    return _parse_metadata(text, source)


def _parse_metadata(text: bytes, source: str) -> dict[str, Any]:
    from gitops_templates.catalog.yamlio import load_yaml

    data = load_yaml(text, source).data
    return data if isinstance(data, dict) else {}


def _check_parameters(metadata: dict[str, Any], text: bytes, source: str) -> None:
    """Exit 3 naming the pointer and line when `parameters` is not a valid schema."""
    from gitops_templates.catalog.schema import (
        check_parameters_schema,
        is_valid_parameters_schema,
    )
    from gitops_templates.catalog.yamlio import load_yaml

    parameters = metadata.get("parameters")
    if parameters is None or is_valid_parameters_schema(parameters):
        return  # the usual case: no error, so no lines to point at and no second parse
    problems = check_parameters_schema(parameters, load_yaml(text, source), ("parameters",))
    if not problems:
        return
    raise InvalidInputError(
        f"{source}: parameters is not a valid JSON Schema",
        hint=problems[0].hint,
        problems=tuple(problems),
    )


def waivers_of(values: Sequence[str]) -> set[tuple[str, str]]:
    """`Compatibility-Waiver: <rule-id> <pointer>` values as (rule, pointer) pairs."""
    pairs = set()
    for value in values:
        parts = value.split()
        if parts:
            pairs.add((parts[0], parts[1] if len(parts) > 1 else "*"))
    return pairs
