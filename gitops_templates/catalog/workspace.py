"""What every use-case needs: the repository, the settings, the components, history.

Opened lazily and cached per instance, so `--help` and failing argument checks touch
nothing. Components are read from HEAD's tree (`templates/<id>/template.yaml`) plus
`components:` in the config; the config comes from the work tree (or HEAD in a bare
repository) unless `--config` names a file.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cached_property, partial
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
from gitops_templates.core.models import Component, Notice, is_valid_id
from gitops_templates.errors import ConfigError, NotFoundError, ShallowRepositoryError
from gitops_templates.git.repo import GitRepo

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from gitops_templates.core.attribution import Attributor, IncludeGraph
    from gitops_templates.core.models import TagRecord, TreeEntry
    from gitops_templates.core.planning import Analysis, Collected
    from gitops_templates.core.tags import Versions, VersionTag
    from gitops_templates.git.history import History
    from gitops_templates.git.object_facts import ObjectFacts
    from gitops_templates.git.state_cache import StoredState

JINJA_SUFFIXES = (".j2", ".jinja", ".jinja2", ".tpl", ".tmpl")
DOC_FILE = "README.md"  # what `docs` writes in each template directory
INCREMENTAL_LIMIT = 5000  # new commits read incrementally before a full walk is used
COMMIT_GRAPH_THRESHOLD = 10_000  # commits walked before a missing commit-graph is written


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
            text, source = path.read_bytes(), _display(path, self.repo.root)
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
        from gitops_templates.git.tag_reading import read_tags

        return read_tags(self.repo, self.facts)

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
        """Files `docs` writes inside template directories: they attribute no commit."""
        return tuple(f"{c.path}/{DOC_FILE}" for c in self.components if c.kind == "template")

    def analyze(self, ids: Sequence[str] = (), *, pre_token: str | None = None) -> Analysis:
        """States of the selected components at HEAD."""
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
        if not self.tags and self.repo.remotes():
            notices.append(Notice(
                "no-tags",
                "the repository has no tags: every template looks unreleased; if this is "
                "a CI checkout, fetch tags (`git fetch --tags`, or actions/checkout with "
                "`fetch-depth: 0`)",
            ))  # fmt: skip
        return Analysis(analysis.head, analysis.states, tuple(notices), analysis.head_time)

    @cached_property
    def collected(self) -> Collected:
        """Unreleased changes of every component: from the stored state when possible."""
        from gitops_templates.core.planning import collect
        from gitops_templates.git.history import SHALLOW_HINT, save_history
        from gitops_templates.git.state_cache import (
            StoredState,
            load_state,
            save_state,
            tags_fingerprint,
        )

        head = self.head
        if self.repo.is_shallow():
            raise ShallowRepositoryError(
                "the repository is a shallow clone: versions cannot be computed from "
                "truncated history",
                hint=SHALLOW_HINT,
            )
        path = self.repo.state_dir / "state-v2.json"
        key, tags_fp = self._state_key(), tags_fingerprint(self.tags)
        stored = load_state(path, key) if self.use_cache else None
        if stored is not None and stored.tags == tags_fp:
            advanced = self._advance(stored, head)
            if advanced is not None:
                if advanced.head != stored.collected.head:
                    save_state(path, StoredState(key, tags_fp, advanced))
                return advanced
        history = self.history
        collected = collect(
            head=head, components=self.components, tags=self.tags, commits=history.commits,
            rules=self.settings.rules, attributor=self.attributor(), parse=history.parse,
            merges_skipped=not self.settings.first_parent,
        )  # fmt: skip
        collected = replace(collected, notices=(*history.notices, *collected.notices))
        if len(history.commits) >= COMMIT_GRAPH_THRESHOLD and not self.repo.has_commit_graph():
            self.repo.write_commit_graph_in_background()
        if self.use_cache:
            if history.dirty:
                save_history(history)
            save_state(path, StoredState(key, tags_fp, collected))
        return collected

    def _advance(self, stored: StoredState, head: str) -> Collected | None:
        """`stored` plus the commits made since, or None when a full walk is needed."""
        from gitops_templates.core.planning import advance
        from gitops_templates.git.history import invalid_utf8_notice, parse_once

        prior = stored.collected
        if prior.head == head:
            return prior
        log = self.repo.log(
            [head], [prior.head], first_parent=self.settings.first_parent, limit=INCREMENTAL_LIMIT
        )
        if len(log.commits) >= INCREMENTAL_LIMIT:
            return None  # far ahead, or not a descendant: a full walk is as cheap
        by_sha = {c.sha: c for c in log.commits}
        tip = head
        while tip in by_sha and by_sha[tip].parents:
            tip = by_sha[tip].parents[0]
        tagged = {t.commit_sha for t in self.tags}
        if tip != prior.head or tagged & by_sha.keys():
            return None  # not on HEAD's first-parent chain, or a tag became reachable
        prefix = f"{self.settings.templates_dir}/"
        touched = sorted({f for c in log.commits for f in c.files
                          if f.startswith(prefix) and f.endswith(JINJA_SUFFIXES)})  # fmt: skip
        if touched and not self._includes_unchanged(prior.head, head, touched):
            return None  # includes changed: old commits may belong elsewhere now
        advanced = advance(
            prior, head=head, new_commits=log.commits, rules=self.settings.rules,
            attributor=self.attributor(), parse=partial(parse_once, {}),
            merges_skipped=not self.settings.first_parent,
        )  # fmt: skip
        extra = tuple(invalid_utf8_notice(sha) for sha in log.invalid_utf8)
        return replace(advanced, notices=advanced.notices + extra)

    def _includes_unchanged(self, old: str, new: str, paths: Sequence[str]) -> bool:
        """True when every path exists at both revisions with the same include names."""
        from gitops_templates.core.attribution import referenced_names

        blobs = self.repo.read_paths([f"{rev}:{p}" for p in paths for rev in (old, new)])
        for before, after in zip(blobs[::2], blobs[1::2], strict=True):
            if before is None or after is None:
                return False
            old_names = referenced_names(before.decode("utf-8", errors="replace"))
            new_names = referenced_names(after.decode("utf-8", errors="replace"))
            if old_names != new_names:
                return False
        return True

    def _state_key(self) -> str:
        from gitops_templates.git.history import PARSER_VERSION
        from gitops_templates.git.state_cache import STATE_FORMAT, fingerprint

        s = self.settings
        rules = s.rules
        parts = [
            f"state {STATE_FORMAT} parser {PARSER_VERSION}",
            f"{s.templates_dir} {s.tag_format} first_parent={s.first_parent} docs={DOC_FILE}",
            " ".join(f"{k}={v.label}" for k, v in sorted(rules.bump_types.items())),
            f"{rules.zero_breaking.label} {rules.zero_feat.label} {rules.initial_version}",
            *(f"{c.id} {c.path} {c.tag_format} {c.kind}" for c in self.components),
        ]
        return fingerprint(parts)


def _no_progress(label: str, done: int, total: int) -> None:
    """Progress is not reported (the API's default)."""


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
