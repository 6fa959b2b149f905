"""What every use-case needs: the repository, the settings, the components, history.

Opened lazily and cached per instance, so `--help` and failing argument checks touch
nothing. Components are read from HEAD's tree (`templates/<id>/template.yaml`) plus
`components:` in the config; the config comes from the work tree (or HEAD in a bare
repository) unless `--config` names a file.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from gitops_templates.attribution import SHARED_DIR, Attributor, build_include_graph
from gitops_templates.config import CONFIG_NAMES, Settings, find_config, load_settings
from gitops_templates.errors import ConfigError, NotFoundError
from gitops_templates.gitrepo import GitRepo
from gitops_templates.history import History, load_history, save_history
from gitops_templates.models import Component, Notice, is_valid_id
from gitops_templates.planning import Analysis, analyze, check_tag_formats

if TYPE_CHECKING:
    from collections.abc import Sequence

    from gitops_templates.attribution import IncludeGraph
    from gitops_templates.models import TreeEntry

JINJA_SUFFIXES = (".j2", ".jinja", ".jinja2", ".tpl", ".tmpl")


class Workspace:
    """One catalog repository as seen by the use-cases."""

    def __init__(
        self,
        path: Path | str = ".",
        *,
        config: Path | None = None,
        use_cache: bool = True,
    ) -> None:
        self.path = Path(path)
        self.config_path = config
        self.use_cache = use_cache

    @cached_property
    def repo(self) -> GitRepo:
        """The Git repository (discovered from `path`)."""
        return GitRepo.discover(self.path)

    @cached_property
    def settings(self) -> Settings:
        """Validated configuration."""
        path, notices = find_config(self.repo.root, self.config_path)
        text: bytes | None
        source: str | None
        if path is not None:
            text, source = path.read_bytes(), _display(path, self.repo.root)
        elif self.repo.bare:
            text, source = _config_from_head(self.repo)
        else:
            text, source = None, None
        settings = load_settings(text, source)
        if notices:
            from dataclasses import replace

            settings = replace(settings, notices=tuple(notices))
        return settings

    @cached_property
    def head(self) -> str:
        """The commit HEAD points at (detached or not)."""
        return self.repo.head()

    @cached_property
    def head_tree(self) -> list[TreeEntry]:
        """Every file below the templates directory at HEAD."""
        return self.repo.ls_tree(self.head, self.settings.templates_dir)

    @cached_property
    def components(self) -> tuple[Component, ...]:
        """Templates at HEAD plus the components declared in the config."""
        found, _ = discover_templates(self.head_tree, self.settings)
        known = {c.id for c in found}
        for spec in self.settings.components:
            if spec.id in known:
                raise ConfigError(
                    f"component {spec.id!r} is declared in the config and is also a "
                    f"template under {self.settings.templates_dir}/",
                    hint="give the component another id",
                )
            fmt = spec.tag_format or self.settings.tag_format
            found.append(Component(spec.id, spec.path, fmt, kind="component"))
        found.sort(key=lambda c: c.id)
        check_tag_formats(found)
        return tuple(found)

    def component(self, cid: str) -> Component:
        """One component by id, or `NotFoundError` listing the known ones."""
        for component in self.components:
            if component.id == cid:
                return component
        known = ", ".join(c.id for c in self.components) or "none"
        raise NotFoundError(f"no template or component {cid!r}", hint=f"known: {known}")

    def select(self, ids: Sequence[str]) -> list[str]:
        """Validate requested ids (all components when empty)."""
        return [self.component(i).id for i in ids] if ids else [c.id for c in self.components]

    @cached_property
    def history(self) -> History:
        """Commits reachable from HEAD, read through the parse cache."""
        return load_history(
            self.repo, first_parent=self.settings.first_parent, use_cache=self.use_cache
        )

    def include_graph(self) -> IncludeGraph:
        """Shared partials each template includes (from HEAD's bodies)."""
        base = self.settings.templates_dir
        entries = [
            e for e in self.head_tree if e.kind == "blob" and e.path.endswith(JINJA_SUFFIXES)
        ]
        blobs = self.repo.read_blobs(e.sha for e in entries)
        sources = {
            f"{base}/{e.path}": blobs.get(e.sha, b"").decode("utf-8", errors="replace")
            for e in entries
        }
        ids = [c.id for c in self.components if c.kind == "template"]
        return build_include_graph(base, ids, sources)

    def analyze(self, ids: Sequence[str] = (), *, pre_token: str | None = None) -> Analysis:
        """States of the selected components at HEAD."""
        selected = self.select(ids)
        history = self.history
        attributor = Attributor(
            self.components,
            shared_prefix=f"{self.settings.templates_dir}/{SHARED_DIR}/",
            graph=self.include_graph,
        )
        analysis = analyze(
            head=self.head,
            components=self.components,
            selected=selected,
            tags=self.repo.tags(),
            commits=history.commits,
            rules=self.settings.rules,
            attributor=attributor,
            parse=history.parse,
            pre_token=pre_token,
            merges_skipped=not self.settings.first_parent,
        )
        if self.use_cache and history.dirty:
            save_history(history)
        notices = [*history.notices, *analysis.notices]
        notices += [Notice("config", n) for n in self.settings.notices]
        return Analysis(analysis.head, analysis.states, tuple(notices))


def discover_templates(
    entries: Sequence[TreeEntry], settings: Settings
) -> tuple[list[Component], list[Notice]]:
    """Template directories (those holding `template.yaml`) and naming problems."""
    found: list[Component] = []
    notices: list[Notice] = []
    for entry in entries:
        parts = entry.path.split("/")
        if len(parts) != 2 or parts[1] != "template.yaml":
            continue
        tid = parts[0]
        if tid.startswith(("_", ".")):
            continue
        if not is_valid_id(tid):
            notices.append(
                Notice(
                    "invalid-id",
                    f"{settings.templates_dir}/{tid}: {tid!r} is not a valid template id "
                    "(lower-case letters, digits, `.`, `_`, `-`; no `@`, `/` or `..`); skipped",
                    tid,
                )
            )
            continue
        found.append(Component(tid, f"{settings.templates_dir}/{tid}", settings.tag_format))
    return found, notices


def _config_from_head(repo: GitRepo) -> tuple[bytes | None, str | None]:
    for name in CONFIG_NAMES:
        data = repo.read_file("HEAD", name)
        if data is not None:
            return data, f"HEAD:{name}"
    return None, None


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
