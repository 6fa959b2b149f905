"""The collected state of every component: from the stored state when possible.

A full walk classifies every commit reachable from HEAD (`core.walking.collect`); the
result is stored under `.git/gitops-templates/state-v2.json` keyed by everything it
depends on, and a later run only classifies the commits made since (`advance`), unless
tags moved, the history was rewritten, or the include graph of a touched body changed.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from gitops_templates.catalog.workspace import DOC_FILE, JINJA_SUFFIXES
from gitops_templates.errors import ShallowRepositoryError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from gitops_templates.catalog.workspace import Workspace
    from gitops_templates.core.models import CommitMessage, CommitRecord, Notice
    from gitops_templates.core.planning import Collected
    from gitops_templates.git.repo import GitRepo
    from gitops_templates.git.state_cache import StoredState

    # the commits above the walk floor, the tagged commits below it, the parser, notices
    Bounded = tuple[Sequence[CommitRecord], frozenset[str],
                    Callable[[CommitRecord], CommitMessage], tuple[Notice, ...]]  # fmt: skip

INCREMENTAL_LIMIT = 5000  # new commits read incrementally before a full walk is used
COMMIT_GRAPH_THRESHOLD = 10_000  # commits in history before a missing commit-graph is written


def collected(ws: Workspace) -> Collected:
    """Unreleased changes of every component: from the stored state when possible."""
    from gitops_templates.core.walking import collect
    from gitops_templates.git.history import SHALLOW_HINT, save_history
    from gitops_templates.git.state_cache import (
        StoredState,
        load_state,
        save_state,
        tags_fingerprint,
    )

    head = ws.head
    if ws.repo.is_shallow():
        raise ShallowRepositoryError(
            "the repository is a shallow clone: versions cannot be computed from truncated history",
            hint=SHALLOW_HINT,
        )
    path = ws.repo.state_dir / "state-v2.json"
    key, tags_fp = state_key(ws), tags_fingerprint(ws.tags)
    stored = load_state(path, key) if ws.use_cache else None
    if stored is not None and stored.tags == tags_fp:
        advanced = _advance(ws, stored, head)
        if advanced is not None:
            if advanced.head != stored.collected.head:
                save_state(path, StoredState(key, tags_fp, advanced))
            return advanced
    bounded = None if _history_cached(ws) else _bounded_walk(ws, head)
    if bounded is not None:
        commits, reached_below, parse, notices = bounded
    else:
        history = ws.history
        commits, reached_below, parse = history.commits, frozenset(), history.parse
        notices = tuple(history.notices)
    collected = collect(
        head=head, components=ws.components, tags=ws.tags, commits=commits,
        rules=ws.settings.rules, attributor=ws.attributor(), parse=parse,
        merges_skipped=not ws.settings.first_parent, reached_below=reached_below,
    )  # fmt: skip
    collected = replace(collected, notices=(*notices, *collected.notices))
    if (
        not ws.repo.has_commit_graph()
        and (len(commits) if bounded is None else ws.repo.commit_count(head))
        >= COMMIT_GRAPH_THRESHOLD
    ):  # counted only where the graph is missing: once a clone
        ws.repo.write_commit_graph_in_background()
    if ws.use_cache:
        if bounded is None and history.dirty:
            save_history(history)
        save_state(path, StoredState(key, tags_fp, collected))
    return collected


def _history_cached(ws: Workspace) -> bool:
    """The parsed history is stored: reading it (and what is new) beats any walk."""
    from gitops_templates.git.history import HISTORY_FILE

    return ws.use_cache and (ws.repo.state_dir / HISTORY_FILE).exists()


def _bounded_walk(ws: Workspace, head: str) -> Bounded | None:
    """The commits above the walk floor, when every component has a release.

    Every component's latest release contains their common ancestor F and all below
    it, so `collect` would skip those commits: `git log HEAD --not F^@` reads only
    what can matter (on a catalog released as it goes, a fraction of the history).
    Not when walking the first-parent chain, whose marks come from that chain alone.
    """
    from gitops_templates.core.walking import walk_floor
    from gitops_templates.git.history import invalid_utf8_notice, parse_once

    if ws.settings.first_parent:
        return None
    names = ws.repo.tag_names_reachable(head)
    reached = {t.commit_sha for t in ws.tags
               if t.commit_sha and f"refs/tags/{t.name}" in names}  # fmt: skip
    floor = walk_floor(ws.components, ws.tags, reached)
    base = ws.repo.common_ancestor(sorted(set(floor))) if floor else None
    if base is None:
        return None
    log = ws.repo.log_history(head, first_parent=False, exclude=[f"{base}^@"])
    notices = tuple(invalid_utf8_notice(sha) for sha in log.invalid_utf8)
    return log.commits, frozenset(reached), partial(parse_once, {}), notices


def full_walk_ahead(ws: Workspace) -> bool:
    """No stored state: collecting the changes will walk the whole history."""
    return not (ws.use_cache and (ws.repo.state_dir / "state-v2.json").exists())


def _advance(ws: Workspace, stored: StoredState, head: str) -> Collected | None:
    """`stored` plus the commits made since, or None when a full walk is needed."""
    from gitops_templates.core.walking import advance
    from gitops_templates.git.history import invalid_utf8_notice, parse_once

    prior = stored.collected
    if prior.head == head:
        return prior
    log = ws.repo.log(
        [head], [prior.head], first_parent=ws.settings.first_parent, limit=INCREMENTAL_LIMIT
    )
    if len(log.commits) >= INCREMENTAL_LIMIT:
        return None  # far ahead, or not a descendant: a full walk is as cheap
    by_sha = {c.sha: c for c in log.commits}
    tip = head
    while tip in by_sha and by_sha[tip].parents:
        tip = by_sha[tip].parents[0]
    tagged = {t.commit_sha for t in ws.tags}
    if tip != prior.head or tagged & by_sha.keys():
        return None  # not on HEAD's first-parent chain, or a tag became reachable
    prefix = f"{ws.settings.templates_dir}/"
    touched = sorted({f for c in log.commits for f in c.files
                      if f.startswith(prefix) and f.endswith(JINJA_SUFFIXES)})  # fmt: skip
    if touched and not _includes_unchanged(ws.repo, prior.head, head, touched):
        return None  # includes changed: old commits may belong elsewhere now
    advanced = advance(
        prior, head=head, new_commits=log.commits, rules=ws.settings.rules,
        attributor=ws.attributor(), parse=partial(parse_once, {}),
        merges_skipped=not ws.settings.first_parent,
    )  # fmt: skip
    extra = tuple(invalid_utf8_notice(sha) for sha in log.invalid_utf8)
    return replace(advanced, notices=advanced.notices + extra)


def _includes_unchanged(repo: GitRepo, old: str, new: str, paths: Sequence[str]) -> bool:
    """True when every path exists at both revisions with the same include names."""
    from gitops_templates.core.attribution import referenced_names

    blobs = repo.read_paths([f"{rev}:{p}" for p in paths for rev in (old, new)])
    for before, after in zip(blobs[::2], blobs[1::2], strict=True):
        if before is None or after is None:
            return False
        old_names = referenced_names(before.decode("utf-8", errors="replace"))
        new_names = referenced_names(after.decode("utf-8", errors="replace"))
        if old_names != new_names:
            return False
    return True


def state_key(ws: Workspace) -> str:
    from gitops_templates.git.history import PARSER_VERSION
    from gitops_templates.git.state_cache import STATE_FORMAT, fingerprint

    s = ws.settings
    rules = s.rules
    parts = [
        f"state {STATE_FORMAT} parser {PARSER_VERSION}",
        f"{s.templates_dir} {s.tag_format} first_parent={s.first_parent} docs={DOC_FILE}",
        " ".join(f"{k}={v.label}" for k, v in sorted(rules.bump_types.items())),
        f"{rules.zero_breaking.label} {rules.zero_feat.label} {rules.initial_version}",
        *(f"{c.id} {c.path} {c.tag_format} {c.kind}" for c in ws.components),
        "generated " + " ".join(ws.generated_docs),
    ]
    return fingerprint(parts)
