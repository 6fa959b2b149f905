"""Use-case `render ID[@VERSION|@REV]`: a template's files rendered with parameter values.

Without a version the work tree is rendered (HEAD in a bare repository); with one, the
template and `_shared/` as they are in that version's tag (or any revision), straight from
Git objects. Values are merged (`-f` files, then `--set`), completed with the schema's
defaults, and validated before anything renders; every body renders in the sandbox, every
YAML/JSON output is parsed and checked against its `output_schema`. Nothing is written
here: the caller writes `RenderResult.files` (`write_outputs`) or prints them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gitops_templates.errors import InvalidInputError, NotFoundError, Problem
from gitops_templates.rendering.core.spec import body_files, clean_path, target_problems
from gitops_templates.rendering.core.values import with_defaults

if TYPE_CHECKING:
    from collections.abc import Iterator

    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.catalog.yamlio import YamlDocument
    from gitops_templates.rendering.engine import BodyRenderer
    from gitops_templates.rendering.source import TemplateSource
    from gitops_templates.rendering.values import Values

MAX_TOTAL_OUTPUT = 64 * 1024 * 1024  # characters of all the files of one render


@dataclass(frozen=True, slots=True)
class RenderResult(Mapping[str, str]):
    """The rendered files by target path (a mapping), and what was rendered with what."""

    template: str
    version: str | None  # the version or revision asked for; None for the work tree
    revision: str | None  # the commit rendered; None for the work tree
    files: dict[str, str]
    inputs: dict[str, Any]  # the values rendered with, defaults filled in

    def __getitem__(self, path: str) -> str:
        return self.files[path]

    def __iter__(self) -> Iterator[str]:
        return iter(self.files)

    def __len__(self) -> int:
        return len(self.files)


def render(ws: Workspace, ref: str, values: Values) -> RenderResult:
    """Render `ID`, `ID@VERSION` or `ID@REV` with `values` (merged already)."""
    tid, _, spec = ref.partition("@")
    source = load_source(ws, tid, spec or None)
    files, filled = render_source(source, values.data, values.documents, spec or None)
    return RenderResult(tid, spec or None, source.revision, files, filled)


def load_source(ws: Workspace, tid: str, spec: str | None) -> TemplateSource:
    """The template's files in the work tree (`spec` None) or at a version or revision."""
    from gitops_templates.core.models import is_valid_id
    from gitops_templates.rendering.source import source_at, source_in

    if not is_valid_id(tid):
        raise InvalidInputError(f"{tid!r} is not a template id",
                                hint="write ID, ID@VERSION or ID@REVISION")  # fmt: skip
    base = f"{ws.settings.templates_dir}/{tid}"
    if spec is None and not ws.repo.bare:
        return source_in(ws.repo.root / base, tid, base)
    return source_at(ws, tid, resolve_version(ws, tid, spec or "HEAD"))


def resolve_version(ws: Workspace, tid: str, spec: str) -> str:
    """The commit of version `spec` of `tid` (`1.2.0`, `v1.2.0`, the tag), or of a revision."""
    from gitops_templates.core.version_rules import TagFormat

    fmt = next((c.tag_format for c in ws.components if c.id == tid), ws.settings.tag_format)
    candidates = [TagFormat.compile(fmt).render(tid, spec.removeprefix("v")), spec]
    for name in candidates:
        found = ws.repo.try_run(["rev-parse", "--verify", "-q", "--end-of-options",
                                 f"refs/tags/{name}^{{commit}}"])  # fmt: skip
        if found is not None:
            return found.decode().strip()
    try:
        return ws.repo.resolve(spec)
    except NotFoundError:
        raise NotFoundError(
            f"{tid}@{spec}: no such version or revision",
            hint=f"list versions with `gitops-templates history {tid}`",
        ) from None


def render_source(
    source: TemplateSource,
    values: Mapping[str, Any],
    documents: tuple[YamlDocument, ...] = (),
    version: str | None = None,
) -> tuple[dict[str, str], dict[str, Any]]:
    """(target -> text, the values after defaults); `InvalidInputError` on any problem."""
    metadata, parameters = read_metadata(source)
    filled = with_defaults(parameters, dict(values))
    problems = value_problems(parameters, filled, documents)
    if problems:
        raise InvalidInputError(
            f"values do not match the parameters of {source.tid}: {problems[0].message}",
            hint="fix the values (`gitops-templates show` lists the parameters)",
            problems=tuple(problems),
        )
    files = render_bodies(source, metadata, filled, version)
    return files, filled


def read_metadata(source: TemplateSource) -> tuple[dict[str, Any], dict[str, Any]]:
    """template.yaml of the source and its `parameters` schema (`{}` when it has none)."""
    from gitops_templates.catalog.yamlio import load_yaml

    raw = source.read("template.yaml")
    shown = source.shown("template.yaml")
    if raw is None:
        raise NotFoundError(f"{shown} does not exist", hint="is this a template directory?")
    data = load_yaml(raw, shown).data
    if not isinstance(data, dict):
        why = "template.yaml must be a mapping"
        raise InvalidInputError(f"{shown}: {why}", problems=(Problem(why, file=shown, line=1),))
    parameters = data.get("parameters")
    return data, parameters if isinstance(parameters, dict) else {}


def value_problems(
    parameters: dict[str, Any], values: Any, documents: tuple[YamlDocument, ...] = ()
) -> list[Problem]:
    """Values against the parameter schema; problems name the value file and line."""
    from gitops_templates.catalog.schema import validate_values
    from gitops_templates.catalog.yamlio import YamlDocument

    found = validate_values(parameters, values, YamlDocument(values, {}, "values"), ())
    return [_located(problem, documents) for problem in found]


def _located(problem: Problem, documents: tuple[YamlDocument, ...]) -> Problem:
    """The problem at the value file that set the most of its path (the last one on a tie)."""
    from dataclasses import replace

    path = _path(problem.pointer or "")
    best, depth = None, -1
    for doc in documents:
        known = max((n for n in range(len(path) + 1) if path[:n] in doc.lines), default=-1)
        if known >= depth and known >= 0:
            best, depth = doc, known
    if best is None:
        return problem
    return replace(problem, file=best.source, line=best.lines.get(path[:depth]))


def _path(pointer: str) -> tuple[str | int, ...]:
    """`a.b[0]` (the pointer form problems print) back to a path."""
    import re

    parts: list[str | int] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", pointer):
        parts.append(int(index) if index else name)
    return tuple(parts)


def render_bodies(
    source: TemplateSource,
    metadata: dict[str, Any],
    values: dict[str, Any],
    version: str | None,
    renderer: BodyRenderer | None = None,
) -> dict[str, str]:
    """Every body file rendered and checked, by target path.

    Pass the `renderer` of earlier renders of the same source to reuse compiled bodies.
    """
    from gitops_templates.rendering.engine import BodyRenderer
    from gitops_templates.rendering.outputs import output_problems

    bodies = body_files(metadata, source.files)
    problems = [Problem(why, file=source.shown("template.yaml"), rule="target",
                        pointer=f"files[{b.index}].target" if b.index is not None else None)
                for b, why in target_problems(bodies)]  # fmt: skip
    _raise(problems, f"{source.tid}: a target path is refused")
    renderer = renderer or BodyRenderer(source)
    meta = {"id": source.tid, "version": version, "name": metadata.get("name")}
    files: dict[str, str] = {}
    for body in bodies:
        target = clean_path(body.target) or body.target
        files[target] = renderer.render(body.source, values, meta)
        if sum(map(len, files.values())) > MAX_TOTAL_OUTPUT:
            _raise([Problem(f"renders more than {MAX_TOTAL_OUTPUT} characters in all",
                            rule="render")], f"{source.tid}: output too large")  # fmt: skip
        problems += output_problems(source, body, target, files[target], source.tid)
    _raise(problems, f"{source.tid}: rendered output is invalid")
    return files


def _raise(problems: list[Problem], summary: str) -> None:
    if problems:
        raise InvalidInputError(f"{summary}: {problems[0].message}", problems=tuple(problems),
                                hint="fix the body file or its output_schema")  # fmt: skip
