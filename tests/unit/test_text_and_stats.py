"""Changelog, tag messages, digest, statistics, safe YAML."""

from __future__ import annotations

import hashlib

import pytest
from semver import Version

from gitops_templates.catalog.yamlio import load_yaml
from gitops_templates.core.cadence import Summary, bump_mix, intervals, quantile
from gitops_templates.core.changelog import (
    ChangeEntry,
    read_tag_message,
    render_changelog,
    tag_message,
)
from gitops_templates.core.digest import tree_digest
from gitops_templates.core.models import Level, TreeEntry
from gitops_templates.errors import InvalidInputError


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
    assert Summary.of([1.0, 3.0]).to_dict() == {
        "count": 2,
        "median_seconds": 2.0,
        "p90_seconds": 2.8,
    }


def test_bump_mix_and_intervals():
    versions = [Version.parse(x) for x in ["0.1.0", "0.2.0", "0.2.1", "1.0.0", "1.0.1"]]
    assert bump_mix(versions) == {"initial": 1, "major": 1, "minor": 1, "patch": 2}
    assert intervals([30, 10, 20]) == [10.0, 10.0]


YAML_ERRORS = [
    ("a: [1, 2\n", "invalid YAML", 2),
    ("a: 1\na: 2\n", "duplicate key 'a'", 2),
    ("a: &x [*x]\n", "recursive alias", 1),
    ("---\na: 1\n---\nb: 2\n", "invalid YAML", 3),
    ("!!python/object/apply:os.system ['true']\n", "invalid YAML", 1),
]


@pytest.mark.parametrize(("text", "message", "line"), YAML_ERRORS)
def test_yaml_errors_name_file_and_line(text: str, message: str, line: int):
    with pytest.raises(InvalidInputError) as info:
        load_yaml(text, "t.yaml")
    problem = info.value.problems[0]
    assert message in problem.message
    assert (problem.file, problem.line) == ("t.yaml", line)


def test_yaml_bomb_is_refused_quickly():
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 10) + "]")
    with pytest.raises(InvalidInputError, match="alias bomb"):
        load_yaml("\n".join(lines) + "\n", "bomb.yaml")


def test_yaml_lines_and_invalid_utf8():
    doc = load_yaml("a:\n  b:\n    - x\n    - y\n", "t.yaml")
    assert doc.line_of(("a", "b", 1)) == 4
    assert doc.line_of(("a", "missing")) == 2
    with pytest.raises(InvalidInputError, match="UTF-8"):
        load_yaml(b"a: \xff\n", "t.yaml")
