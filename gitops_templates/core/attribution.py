"""Which components a commit belongs to: by path, `Template:` trailers, shared partials.

Pure. Shared partials (`<templates_dir>/_shared/...`) belong to every template whose
bodies include them, following `{% include %}`, `{% import %}`, `{% from %}` and
`{% extends %}` statically (transitively through other partials). Template names are
resolved first against the template's own directory, then against the templates
directory (`_shared/x.j2`). A template with an include whose name is not a literal
depends on every shared partial, so changes there are never missed.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gitops_templates.core.conventional import split_list
from gitops_templates.core.models import Notice

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping

    from gitops_templates.core.models import CommitMessage, Component

SHARED_DIR = "_shared"
_STATEMENT = re.compile(r"-?\s*(?:include|import|from|extends)\s+(?P<arg>.*?)-?\Z", re.DOTALL)
_LITERAL = re.compile(r"""^(?:'([^']*)'|"([^"]*)")""")
_LIST = re.compile(r"""^\[(.*?)\]""", re.DOTALL)
_QUOTED = re.compile(r"""'([^']*)'|"([^"]*)\"""")


def referenced_names(source: str) -> tuple[list[str], bool]:
    """Template names a Jinja source includes statically; flag for dynamic ones."""
    names: list[str] = []
    dynamic = False
    for statement in _statements(source):
        match = _STATEMENT.match(statement)
        if match is None:
            continue
        arg = match["arg"].strip()
        literal = _LITERAL.match(arg)
        listed = _LIST.match(arg)
        if literal:
            names.append(literal[1] if literal[1] is not None else literal[2])
        elif listed:
            names.extend(a or b for a, b in _QUOTED.findall(listed[1]))
        else:
            dynamic = True
    return names, dynamic


def _statements(source: str) -> Iterator[str]:
    """The inside of each `{% ... %}`, found with `str.find`: linear in the source.

    (A regex spanning to `%}` rescans the rest of a body for every unclosed `{%`.)
    """
    position = 0
    while (start := source.find("{%", position)) != -1:
        end = source.find("%}", start + 2)
        if end == -1:
            return
        yield source[start + 2 : end]
        position = end + 2


@dataclass(frozen=True, slots=True)
class IncludeGraph:
    """Shared files (repository paths) each template depends on."""

    shared_prefix: str  # e.g. `templates/_shared/`
    uses: Mapping[str, frozenset[str]]  # template id -> shared file paths
    uses_all: frozenset[str]  # templates with dynamic includes

    def dependents(self, shared_path: str) -> set[str]:
        """Templates that include `shared_path` (directly or transitively)."""
        found = {tid for tid, files in self.uses.items() if shared_path in files}
        return found | set(self.uses_all)


def build_include_graph(
    templates_dir: str,
    template_ids: Iterable[str],
    sources: Mapping[str, str],
) -> IncludeGraph:
    """Build the graph from Jinja sources keyed by repository path."""
    shared_prefix = f"{templates_dir}/{SHARED_DIR}/"
    edges: dict[str, set[str]] = {}
    dynamic: set[str] = set()
    for path, text in sources.items():
        names, is_dynamic = referenced_names(text)
        if is_dynamic:
            dynamic.add(path)
        owner_dir = posixpath.dirname(path)
        template_root = _template_root(path, templates_dir)
        targets = set()
        for name in names:
            for base in (owner_dir, template_root, templates_dir):
                candidate = posixpath.normpath(posixpath.join(base, name))
                if candidate in sources:
                    targets.add(candidate)
                    break
        edges[path] = targets
    uses: dict[str, frozenset[str]] = {}
    uses_all: set[str] = set()
    own: dict[str, list[str]] = {}  # each template's sources, in one pass over them all
    for path in sources:
        if path.startswith(f"{templates_dir}/"):
            tid, inside, _ = path[len(templates_dir) + 1 :].partition("/")
            if inside:
                own.setdefault(tid, []).append(path)
    for tid in template_ids:
        seen = _closure(own.get(tid, []), edges)
        if seen & dynamic:
            uses_all.add(tid)
        uses[tid] = frozenset(p for p in seen if p.startswith(shared_prefix))
    return IncludeGraph(shared_prefix, uses, frozenset(uses_all))


def _template_root(path: str, templates_dir: str) -> str:
    rest = path[len(templates_dir) + 1 :] if path.startswith(templates_dir + "/") else ""
    first = rest.split("/", 1)[0]
    return f"{templates_dir}/{first}" if first else templates_dir


def _closure(start: list[str], edges: Mapping[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    stack = list(start)
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        stack.extend(edges.get(node, ()))
    return seen


class Attributor:
    """Maps commits to component ids; caches directory lookups."""

    def __init__(
        self,
        components: Iterable[Component],
        *,
        shared_prefix: str | None = None,
        graph: Callable[[], IncludeGraph] | None = None,
        generated: Iterable[str] = (),
    ) -> None:
        self._by_path = {c.path: c.id for c in components}
        self._generated = frozenset(generated)  # files `docs` writes: they belong to no one
        self._ids = set(self._by_path.values())
        self._shared_prefix = shared_prefix
        self._graph_loader = graph
        self._graph: IncludeGraph | None = None
        self._dir_cache: dict[str, str | None] = {}
        self._file_cache: dict[str, frozenset[str]] = {}

    def _dependents(self, path: str) -> set[str]:
        if self._graph is None:
            if self._graph_loader is None:
                return set()
            self._graph = self._graph_loader()  # built on the first shared-file change
        return self._graph.dependents(path)

    def by_path(self, files: Iterable[str]) -> set[str]:
        """Components whose directory contains one of `files`."""
        found: set[str] = set()
        cache = self._file_cache
        for path in files:
            owners = cache.get(path)
            if owners is None:
                owners = cache[path] = self._owners_of(path)
            found |= owners
        return found

    def _owners_of(self, path: str) -> frozenset[str]:
        if path in self._generated:
            return frozenset()
        owner = self._owner(posixpath.dirname(path))
        if owner is not None:
            return frozenset((owner,))
        if self._shared_prefix and path.startswith(self._shared_prefix):
            return frozenset(self._dependents(path))
        return frozenset()

    def _owner(self, directory: str) -> str | None:
        if directory in self._dir_cache:
            return self._dir_cache[directory]
        owner = self._by_path.get(directory)
        if owner is None and directory:
            owner = self._owner(posixpath.dirname(directory))
        self._dir_cache[directory] = owner
        return owner

    def named_targets(self, sha: str, message: CommitMessage) -> tuple[set[str], list[Notice]]:
        """Components a commit names in `Template: <id>…` / `Release-As: <id>@X.Y.Z`."""
        named = [t for v in message.footer_values("Template") for t in split_list(v)]
        named += [
            item.rpartition("@")[0]
            for v in message.footer_values("Release-As")
            for item in split_list(v)
            if "@" in item
        ]
        found = {tid for tid in named if tid in self._ids}
        notices = [
            Notice(
                "unknown-template-trailer",
                f"commit {sha[:12]}: a footer names {tid!r}, which is no template",
                tid,
            )
            for tid in named
            if tid not in self._ids
        ]
        return found, notices

    def scope_notice(self, sha: str, message: CommitMessage, targets: set[str]) -> Notice | None:
        """A warning when the scope names a template the commit does not belong to."""
        scope = message.scope
        if not scope or scope not in self._ids or scope in targets:
            return None
        touched = ", ".join(sorted(targets)) or "none"
        return Notice(
            "scope-mismatch",
            f"commit {sha[:12]}: scope `{scope}` names a template the commit does not "
            f"touch (it belongs to: {touched})",
            scope,
        )
