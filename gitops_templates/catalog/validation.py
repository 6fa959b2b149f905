"""Use-case `validate`: config, every `template.yaml`, and examples against parameters.

Reads the work tree (what the author is editing); in a bare repository, HEAD.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from gitops_templates.core.jsonform import JsonDocument
from gitops_templates.core.models import Notice, is_valid_id
from gitops_templates.errors import ExitCode, GitOpsTemplatesError, Problem

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from pathlib import Path

    from gitops_templates.catalog.validated import Listings, ValidatedMemo
    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.catalog.yamlio import YamlDocument
    from gitops_templates.core.models import TreeEntry

    # Renders a template's valid examples (`rendering` provides it: the catalog cannot
    # import a capability): (template directory, template.yaml, [(label, values)]).
    ExampleRenderer = Callable[[Path, YamlDocument, Sequence[tuple[str, Any]]], list[Problem]]


_REGULAR = ("100644", "100755")  # file modes copied out of Git (not links or submodules)
SHARED_DIR = "_shared"  # templates/_shared/: files every template's bodies may include
PARALLEL_MIN = 48  # templates to validate before a second core is worth a fork


@dataclass(frozen=True, slots=True)
class ValidationReport(JsonDocument):
    """Problems per file; empty means valid."""

    json_fields: ClassVar[tuple[str, ...]] = (
        "schema_version", "valid", "checked", "problems", "warnings=notices",
    )  # fmt: skip

    checked: tuple[str, ...]
    problems: tuple[Problem, ...]
    notices: tuple[Notice, ...] = ()

    @property
    def exit_code(self) -> ExitCode:
        """3 when anything is invalid."""
        return ExitCode.INVALID_INPUT if self.problems else ExitCode.OK

    @property
    def valid(self) -> bool:
        """No problem found."""
        return not self.problems


def validate(
    ws: Workspace, ids: Sequence[str] = (), *, render: ExampleRenderer | None = None
) -> ValidationReport:
    """Validate the catalog in the work tree; `render` renders the examples too."""
    from gitops_templates.catalog.parallel import fork_map

    problems: list[Problem] = []
    checked: list[str] = []
    try:
        settings = ws.settings
    except GitOpsTemplatesError as err:
        return ValidationReport((), err.problems or (Problem(err.message),))
    if settings.source:
        checked.append(settings.source)
    base = ws.repo.root / settings.templates_dir
    dirs = sorted(p for p in base.iterdir() if p.is_dir()) if base.is_dir() else []
    wanted = set(ids)
    memo = validated_memo(ws, rendered=render is not None)
    found: list[list[Problem]] = []  # per template directory, in order
    pending: list[tuple[int, Path, str, str | None]] = []  # (slot, directory, source, key)
    for directory in dirs:
        tid = directory.name
        if tid.startswith(("_", ".")) or (wanted and tid not in wanted):
            continue
        rel = f"{settings.templates_dir}/{tid}"
        refused = _unusable_directory(directory, rel)
        if refused:
            found.append(refused)
            continue
        checked.append(f"{rel}/template.yaml")
        key = memo.key(directory, also=base / SHARED_DIR if render else None)
        if not memo.known(key):
            pending.append((len(found), directory, f"{rel}/template.yaml", key))
        found.append([])
    if len(pending) >= PARALLEL_MIN:
        from gitops_templates.catalog.metaschema import prepare

        prepare()  # the metaschema checks built once, not by both processes of `fork_map`
    verdicts = fork_map(
        lambda p: validate_template(p[1], p[2], p[1].name, render),
        pending,
        min_items=PARALLEL_MIN,
        progress=lambda done: ws.progress("validating", done, len(pending)),
    )
    for (slot, _, _, key), verdict in zip(pending, verdicts, strict=True):
        found[slot] = verdict
        if not verdict:
            memo.remember(key)
    problems += [problem for each in found for problem in each]
    for missing in sorted(wanted - {d.name for d in dirs}):
        problems.append(Problem(f"no template {missing!r}", rule="not-found"))
    ws.progress("validating", len(pending), len(pending))
    ws.facts.save()
    notices = (
        ()
        if any(c.endswith("/template.yaml") for c in checked) or wanted
        else (no_templates_notice(settings.templates_dir),)
    )
    return ValidationReport(tuple(checked), tuple(problems), notices)


def _unusable_directory(directory: Path, rel: str) -> list[Problem]:
    """Why a directory under templates/ cannot be a template (empty: it can)."""
    tid = directory.name
    if directory.is_symlink():
        return [Problem(
            "is a symbolic link: a template directory must be in the repository itself",
            file=rel, rule="template-directory")]  # fmt: skip
    if not is_valid_id(tid):
        return [Problem(
            f"{tid!r} is not a valid template id", file=rel, rule="id",
            hint="lower-case letters, digits, `.`, `_`, `-`; no `@`, `/` or `..`",
        )]  # fmt: skip
    if not (directory / "template.yaml").is_file():
        return [Problem(
            "directory has no template.yaml", file=rel, rule="template-yaml",
            hint=f"scaffold one with `gitops-templates new {tid}`, or move the directory",
        )]  # fmt: skip
    return []


def no_templates_notice(templates_dir: str) -> Notice:
    """Said when a catalog has no template: usually the wrong directory."""
    return Notice(
        "no-templates",
        f"no templates under {templates_dir}/ (a directory with a template.yaml each); "
        "pass --repo the catalog's directory, or set templates_dir in the config",
    )


def validated_memo(
    ws: Workspace, *, rendered: bool = False, listings: Listings | None = None
) -> ValidatedMemo:
    """Clean verdicts by content, salted with the tool, its schema and rendering or not."""
    from gitops_templates.catalog.resources import schema_stamp
    from gitops_templates.catalog.validated import ValidatedMemo
    from gitops_templates.catalog.workspace import DOC_FILE

    salt = f"{schema_stamp('template.schema.json')}{' rendered' if rendered else ''}"
    return ValidatedMemo(ws.facts, salt, ignored=[DOC_FILE],  # generated docs change nothing
                         listings=listings)  # fmt: skip


def validate_template(
    directory: Path, source: str, tid: str, render: ExampleRenderer | None = None
) -> list[Problem]:
    """Problems of one template directory in the work tree (examples last)."""
    metadata, examples = template_problems(directory, source, tid, render=render)
    return metadata + (examples or [])


def template_problems(
    directory: Path,
    source: str,
    tid: str,
    *,
    examples: bool = True,
    render: ExampleRenderer | None = None,
) -> tuple[list[Problem], list[Problem] | None]:
    """(metadata problems, example problems) in one read of template.yaml.

    Examples are checked only when asked and when the parameter schema is valid;
    otherwise their problems are None (not checked). Valid examples are rendered with
    `render` when given and the metadata is valid.
    """  # fmt: skip
    doc, problems = read_template(directory, source)
    if doc is None:
        return problems, None
    problems, parameters_valid = _metadata(doc, directory, tid)
    parameters = doc.data.get("parameters")
    if not (examples and parameters_valid and isinstance(parameters, dict)):
        return problems, None
    found, valid = _examples(directory, doc, parameters)
    if render is not None and not problems and not found:
        found = render(directory, doc, valid)
    return problems, found


def read_template(directory: Path, source: str) -> tuple[YamlDocument | None, list[Problem]]:
    """template.yaml parsed (a mapping), or None and why not."""
    from gitops_templates.catalog.files import read_bytes
    from gitops_templates.catalog.yamlio import load_yaml

    try:  # a template's files stay inside its directory, symlinks resolved
        doc = load_yaml(read_bytes(directory, directory / "template.yaml"), source)
    except GitOpsTemplatesError as err:
        return None, list(err.problems)
    if not isinstance(doc.data, dict):
        return None, [Problem("template.yaml must be a mapping", file=source, line=1)]
    return doc, []


def metadata_problems(doc: YamlDocument, directory: Path, tid: str) -> list[Problem]:
    """template.yaml against its schema, its id, its body files and its parameters schema."""
    return _metadata(doc, directory, tid)[0]


def _metadata(doc: YamlDocument, directory: Path, tid: str) -> tuple[list[Problem], bool]:
    """Metadata problems, and whether the parameters schema itself is usable."""
    from gitops_templates.catalog.schema import (  # jsonschema
        check_parameters_schema,
        validate_against,
    )

    problems = validate_against(doc, "template.schema.json")
    problems += _identity(doc, tid)
    problems += _missing_bodies(doc, lambda src: (directory / src).is_file())
    problems += _reserved_parameters(doc)
    parameters = doc.data.get("parameters")
    schema_problems = (check_parameters_schema(parameters, doc, ("parameters",))
                       if isinstance(parameters, dict) else [])  # fmt: skip
    return problems + schema_problems, not schema_problems


def _identity(doc: YamlDocument, tid: str) -> list[Problem]:
    data = doc.data
    if not isinstance(data.get("id"), str) or data["id"] == tid:
        return []
    return [Problem(
        f"id {data['id']!r} differs from the directory name {tid!r}",
        file=doc.source, pointer="id", line=doc.line_of(("id",)),
        rule="id-matches-directory", hint=f"set `id: {tid}` or rename the directory",
    )]  # fmt: skip


# what bodies get besides the values, and names Jinja2 gives its own meaning
RESERVED_PARAMETERS = ("template", "values", "self", "loop", "true", "false", "none",
                       "True", "False", "None")  # fmt: skip


_RESERVED_MEANING = {"template": "the metadata: id, version",
                     "values": "the whole mapping of values"}  # fmt: skip


def _reserved_parameters(doc: YamlDocument) -> list[Problem]:
    """A top-level parameter that a body could not read under its own name."""
    parameters = doc.data.get("parameters")
    properties = parameters.get("properties") if isinstance(parameters, dict) else None
    if not isinstance(properties, dict):
        return []
    return [Problem(
        f"parameter {name!r} is hidden in bodies by the `{name}` they get ("
        f"{_RESERVED_MEANING.get(name, 'a Jinja2 name')})",
        file=doc.source, pointer=f"parameters.properties.{name}",
        line=doc.line_of(("parameters", "properties", name)), rule="reserved-parameter",
        hint=f"rename the parameter (e.g. `{name}_name`)",
    ) for name in RESERVED_PARAMETERS if name in properties]  # fmt: skip


def body_sources(doc: YamlDocument) -> list[tuple[int, str, int | None]]:
    """`(index, source, line)` of every `files[].source` string in template.yaml."""
    entries = doc.data.get("files") if isinstance(doc.data, dict) else None
    found = []
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        src = entry.get("source") if isinstance(entry, dict) else None
        if isinstance(src, str):
            found.append((index, src, doc.line_of(("files", index, "source"))))
    return found


def _missing_bodies(doc: YamlDocument, exists: Callable[[str], bool]) -> list[Problem]:
    return _missing_sources(doc.source, body_sources(doc), exists)


def _missing_sources(
    source: str, refs: Iterable[Sequence[Any]], exists: Callable[[str], bool]
) -> list[Problem]:
    """`files[].source` entries that name no file."""
    return [
        Problem(
            f"body file {src!r} does not exist",
            file=source,
            pointer=f"files[{index}].source",
            line=line,
            rule="file-exists",
        )
        for index, src, line in refs
        if not exists(src)
    ]


def _examples(
    directory: Path, doc: YamlDocument, parameters: dict[str, Any]
) -> tuple[list[Problem], list[tuple[str, Any]]]:
    """Problems of the examples against the parameters, and the examples as (label, values)."""
    from gitops_templates.catalog.files import read_bytes
    from gitops_templates.catalog.schema import validate_values
    from gitops_templates.catalog.yamlio import load_yaml

    problems = []
    examples: list[tuple[str, Any]] = []
    for index, example in enumerate(doc.data.get("examples") or []):
        if isinstance(example, dict) and "values" in example:
            base: tuple[str | int, ...] = ("examples", index, "values")
            problems += validate_values(parameters, example["values"], doc, base)
            examples.append((f"example {example.get('name', index)}", example["values"]))
    examples_dir = directory / "examples"
    for file in sorted(examples_dir.glob("*.y*ml")) if examples_dir.is_dir() else []:
        rel = f"{doc.source.rsplit('/', 1)[0]}/examples/{file.name}"
        try:
            example_doc = load_yaml(read_bytes(directory, file), rel)
        except GitOpsTemplatesError as err:
            problems += err.problems
            continue
        problems += validate_values(parameters, example_doc.data, example_doc, ())
        examples.append((f"example examples/{file.name}", example_doc.data))
    return problems, examples


def _oversized(ws: Workspace, base: str, files: dict[str, list[TreeEntry] | None]) -> list[Problem]:
    """Files too large to check, dropped from `files` (sizes read without the content)."""
    from gitops_templates.catalog.files import MAX_FILE_BYTES

    sizes = ws.repo.object_sizes(e.sha for entries in files.values() for e in entries or ())
    problems = []
    for tid, entries in files.items():
        large = [e for e in entries or () if sizes.get(e.sha, 0) > MAX_FILE_BYTES]
        why = f"is larger than {MAX_FILE_BYTES} bytes"
        problems += [Problem(why, file=f"{base}/{tid}/{e.path}", rule="file-size") for e in large]
        if entries is not None:
            entries[:] = [e for e in entries if e not in large]
    return problems


def validate_at(ws: Workspace, ids: Sequence[str]) -> list[Problem]:
    """Validate templates as committed at `ws.head` (push hooks: not the work tree).

    Each template directory is copied out of Git into a temporary directory and checked
    there like a work tree; problems name the repository paths. Examples are validated,
    not rendered: hooks stay clear of Jinja2 (`validate` and `test` render in CI).
    """
    import tempfile
    from pathlib import Path

    base = ws.settings.templates_dir
    names = list(ids)
    specs = [f"{ws.head}:{base}/{tid}" for tid in names]
    trees = ws.repo.trees(specs)
    files = {tid: [e for e in found[1] if e.mode in _REGULAR] if (found := trees[spec]) else None
             for tid, spec in zip(names, specs, strict=True)}  # fmt: skip
    problems = _oversized(ws, base, files)  # refused before any content is read
    blobs = ws.repo.read_blobs(e.sha for entries in files.values() for e in entries or ())
    with tempfile.TemporaryDirectory(prefix="gitops-templates-") as tmp:
        for tid, entries in files.items():
            directory = Path(tmp, tid)
            for entry in entries or ():  # None: deleted by the push, nothing to validate
                target = directory / entry.path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(blobs[entry.sha])
        for tid in ids:
            if files[tid] is not None:
                source = f"{base}/{tid}/template.yaml"
                problems += validate_template(Path(tmp, tid), source, tid)
    return problems


def body_files_at(ws: Workspace, ids: Sequence[str]) -> list[Problem]:
    """The body files each template.yaml names exist at `ws.head` (no schema needed).

    For pushes that change only bodies: the metadata itself was validated when it
    changed, so only its references to the (changed) files are checked. What each
    template.yaml blob references is remembered by blob id (no YAML parse next time).
    """
    base = ws.settings.templates_dir
    specs = [f"{ws.head}:{base}/{tid}" for tid in ids]
    trees = ws.repo.trees(specs)
    listings = {tid: {e.path: e.sha for e in found[1]} if (found := trees[spec]) else {}
                for tid, spec in zip(ids, specs, strict=True)}  # fmt: skip
    metas = {tid: meta for tid, files in listings.items() if (meta := files.get("template.yaml"))}
    problems: list[Problem] = []

    def fetch(keys: list[str]) -> dict[str, Any]:
        from gitops_templates.catalog.yamlio import load_yaml

        owner = {meta: tid for tid, meta in metas.items()}
        blobs = ws.repo.read_blobs(keys)
        found = {}
        for key in keys:
            try:
                doc = load_yaml(blobs[key], f"{base}/{owner[key]}/template.yaml")
            except GitOpsTemplatesError as err:
                problems.extend(err.problems)  # not remembered: reported every time
                continue
            found[key] = [list(ref) for ref in body_sources(doc)]
        return found

    refs = ws.facts.lookup("body-sources", metas.values(), fetch, valid=_is_ref_list)
    ws.facts.save()
    for tid, meta in metas.items():
        if meta in refs:
            source = f"{base}/{tid}/template.yaml"
            problems += _missing_sources(source, refs[meta], listings[tid].__contains__)
    return problems


def _is_ref_list(value: object) -> bool:
    return isinstance(value, list) and all(
        isinstance(r, list) and len(r) == 3 and isinstance(r[0], int) and isinstance(r[1], str)
        and (r[2] is None or isinstance(r[2], int))
        for r in value
    )  # fmt: skip
