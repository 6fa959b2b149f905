"""Changelog, tag messages, digest, release statistics."""

from __future__ import annotations

import hashlib

import pytest
from semver import Version

from gitops_templates.core.cadence import Summary, bump_mix, intervals, quantile
from gitops_templates.core.changelog import (
    ChangeEntry,
    read_tag_message,
    render_changelog,
    tag_message,
)
from gitops_templates.core.digest import tree_digest
from gitops_templates.core.jsonform import to_json
from gitops_templates.core.models import Level, TreeEntry


def entry(
    sha: str, type_: str, subject: str, level: Level, *, scope=None, breaking=False, notes=()
):
    return ChangeEntry(sha, type_, scope, subject, level, breaking, notes)


def test_changelog_sections_and_breaking_first():
    text = render_changelog(
        "web", "2.0.0", 1_767_225_600,
        [entry("a" * 40, "fix", "fix  a\nbug", Level.PATCH),
         entry("b" * 40, "feat", "drop x", Level.MAJOR, scope="api", breaking=True, notes=("x is gone",)),
         entry("c" * 40, "feat", "add y", Level.MINOR)],
    )  # fmt: skip
    assert text == (
        "## web 2.0.0 (2026-01-01)\n\n### ⚠ BREAKING CHANGES\n\n- **api:** x is gone (bbbbbbb)\n\n"
        "### Features\n\n- **api:** drop x (bbbbbbb)\n- add y (ccccccc)\n\n"
        "### Bug Fixes\n\n- fix a bug (aaaaaaa)\n"
    )


def test_tag_message_round_trip():
    message = tag_message("web 1.0.0", "## web 1.0.0\n\n- x\n",
                          [("Template-Digest", "sha256:ab"), ("Compatibility", "minor")])  # fmt: skip
    note = read_tag_message(message)
    assert note.digest == "sha256:ab"
    assert note.compatibility == "minor"
    assert note.tree is None
    assert note.changelog == "## web 1.0.0\n\n- x"


def test_digest_depends_on_content_mode_and_path_only():
    blobs = {"1": b"a", "2": b"b"}
    entries = [TreeEntry("100644", "blob", "1", "x"), TreeEntry("100644", "blob", "2", "y")]
    digest = tree_digest(entries, blobs.__getitem__)
    assert digest == tree_digest(list(reversed(entries)), blobs.__getitem__)
    inner = "".join(
        f"100644 {p}\0{hashlib.sha256(c).hexdigest()}\n" for p, c in (("x", b"a"), ("y", b"b"))
    )
    assert digest == "sha256:" + hashlib.sha256(inner.encode()).hexdigest()
    assert digest != tree_digest(
        [TreeEntry("100755", "blob", "1", "x"), entries[1]], blobs.__getitem__
    )
    assert digest != tree_digest(
        [TreeEntry("100644", "blob", "1", "z"), entries[1]], blobs.__getitem__
    )


def test_quantiles_and_summary():
    assert quantile([], 0.5) is None
    assert quantile([1, 2, 3, 4], 0.5) == 2.5
    assert quantile([10.0], 0.9) == 10.0
    assert quantile(list(range(11)), 0.9) == pytest.approx(9.0)
    assert to_json(Summary.of([1.0, 3.0])) == {
        "count": 2,
        "median_seconds": 2.0,
        "p90_seconds": 2.8,
    }


def test_bump_mix_and_intervals():
    versions = [Version.parse(x) for x in ["0.1.0", "0.2.0", "0.2.1", "1.0.0", "1.0.1"]]
    assert bump_mix(versions) == {"initial": 1, "major": 1, "minor": 1, "patch": 2}
    assert intervals([30, 10, 20]) == [10.0, 10.0]
