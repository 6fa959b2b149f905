"""Use-case `render ID[@VERSION|@REV]`: a template's files rendered with parameter values.

Without a version the work tree is rendered (HEAD in a bare repository); with one, the
template and `_shared/` as they are in that version's tag (or any revision), straight from
Git objects. Values are merged (`-f` files, then `--set`), completed with the schema's
defaults, and validated before anything renders; every body renders in the sandbox, every
YAML/JSON output is parsed and checked against its `output_schema`. Nothing is written
here: the caller writes `RenderResult.files` (`write_outputs`) or prints them.
"""

from __future__ import annotations

import hashlib
import math
import time
from typing import TYPE_CHECKING, Any

from gitops_templates.errors import InvalidInputError, NotFoundError, Problem
from gitops_templates.rendering.core.spec import body_files, clean_path, target_problems
from gitops_templates.rendering.core.values import with_defaults

if TYPE_CHECKING:
    from collections.abc import Mapping

    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.catalog.yamlio import YamlDocument
    from gitops_templates.rendering.engine import BodyRenderer
    from gitops_templates.rendering.source import TemplateSource
    from gitops_templates.rendering.values import Values

MAX_TOTAL_OUTPUT = 64 * 1024 * 1024  # characters of all the files of one render
TOTAL_BUDGET = 20.0  # seconds for all the bodies of one render (each has `BUDGET` at most)


class RenderResult(dict[str, str]):
    """The rendered files by target path (a plain dict), and what was rendered with what.

    `template`, `version` (the version rendered, `1.2.0`; None for another revision),
    `revision` (the commit; None for the work tree) and `inputs` (the values rendered
    with, defaults filled in) are attributes.
    """

    def __init__(self, template: str, version: str | None, revision: str | None,
                 files: Mapping[str, str], inputs: dict[str, Any]) -> None:  # fmt: skip
        super().__init__(files)
        self.template = template
        self.version = version
        self.revision = revision
        self.inputs = inputs

    @property
    def files(self) -> dict[str, str]:
        """The rendered files (a copy)."""
        return dict(self)


def render(ws: Workspace, ref: str, values: Values) -> RenderResult:
    """Render `ID`, `ID@VERSION` or `ID@REV` with `values` (merged already)."""
    tid, _, spec = ref.partition("@")
    source = load_source(ws, tid, spec or None)
    _checked_before(ws, source)
    files, filled = render_source(source, values)
    return RenderResult(tid, source.version, source.revision, files, filled)


_CHECKED = "metadata-checked"  # template.yaml blob id : salt -> True (clean)
CHECK_VERSION = 1  # raise when what `_metadata_problems` checks changes


def _checked_before(ws: Workspace, source: TemplateSource) -> None:
    """Parse template.yaml without checking it again when it was clean before (by blob id).

    Its verdict depends only on its bytes, the shipped schema and this tool: remembered
    in the object-facts store, a render of a known version imports no jsonschema.
    """
    from gitops_templates.catalog.resources import schema_stamp
    from gitops_templates.catalog.validated import blob_id

    raw = source.read("template.yaml")
    shown = source.shown("template.yaml")
    if raw is None or (hashlib.sha256(raw).hexdigest(), shown) in _METADATA:
        return
    fact = f"{blob_id(raw)}:{CHECK_VERSION} {schema_stamp('template.schema.json')}"
    if ws.facts.lookup(_CHECKED, [fact], lambda _: {}, valid=lambda v: v is True):
        _METADATA[(hashlib.sha256(raw).hexdigest(), shown)] = _parsed_metadata(
            raw, shown, source.tid, checked=True
        )
        return
    read_metadata(source)  # raises when it is not clean: nothing is remembered
    ws.facts.remember(_CHECKED, {fact: True})
    ws.facts.save()


def load_source(ws: Workspace, tid: str, spec: str | None) -> TemplateSource:
    """The template's files in the work tree (`spec` None) or at a version or revision."""
    from gitops_templates.core.models import is_valid_id
    from gitops_templates.rendering.source import source_at, source_in

    if not is_valid_id(tid):
        raise InvalidInputError(f"{tid!r} is not a template id",
                                hint="write ID, ID@VERSION or ID@REVISION")  # fmt: skip
    templates_dir = ws.settings.templates_dir
    if spec is None and not ws.repo.bare:
        base = f"{templates_dir}/{tid}"
        return source_in(ws.repo.root / base, tid, base, ws.repo.root)
    commit, version = resolve_version(ws, tid, spec or "HEAD")
    try:
        return source_at(ws, tid, commit, templates_dir, version)
    except NotFoundError:
        then = _templates_dir_at(ws, commit)  # the catalog may have moved its templates since
        if then in (None, templates_dir):
            raise
        return source_at(ws, tid, commit, then, version)


def _templates_dir_at(ws: Workspace, commit: str) -> str | None:
    """`templates_dir` as the catalog's config in `commit` says (None: unreadable)."""
    from gitops_templates.catalog.config import CONFIG_NAMES, load_settings
    from gitops_templates.errors import GitOpsTemplatesError

    root = ws.settings.root
    for name in CONFIG_NAMES:
        path = f"{root}/{name}" if root else name
        data = ws.repo.read_file(commit, path)
        if data is not None:
            try:
                return load_settings(data, f"{commit[:12]}:{path}").rebased(root).templates_dir
            except GitOpsTemplatesError:
                return None
    return load_settings(None, None).rebased(root).templates_dir


def resolve_version(ws: Workspace, tid: str, spec: str) -> tuple[str, str | None]:
    """(commit, version) of `spec`, a version (`1.2.0`, `v1.2.0`, the tag) or a revision."""
    from gitops_templates.core.version_rules import TagFormat

    tag_format = TagFormat.compile(ws.settings.tag_format)
    if ws.settings.components or not tag_format.has_id:  # else every template has that format
        fmt = next((c.tag_format for c in ws.components if c.id == tid), ws.settings.tag_format)
        tag_format = TagFormat.compile(fmt)
    for name in (tag_format.render(tid, spec.removeprefix("v")), spec):
        found = ws.repo.try_run(["rev-parse", "--verify", "-q", "--end-of-options",
                                 f"refs/tags/{name}^{{commit}}"])  # fmt: skip
        parsed = tag_format.parse(name)
        if found is not None:
            version = parsed[1] if parsed and parsed[0] in (tid, None) else None
            return found.decode().strip(), version
    try:
        return ws.repo.resolve(spec), None
    except NotFoundError:
        raise NotFoundError(
            f"{tid}@{spec}: no such version or revision",
            hint=f"list versions with `gitops-templates history {tid}`",
        ) from None


def render_source(
    source: TemplateSource,
    values: Values | Mapping[str, Any],
    renderer: BodyRenderer | None = None,
) -> tuple[dict[str, str], dict[str, Any]]:
    """(target -> text, the values after defaults); `InvalidInputError` on any problem.

    Pass the same `renderer` for many renders of one source: bodies compile once.
    """
    from gitops_templates.rendering.values import Values, value_problems

    given = values if isinstance(values, Values) else Values(dict(values))
    metadata, parameters = read_metadata(source)
    filled = with_defaults(parameters, dict(given.data))
    problems = value_problems(parameters, filled, given)
    if problems:
        raise InvalidInputError(
            f"values do not match the parameters of {source.tid}: {problems[0].message}",
            hint=f"fix the values (the parameters are in {source.shown('template.yaml')})",
            problems=tuple(problems),
        )
    return render_bodies(source, metadata, filled, source.version, renderer), filled


def read_metadata(source: TemplateSource) -> tuple[dict[str, Any], dict[str, Any]]:
    """template.yaml of the source and its `parameters` schema (`{}` when it has none).

    Parsed and validated once per content in a process (tests render one source many
    times); callers must not change what they get.
    """
    raw = source.read("template.yaml")
    shown = source.shown("template.yaml")
    if raw is None:
        raise NotFoundError(f"{shown} does not exist", hint="is this a template directory?")
    key = (hashlib.sha256(raw).hexdigest(), shown)
    if key not in _METADATA:
        if len(_METADATA) > 4096:
            _METADATA.clear()
        _METADATA[key] = _parsed_metadata(raw, shown, source.tid)
    return _METADATA[key]


_METADATA: dict[tuple[str, str], tuple[dict[str, Any], dict[str, Any]]] = {}


def _parsed_metadata(
    raw: bytes, shown: str, tid: str, *, checked: bool = False
) -> tuple[dict[str, Any], dict[str, Any]]:
    """template.yaml parsed and (unless `checked` before) validated; exit 3 when invalid."""
    from gitops_templates.catalog.yamlio import load_yaml

    doc = load_yaml(raw, shown)
    if not isinstance(doc.data, dict):
        why = "template.yaml must be a mapping"
        raise InvalidInputError(f"{shown}: {why}", problems=(Problem(why, file=shown, line=1),))
    problems = [] if checked else _metadata_problems(doc)
    if problems:
        raise InvalidInputError(f"{shown} is not valid: {problems[0].message}",
                                hint=f"run `gitops-templates validate {tid}`",
                                problems=tuple(problems))  # fmt: skip
    parameters = doc.data.get("parameters")
    return doc.data, parameters if isinstance(parameters, dict) else {}


def _metadata_problems(doc: YamlDocument) -> list[Problem]:
    """template.yaml against its schema, and its parameters against their metaschema."""
    from gitops_templates.catalog.schema import check_parameters_schema, validate_against

    problems = validate_against(doc, "template.schema.json")
    parameters = doc.data.get("parameters")
    if not problems and isinstance(parameters, dict):
        problems = check_parameters_schema(parameters, doc, ("parameters",))
    return problems


def render_bodies(
    source: TemplateSource,
    metadata: dict[str, Any],
    values: dict[str, Any],
    version: str | None,
    renderer: BodyRenderer | None = None,
    deadline: float = math.inf,
) -> dict[str, str]:
    """Every body file rendered and checked, by target path.

    The `renderer` defaults to the source's own (`renderer_for`); the render stops after
    `TOTAL_BUDGET` seconds, or at `deadline` when sooner.
    """
    from gitops_templates.rendering.outputs import output_problems

    bodies = body_files(metadata, source.files)
    problems = [Problem(why, file=source.shown("template.yaml"), rule="target",
                        pointer=f"files[{b.index}].target" if b.index is not None else None)
                for b, why in target_problems(bodies)]  # fmt: skip
    _raise(problems, f"{source.tid}: a target path is refused")
    renderer = renderer or renderer_for(source)
    meta = {"id": source.tid, "version": version or "", "name": metadata.get("name")}
    files: dict[str, str] = {}
    deadline = min(deadline, time.monotonic() + TOTAL_BUDGET)
    for body in bodies:
        target = clean_path(body.target) or body.target
        files[target] = renderer.render(body.source, values, meta, deadline)
        if sum(map(len, files.values())) > MAX_TOTAL_OUTPUT:
            _raise([Problem(f"renders more than {MAX_TOTAL_OUTPUT} characters in all",
                            rule="render")], f"{source.tid}: output too large")  # fmt: skip
        problems += output_problems(source, body, target, files[target], source.tid)
    _raise(problems, f"{source.tid}: rendered output is invalid")
    return files


def renderer_for(source: TemplateSource) -> BodyRenderer:
    """One renderer per source while it is in use (its compiled bodies are kept)."""
    from gitops_templates.rendering.engine import BodyRenderer

    known = _RENDERERS.get(id(source))
    if known is not None and known[0] is source:
        return known[1]
    if len(_RENDERERS) >= 64:
        _RENDERERS.pop(next(iter(_RENDERERS)))
    renderer = BodyRenderer(source)
    _RENDERERS[id(source)] = (source, renderer)
    return renderer


_RENDERERS: dict[int, tuple[TemplateSource, BodyRenderer]] = {}


def _raise(problems: list[Problem], summary: str) -> None:
    if problems:
        raise InvalidInputError(f"{summary}: {problems[0].message}", problems=tuple(problems),
                                hint="fix the body file or its output_schema")  # fmt: skip
