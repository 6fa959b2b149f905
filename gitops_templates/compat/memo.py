"""Compatibility findings remembered per pair of template.yaml blobs (`objects-v1.json`).

What the schema diff finds between two template.yaml blobs depends only on their
content, the files that changed beside them and the profile, so it is remembered under
those ids and the rule-table version: a warm `plan` parses no YAML and runs no diff for
pairs it saw before. Overrides and waivers are applied after the lookup, since they
come from the catalog and the commits, not from the blobs. The verdict that a blob's
parameter schema is valid JSON Schema is remembered by its id too.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from gitops_templates.compat.core.rules import Counterexample, Finding
from gitops_templates.core.models import Level
from gitops_templates.git.object_facts import is_object_id

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from gitops_templates.compat.core.metadata import FileChanges
    from gitops_templates.git.object_facts import ObjectFacts

# Bump when the rule table, the schema diff or the counterexample search changes what
# they find: remembered findings of other versions are then ignored.
RULES_VERSION = 2  # 2: booleans are not numbers in value comparisons
_KIND = f"compat-{RULES_VERSION}"
# Bump when the metaschema check accepts less (or more): older verdicts are then ignored.
_PROPOSED = "proposed-migration-2"  # 2: [operations, migrations declared]
_SCHEMA_OK = "schema-ok-2"  # 2: $id, $schema, $vocabulary and $dynamicAnchor are checked


class FindingsMemo:
    """Raw findings (before overrides and waivers) by blob pair, files and profile."""

    def __init__(self, facts: ObjectFacts | None) -> None:
        self._facts = facts

    def findings(
        self,
        ids: tuple[str | None, str | None],
        files: FileChanges,
        profile_request: str,
        compute: Callable[[], tuple[str, list[Finding]]],
    ) -> tuple[str, list[Finding]]:
        """(profile, findings), remembered when both blobs are known objects."""
        key = _key(ids, files, profile_request)
        if key is None or self._facts is None:
            return compute()
        stored = self._facts.lookup(_KIND, [key], lambda _: {}, valid=_is_stored)
        if key in stored:
            return stored[key][0], [_finding(item) for item in stored[key][1]]
        profile, found = compute()
        value = [profile, [_stored(f) for f in found]]
        if _lossless(value):
            self._facts.remember(_KIND, {key: value})
        return profile, found

    def proposal(
        self,
        new_blob: str | None,
        parts: Any,
        compute: Callable[[], tuple[tuple[dict[str, Any], ...], bool]],
    ) -> tuple[tuple[dict[str, Any], ...], bool]:
        """(operations, whether a `migrations:` list exists), remembered.

        The key is the new template.yaml and what the proposal answers.
        """
        if new_blob is None or self._facts is None or not is_object_id(new_blob):
            return compute()
        key = hashlib.sha256(json.dumps([new_blob, parts], default=str).encode()).hexdigest()
        stored = self._facts.lookup(_PROPOSED, [key], lambda _: {}, valid=_is_proposal)
        if key in stored:
            return tuple(stored[key][0]), bool(stored[key][1])
        operations, declared = compute()
        self._facts.remember(_PROPOSED, {key: [list(operations), declared]})
        return operations, declared

    def schema_checked(self, blob: str | None, check: Callable[[], None]) -> None:
        """Run `check` (it raises when the schema is invalid) unless `blob` passed before."""
        if blob is None or self._facts is None or not is_object_id(blob):
            check()
            return
        known = self._facts.lookup(_SCHEMA_OK, [blob], lambda _: {}, valid=lambda v: v is True)
        if blob not in known:
            check()
            self._facts.remember(_SCHEMA_OK, {blob: True})

    def save(self) -> None:
        """Write what was learned (once, after a batch of comparisons)."""
        if self._facts is not None:
            self._facts.save()


def _key(ids: tuple[str | None, str | None], files: FileChanges, profile: str) -> str | None:
    old, new = ids
    if not (old and new and is_object_id(old) and is_object_id(new)):
        return None
    rest = json.dumps([profile, files.added, files.removed, files.modified])
    return f"{old}:{new}:{hashlib.sha256(rest.encode()).hexdigest()[:32]}"


def _stored(item: Finding) -> list[Any]:
    example = item.counterexample
    return [
        item.rule, int(item.level), item.severity, item.pointer, item.message, item.area,
        list(item.path), [example.value, example.effect] if example else None,
    ]  # fmt: skip


def _finding(data: Sequence[Any]) -> Finding:
    rule, level, severity, pointer, message, area, path, example = data
    counterexample = Counterexample(example[0], example[1]) if example else None
    return Finding(rule, Level(level), severity, pointer, message, area, tuple(path), (),
                   counterexample)  # fmt: skip


def _lossless(value: Any) -> bool:
    """JSON gives the same value back (no tuples, non-string keys, dates or NaN)."""
    try:
        text = json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return False
    return bool(json.loads(text) == value) and _same_types(json.loads(text), value)


def _same_types(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same_types(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same_types(x, y) for x, y in zip(a, b, strict=True))
    return True


def _is_stored(value: Any) -> bool:
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], str)):
        return False
    items = value[1]
    return isinstance(items, list) and all(
        isinstance(i, list) and len(i) == 8 and isinstance(i[1], int) and 0 <= i[1] <= 3
        for i in items
    )


def _is_proposal(value: object) -> bool:
    return isinstance(value, list) and len(value) == 2 and isinstance(value[0], list)
