"""Use-case `docs`: per-template READMEs, the catalog index, or a static HTML site.

Markdown goes to `templates/<id>/README.md` and `docs.index` (TEMPLATES.md); a file
that also holds hand-written text keeps it, the generated part living between the
BEGIN/END markers. `--format html` writes `docs.site_dir/` (index.html with
client-side search and one page per template; no external assets). `check` writes
nothing and reports each stale file with a diff (exit 1); `strict` reports parameters
without a description (exit 3).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from gitops_templates.catalog.workspace import DOC_FILE
from gitops_templates.core.jsonform import JsonDocument
from gitops_templates.errors import ConfigError, ExitCode, InvalidInputError, Problem

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from contextlib import AbstractContextManager
    from pathlib import Path

    from gitops_templates.catalog.parallel import Meanwhile
    from gitops_templates.catalog.validated import Listings
    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.docs.data import PlannedVersion
    from gitops_templates.docs.memo import OutputMemo
    from gitops_templates.docs.render import DocRenderer

FORMATS = ("markdown", "html")
PARALLEL_MIN = 48  # templates read or rendered before a second core is worth a fork
NAMES_MIN_TAGS = 64  # version tags before old releases' parameters are read meanwhile


@dataclass(frozen=True, slots=True)
class DocFile:
    """One generated file: `written`, `unchanged`, or `stale` (check mode) with a diff."""

    path: str
    status: str
    diff: str = ""


@dataclass(frozen=True, slots=True)
class DocsResult(JsonDocument):
    """Files generated or checked, and strict-mode problems."""

    json_fields: ClassVar[tuple[str, ...]] = (
        "schema_version",
        "format",
        "check",
        "ok",
        "files",
        "problems",
    )

    format: str
    check: bool
    files: tuple[DocFile, ...]
    problems: tuple[Problem, ...] = ()

    @property
    def stale(self) -> tuple[DocFile, ...]:
        """Files whose content differs from what would be generated."""
        return tuple(f for f in self.files if f.status == "stale")

    @property
    def exit_code(self) -> ExitCode:
        """3 for undocumented parameters (strict), 1 for stale files (check), else 0."""
        if self.problems:
            return ExitCode.INVALID_INPUT
        return ExitCode.FAILURE if self.stale else ExitCode.OK

    @property
    def ok(self) -> bool:
        """Nothing stale, no strict-mode problem."""
        return self.exit_code is ExitCode.OK


def generate_docs(
    ws: Workspace,
    ids: Sequence[str] = (),
    *,
    check: bool = False,
    fmt: str = "markdown",
    strict: bool | None = None,
    planned: Mapping[str, PlannedVersion] | None = None,
) -> DocsResult:
    """Render the docs of the selected templates (all: also the index) and write or check.

    `planned` (Markdown only, `release-pr`): versions shown as released already.
    """
    from gitops_templates.docs.data import index_context, template_contexts

    if fmt not in FORMATS:
        raise InvalidInputError(f"unknown docs format {fmt!r}", hint="use markdown or html")
    if ws.repo.bare:
        from gitops_templates.errors import GitStateError

        raise GitStateError(
            "docs reads and writes a work tree, and a bare repository has none",
            hint="run it in a clone (`git clone` the repository, then `gitops-templates docs`)",
        )
    strict = ws.settings.docs.strict if strict is None else strict
    if fmt == "markdown":
        return _markdown(ws, ids, check=check, strict=strict, planned=planned)
    metadata = _metadata(ws, ids)
    contexts = template_contexts(ws, metadata)
    renderer = _renderer(ws)
    site = _inside(ws, ws.settings.docs.site_dir, "docs.site_dir")
    outputs: list[tuple[str, str, bool]] = []  # (path, text, keep hand-written parts)
    for t in contexts:
        page = renderer.render("template.html.j2", {"t": t})
        outputs.append((f"{site}/{t['id']}.html", page, False))
    if not ids:
        page = renderer.render("index.html.j2", index_context(contexts))
        outputs.append((f"{site}/index.html", page, False))
        outputs.append((f"{site}/.nojekyll", "", False))
    files = tuple(_apply(ws.repo.root, path, text, keep, check=check)
                  for path, text, keep in outputs)  # fmt: skip
    problems = _undocumented(ws.settings.templates_dir, contexts) if strict else ()
    return DocsResult(fmt, check, files, problems)


def _markdown(
    ws: Workspace,
    ids: Sequence[str],
    *,
    check: bool,
    strict: bool,
    planned: Mapping[str, PlannedVersion] | None,
) -> DocsResult:
    """READMEs (and the index), generated or checked.

    A file whose inputs and content are as `docs` left them is up to date without a
    parse or a render; the others are generated as usual.
    """
    from gitops_templates.catalog.parallel import fork_map
    from gitops_templates.docs.data import index_context, template_contexts

    listings: Listings = {}  # each template's files read and hashed once for both memos
    memo = _output_memo(ws, strict, planned, listings)
    root, base = ws.repo.root, ws.settings.templates_dir
    selected = sorted(set(ids)) or _present(ws)
    paths = {tid: f"{base}/{tid}/{DOC_FILE}" for tid in selected}
    with _names_meanwhile(ws, selected, [root / p for p in paths.values()]):
        states = {s.component.id: s for s in ws.analyze([t for t in selected
                  if t in {c.id for c in ws.components}]).states}  # fmt: skip
        prints = {tid: memo.template(tid, root / base / tid, states.get(tid)) for tid in selected}
        index = None if ids else _inside(ws, ws.settings.docs.index, "docs.index")
        index_print = memo.index(prints.values()) if index else None
        trusted = partial(memo.fresh, stamped_only=not check)  # writing: with a digest line
        stale = [tid for tid in selected if not trusted(prints[tid], root / paths[tid])]
        index_stale = index is not None and not trusted(index_print, root / index)
        wanted = selected if index_stale else stale
        metadata = _metadata(ws, wanted, listings) if wanted else {}
    contexts = template_contexts(ws, metadata, planned) if wanted else []
    renderer = _renderer(ws) if contexts else None
    pages = [t for t in contexts if t["id"] in stale and renderer]
    texts = fork_map(lambda t: renderer.render("template.md.j2", {"t": t}) if renderer else "",
                     pages, min_items=PARALLEL_MIN)  # fmt: skip
    problems = _undocumented(base, contexts) if strict else ()
    blamed = {p.file.rsplit("/", 2)[-2] for p in problems if p.file}  # never trusted unrendered
    outputs = [(paths[t["id"]], text if t["id"] in blamed else memo.stamp(prints[t["id"]], text))
               for t, text in zip(pages, texts, strict=True)]  # fmt: skip
    if index is not None and index_stale and renderer:
        text = renderer.render("index.md.j2", index_context(contexts))
        outputs.append((index, text if blamed else memo.stamp(index_print, text)))
    done = {path: _apply(root, path, text, True, check=check) for path, text in outputs}
    for tid in selected:
        if tid not in blamed and done.get(paths[tid], DocFile("", "unchanged")).status != "stale":
            memo.remember(prints[tid], root / paths[tid])
    index_ok = done.get(index or "", DocFile("", "unchanged")).status != "stale"
    if index is not None and not blamed and index_ok:
        memo.remember(index_print, root / index)
    ws.facts.save()
    files = [done.get(paths[tid], DocFile(paths[tid], "unchanged")) for tid in selected]
    files += [done.get(index, DocFile(index, "unchanged"))] if index is not None else []
    return DocsResult("markdown", check, tuple(files), problems)


def _output_memo(
    ws: Workspace, strict: bool, planned: Mapping[str, PlannedVersion] | None,
    listings: Listings,
) -> OutputMemo:  # fmt: skip
    """The memo of generated Markdown, salted with the tool, settings and doc templates."""
    from gitops_templates.docs.memo import OutputMemo, salt_of

    salt = salt_of(ws, "markdown", strict, _doc_templates(ws))
    if planned:  # READMEs showing planned versions are remembered apart
        import hashlib

        salt = hashlib.sha256(f"{salt}{sorted(planned.items())!r}".encode()).hexdigest()
    return OutputMemo(ws, salt, listings)


def _names_meanwhile(
    ws: Workspace, selected: Sequence[str], outputs: Sequence[Path]
) -> AbstractContextManager[Meanwhile]:
    """A forked child learns what old releases' template.yaml say, if history is walked.

    Not when every output carries a digest line: then they are likely up to date, and
    what a stale one needs is read when it is rendered.
    """
    from gitops_templates.catalog.collecting import full_walk_ahead
    from gitops_templates.catalog.parallel import can_fork, learned_meanwhile
    from gitops_templates.docs.data import release_names

    if (not can_fork() or not full_walk_ahead(ws) or len(ws.tags) < NAMES_MIN_TAGS
            or all(_stamped(ws.repo.root, path) for path in outputs)):  # fmt: skip
        return learned_meanwhile(ws, None)
    return learned_meanwhile(ws, lambda _: release_names(ws, selected))


def _stamped(root: Path, path: Path) -> bool:
    """`path` is a file inside `root` with a digest line (`core.stamp`)."""
    from gitops_templates.catalog.files import read_bytes
    from gitops_templates.docs.core.stamp import has_stamp

    try:
        return has_stamp(read_bytes(root, path).decode("utf-8", "replace"))
    except InvalidInputError:
        return False


def _present(ws: Workspace) -> list[str]:
    """Template ids with a template.yaml in the work tree."""
    root = ws.repo.root / ws.settings.templates_dir
    if not root.is_dir():
        return []
    found = [p for p in root.iterdir() if (p / "template.yaml").is_file()]
    return sorted(p.name for p in found if not p.name.startswith(("_", ".")))


def _metadata(
    ws: Workspace, ids: Sequence[str], listings: Listings | None = None
) -> dict[str, dict[str, Any]]:
    """Valid template.yaml of each selected template in the work tree."""
    from gitops_templates.catalog.parallel import fork_map
    from gitops_templates.catalog.validation import (
        metadata_problems,
        read_template,
        validated_memo,
    )

    base = ws.settings.templates_dir
    root = ws.repo.root / base
    present = sorted(p.name for p in root.iterdir()
                     if (p / "template.yaml").is_file() and not p.name.startswith(("_", ".")))  \
        if root.is_dir() else []  # fmt: skip
    missing = sorted(set(ids) - set(present))
    if missing:
        from gitops_templates.errors import NotFoundError

        raise NotFoundError(f"no template {missing[0]!r} in {base}/",
                            hint="known: " + (", ".join(present) or "none"))  # fmt: skip
    found: dict[str, dict[str, Any]] = {}
    problems: list[Problem] = []
    selected = list(ids or present)
    memo = validated_memo(ws, listings=listings)  # validated with this content: valid

    def read(tid: str) -> tuple[dict[str, Any] | None, list[Problem], str | None]:
        doc, unreadable = read_template(root / tid, f"{base}/{tid}/template.yaml")
        if doc is None:
            return None, unreadable, None
        key = memo.key(root / tid)
        return doc.data, [] if memo.known(key) else metadata_problems(doc, root / tid, tid), key

    def tick(done: int) -> None:
        ws.progress("reading templates", done, len(selected))

    if len(selected) >= PARALLEL_MIN and not all(memo.known(memo.key(root / t)) for t in selected):
        from gitops_templates.catalog.metaschema import prepare

        prepare()  # the metaschema checks built once, not by both processes of `fork_map`
    read_all = fork_map(read, selected, min_items=PARALLEL_MIN, progress=tick)
    for tid, (data, invalid, key) in zip(selected, read_all, strict=True):
        if data is not None and not invalid:
            memo.remember(key)
            found[tid] = data
        problems += invalid
    ws.progress("reading templates", len(selected), len(selected))
    if problems:
        raise InvalidInputError(
            f"docs are generated from valid metadata; {len(problems)} problem(s) found",
            hint="fix them (`gitops-templates validate`), then run docs again",
            problems=tuple(problems),
        )
    return found


def _doc_templates(ws: Workspace) -> list[Path]:
    """The doc template files in use: shipped, then the catalog's overrides."""
    from gitops_templates.catalog.resources import resource_dir

    files = sorted(resource_dir("doc_templates").rglob("*.j2"))
    override = ws.settings.docs.templates_dir
    if override is not None:
        directory = ws.repo.root / _inside(ws, override, "docs.templates_dir")
        from gitops_templates.catalog.files import walk

        files += [p for p in walk(directory) if p.is_file() and not p.is_symlink()]
    return files


def _renderer(ws: Workspace) -> DocRenderer:
    from gitops_templates.catalog.resources import resource_dir
    from gitops_templates.docs.render import DocRenderer

    override = ws.settings.docs.templates_dir
    directory = None
    if override is not None:
        directory = ws.repo.root / _inside(ws, override, "docs.templates_dir")
        if not directory.is_dir():
            raise ConfigError(
                f"docs.templates_dir {override!r} is not a directory",
                hint="create it, or remove the key to use the shipped doc templates",
            )
    return DocRenderer(resource_dir("doc_templates"), directory)


def _inside(ws: Workspace, rel: str, key: str) -> str:
    """A configured path, refused when it leaves the repository."""
    root = ws.repo.root.resolve()
    target = (root / rel).resolve()
    if target != root and root not in target.parents:
        raise ConfigError(f"{key}: {rel!r} is outside the repository",
                          hint="use a path relative to the repository root")  # fmt: skip
    return target.relative_to(root).as_posix()


def _apply(root: Path, rel: str, generated: str, keep: bool, *, check: bool) -> DocFile:
    from gitops_templates.catalog import files
    from gitops_templates.docs.core.model import inject
    from gitops_templates.docs.core.stamp import has_stamp, unstamped

    path = root / rel
    generated = generated.rstrip("\n") + "\n" if generated else ""
    present = path.exists() or path.is_symlink()
    existing = files.read_bytes(root, path).decode("utf-8", "replace") if present else None
    wanted = inject(existing, generated) if keep else generated
    if (
        existing is not None
        and unstamped(existing) == unstamped(wanted)
        and (check or has_stamp(existing) or not has_stamp(wanted))
    ):  # a digest line alone is no change, but a file without one gets it (`core.stamp`)
        return DocFile(rel, "unchanged")
    diff = "".join(difflib.unified_diff((existing or "").splitlines(keepends=True),
                                        wanted.splitlines(keepends=True),
                                        f"a/{rel}", f"b/{rel}"))  # fmt: skip
    if check:
        return DocFile(rel, "stale", diff)
    files.write_text(root, path, wanted)
    return DocFile(rel, "written", diff)


def _undocumented(base: str, contexts: Sequence[dict[str, Any]]) -> tuple[Problem, ...]:
    return tuple(
        Problem(
            f"parameter {name} has no description",
            file=f"{base}/{t['id']}/template.yaml",
            pointer=_pointer(name),
            rule="parameter-description",
            hint="add `description:` to the parameter (or its `title:`)",
        )
        for t in contexts
        for name in t["undocumented"]
    )


def _pointer(name: str) -> str:
    """`ports[].name` -> `parameters.properties.ports.items.properties.name`."""
    parts = ["parameters"]
    for part in name.split("."):
        parts += ["properties", part.removesuffix("[]")] + (
            ["items"] if part.endswith("[]") else []
        )
    return ".".join(parts)
