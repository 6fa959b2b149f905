"""What every use-case needs: the repository, the settings, the components, history.

Opened lazily and cached per instance, so `--help` and failing argument checks touch
nothing. Components are read from HEAD's tree (`templates/<id>/template.yaml`) plus
`components:` in the config; the config comes from the work tree (or HEAD in a bare
repository) unless `--config` names a file.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from gitops_templates.catalog.config import (
    CONFIG_NAMES,
    Settings,
    catalog_root,
    find_config,
    load_settings,
    load_unchecked_settings,
)
from gitops_templates.catalog.discovery import discover_templates
from gitops_templates.core.models import Component, Notice
from gitops_templates.errors import ConfigError, NotFoundError
from gitops_templates.git.repo import GitRepo

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from gitops_templates.core.attribution import Attributor, IncludeGraph
    from gitops_templates.core.models import TagRecord, TreeEntry
    from gitops_templates.core.planning import Analysis, Collected
    from gitops_templates.core.tags import Versions, VersionTag
    from gitops_templates.git.history import History
    from gitops_templates.git.object_facts import ObjectFacts
    from gitops_templates.git.tag_reading import TagReading

JINJA_SUFFIXES = (".j2", ".jinja", ".jinja2", ".tpl", ".tmpl")
DOC_FILE = "README.md"  # what `docs` writes in each template directory
RELEASE_PLAN_FILE = ".gitops-templates/release-plan.json"  # what `release-pr` writes


class Workspace:
    """One catalog repository as seen by the use-cases."""

    def __init__(
        self,
        path: Path | str = ".",
        *,
        config: Path | None = None,
        use_cache: bool = True,
        revision: str | None = None,
        repo: GitRepo | None = None,
        facts: ObjectFacts | None = None,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> None:
        self.path = Path(path)
        self.config_path = config
        self.use_cache = use_cache
        self.revision = revision  # a commit to look at instead of HEAD (push hooks)
        self._repo = repo  # given when a view shares its parent's (`at()`)
        self._facts = facts
        self.progress = progress or _no_progress  # (label, done, total) of long work
        self._settings: Settings | None = None
        self._views: dict[str, Workspace] = {}  # `at()`
        self._discovery_notices: list[Notice] = []

    def at(self, revision: str) -> Workspace:
        """The same repository and options, looking at `revision` instead of HEAD.

        One view per revision: a push of many tags on one commit reads it once.
        """
        views = self._views
        if revision not in views:
            views[revision] = Workspace(
                self.path, config=self.config_path, use_cache=self.use_cache,
                revision=revision, repo=self.repo, facts=self.facts, progress=self.progress,
            )  # fmt: skip
        return views[revision]

    @property
    def repo(self) -> GitRepo:
        """The Git repository (discovered from `path` on first use)."""
        if self._repo is None:
            self._repo = GitRepo.discover(self.path)
        return self._repo

    @property
    def facts(self) -> ObjectFacts:
        """Facts about immutable objects, remembered between runs when caches are on."""
        if self._facts is None:
            from gitops_templates.git.object_facts import ObjectFacts

            state = self.repo.state_dir / "objects-v1.json" if self.use_cache else None
            self._facts = ObjectFacts(state)
        return self._facts

    def blob_ids(self, specs: Sequence[str]) -> list[str | None]:
        """Blob ids of `<commit id>:<path>` specs (None: no such file), remembered by commit."""
        from gitops_templates.git.object_facts import is_object_id

        def fetch(keys: list[str]) -> dict[str, str | None]:
            return dict(zip(keys, self.repo.blob_ids(keys), strict=True))

        def valid(value: object) -> bool:
            return value is None or (isinstance(value, str) and is_object_id(value))

        found = self.facts.lookup("blob", specs, fetch, valid=valid)
        return [found[spec] for spec in specs]

    @property
    def settings(self) -> Settings:
        """Validated configuration."""
        if self._settings is None:
            self._settings = self._load_settings(check=True)
        return self._settings

    @cached_property
    def quick_settings(self) -> Settings:
        """The configuration without the schema check (hooks on every commit)."""
        if self._settings is not None:
            return self._settings
        return self._load_settings(check=False)

    @cached_property
    def catalog_dir(self) -> Path:
        """The catalog's directory, at or below the repository root.

        The nearest one from `path` upwards holding a config file or `templates/`; the
        root itself in a bare repository or when looking at a revision.
        """
        if self.repo.bare or self.revision is not None:
            return self.repo.root
        start = self.path if self.path.is_dir() else self.path.parent
        return catalog_root(start, self.repo.root)

    def _load_settings(self, *, check: bool) -> Settings:
        path, notices = find_config(self.catalog_dir, self.config_path)
        text: bytes | None
        source: str | None
        if path is not None:
            from gitops_templates.catalog.files import read_bytes

            guard = None if self.config_path is not None else self.repo.root  # --config: any
            text, source = read_bytes(guard, path), _display(path, self.repo.root)
        elif self.revision is not None or self.repo.bare:
            text, source = _config_at(self.repo, self.revision or "HEAD")
        else:
            text, source = None, None
        cache = self.repo.state_dir / "config-v2.json" if self.use_cache else None
        if check:
            settings = load_settings(text, source, cache)
        elif cache is not None:
            settings = load_unchecked_settings(text, source, cache)
        else:
            settings = load_settings(text, source)
        if notices:
            settings = replace(settings, notices=(*settings.notices, *notices))
        prefix = self.catalog_dir.resolve().relative_to(self.repo.root.resolve()).as_posix()
        return settings.rebased("" if prefix == "." else prefix)

    @cached_property
    def head(self) -> str:
        """The commit HEAD points at (detached or not), or the requested revision."""
        return self.repo.resolve(self.revision) if self.revision else self.repo.head()

    @cached_property
    def head_tree(self) -> list[TreeEntry]:
        """Every file below the templates directory at HEAD."""
        return self.repo.ls_tree(self.head, self.settings.templates_dir)

    @cached_property
    def components(self) -> tuple[Component, ...]:
        """Templates at HEAD plus the components declared in the config."""
        from gitops_templates.core.tags import check_tag_formats

        found, self._discovery_notices = discover_templates(self.head_tree, self.settings)
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
        from gitops_templates.git.history import load_history

        dated = sorted((t.tagger_time, t.commit_sha) for t in self.tags
                       if t.tagger_time and t.commit_sha)  # fmt: skip
        hint = dated[len(dated) // 2][1] if len(dated) >= 2 else None  # the median tag
        return load_history(
            self.repo,
            self.head,
            first_parent=self.settings.first_parent,
            use_cache=self.use_cache,
            split_hint=hint,
        )

    @cached_property
    def tags(self) -> list[TagRecord]:
        """Every tag without message bodies, read once per command.

        Where an annotated tag object points (and when it was made) never changes, so
        it is remembered by object id: a warm run only lists the refs.
        """
        if not self.use_cache:
            return self.repo.tags(details=False)
        return self._tag_reading.records

    @cached_property
    def rules_text(self) -> bytes | None:
        """The compatibility rule overrides file (None: no such file), read once."""
        path = self.repo.root / self.settings.rules_file
        if not path.is_file():
            return None
        from gitops_templates.catalog.files import read_bytes

        return read_bytes(self.repo.root, path)

    @cached_property
    def tag_refs(self) -> list[tuple[str, str, str]]:
        """`(name, object id, object type)` of every tag, from the listing `tags` uses."""
        return self._tag_reading.refs if self.use_cache else self.repo.tag_listing()

    @cached_property
    def _tag_reading(self) -> TagReading:
        from gitops_templates.git.tag_reading import TagReading

        return TagReading(self.repo, self.facts)

    @cached_property
    def versions(self) -> Versions:
        """Version tags per component (highest first) with reachability from HEAD."""
        from gitops_templates.core.tags import read_versions

        return read_versions(self.components, self.tags, set(self.collected.reachable_tags))

    @cached_property
    def detailed_versions(self) -> dict[str, list[VersionTag]]:
        """Version tags with their messages and signature state (history, show, verify)."""
        from gitops_templates.core.tags import read_versions

        tags = self.repo.tags(details=True)
        reachable = set(self.collected.reachable_tags)
        return read_versions(self.components, tags, reachable).by_component

    @cached_property
    def include_graph(self) -> IncludeGraph:
        """Shared partials each template includes (from HEAD's bodies)."""
        from gitops_templates.core.attribution import build_include_graph

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

    def contents(
        self, places: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[str, str] | None]:
        """`(digest, tree id)` of many `(commit, path)` places, with a few batched reads.

        None for a place where the path is not a directory. Blobs shared between
        places (unchanged files across versions) are read once.
        """
        from gitops_templates.core.digest import tree_digest

        wanted = list(dict.fromkeys(places))
        specs = [f"{commit}:{path}" if path else f"{commit}^{{tree}}" for commit, path in wanted]
        trees = self.repo.trees(specs)
        blobs = self.repo.read_blobs(
            e.sha for found in trees.values() if found for e in found[1] if e.kind == "blob"
        )
        result: dict[tuple[str, str], tuple[str, str] | None] = {}
        for place, spec in zip(wanted, specs, strict=True):
            found = trees[spec]
            result[place] = (tree_digest(found[1], blobs.__getitem__), found[0]) if found else None
        return result

    def attributor(self) -> Attributor:
        """Maps commits to components (paths, footers, shared partials at HEAD)."""
        from gitops_templates.core.attribution import SHARED_DIR, Attributor

        return Attributor(
            self.components,
            shared_prefix=f"{self.settings.templates_dir}/{SHARED_DIR}/",
            graph=lambda: self.include_graph,
            generated=self.generated_docs,
        )

    @property
    def generated_docs(self) -> tuple[str, ...]:
        """Files `docs`, `release --commit` and `release-pr` write: they attribute no commit.

        The READMEs in template directories, the docs index, the changelog files and
        the release plan file, so a release commit, its merge (or a hand edit of an
        older entry) never counts for a template.
        """
        docs = [f"{c.path}/{DOC_FILE}" for c in self.components if c.kind == "template"]
        plan = self.settings.path(RELEASE_PLAN_FILE)
        index = self.settings.docs.index
        return (*docs, *self.changelog_files.values(), index, plan)

    @property
    def changelog_files(self) -> dict[str, str]:
        """Component id (`""` for the catalog's) -> its changelog file, when configured."""
        options = self.settings.changelog
        found = {}
        if options.file is not None:
            found = {c.id: f"{c.path}/{options.file}".lstrip("/") for c in self.components}
        if options.catalog is not None:
            found[""] = options.catalog
        return found

    def analyze(
        self, ids: Sequence[str] = (), *, pre_token: str | None = None, live: bool = True
    ) -> Analysis:
        """States of the selected components at HEAD (and, with `live`, `live_notices`)."""
        from gitops_templates.core.planning import Analysis, conclude

        selected = self.select(ids)
        analysis = conclude(
            self.collected,
            components=self.components,
            selected=selected,
            versions=self.versions.by_component,
            notices=self.versions.notices,
            rules=self.settings.rules,
            pre_token=pre_token,
        )
        notices = [
            *analysis.notices,
            *self._discovery_notices,
            *(Notice("config", n) for n in self.settings.notices),
        ]
        if not self.components:
            from gitops_templates.catalog.validation import no_templates_notice

            notices.append(no_templates_notice(self.settings.templates_dir))
        if live:
            notices.extend(self.live_notices())
        return Analysis(analysis.head, analysis.states, tuple(notices), analysis.head_time)

    def live_notices(self) -> list[Notice]:
        """What is said of the repository as it is now, not of HEAD and its tags.

        A mutating command that was interrupted, and a clone with remotes but no tags.
        """
        notices = self._interrupted_notices()
        read = self.tags if "tags" in self.__dict__ else self.tag_refs  # no second listing
        if not read and self.repo.remotes():
            notices.append(Notice(
                "no-tags",
                "the repository has no tags: every template looks unreleased; if this is "
                "a CI checkout, fetch tags (`git fetch --tags`, or actions/checkout with "
                "`fetch-depth: 0`)",
            ))  # fmt: skip
        return notices

    def _interrupted_notices(self) -> list[Notice]:
        """A notice when a mutating command was killed and left its lock."""
        from gitops_templates.errors import LockedError
        from gitops_templates.git.lock import RECOVER_HINT, read_lock

        try:
            owner = read_lock(self.repo.state_dir)
        except LockedError as err:
            return [Notice("interrupted", f"{err.message}; {err.hint}")]
        if owner is None or owner.running:
            return []
        return [Notice("interrupted", f"{owner.who} was interrupted: {RECOVER_HINT}")]

    @cached_property
    def collected(self) -> Collected:
        """Unreleased changes of every component: from the stored state when possible."""
        from gitops_templates.catalog.collecting import collected

        return collected(self)


def _no_progress(label: str, done: int, total: int) -> None:
    """Progress is not reported (the API's default)."""


def _config_at(repo: GitRepo, rev: str) -> tuple[bytes | None, str | None]:
    for name in CONFIG_NAMES:
        data = repo.read_file(rev, name)
        if data is not None:
            return data, f"{rev if rev == 'HEAD' else rev[:12]}:{name}"
    return None, None


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
