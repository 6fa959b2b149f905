"""Changelog files: Keep a Changelog layout, inserted one version at a time."""

from __future__ import annotations

import pytest

from gitops_templates.core.changelog import ChangeEntry, changelog_sections
from gitops_templates.core.changelog_file import (
    INTRO,
    FileEntry,
    add_entries,
    compare_link,
    github_url,
    new_file,
    render_entry,
    versions_in,
)
from gitops_templates.core.models import Level

BASE = "https://github.com/o/r"


def entry(key: str, day: str = "2026-01-16", subject: str = "add x", **kw) -> FileEntry:
    change = ChangeEntry("a" * 40, "feat", None, subject, Level.MINOR, False, ())
    return FileEntry(key, day, changelog_sections([change]), **kw)


def test_a_new_file_has_the_header_and_the_entry():
    text = add_entries(None, [entry("0.1.0")])
    assert text == (
        f"# Changelog\n\n{INTRO}\n\n## [0.1.0] - 2026-01-16\n\n### Features\n\n- add x (aaaaaaa)\n"
    )


def test_sections_mirror_the_tag_message_with_breaking_changes_first():
    changes = [
        ChangeEntry("b" * 40, "fix", None, "fix y", Level.PATCH, False, ()),
        ChangeEntry("c" * 40, "feat", "api", "drop z", Level.MAJOR, True, ("z is gone",)),
    ]
    sections = changelog_sections(changes, waived=["rule-1 at /x: removed"])
    text = render_entry(FileEntry("2.0.0", "2026-01-16", sections, notes=("a finding",)))
    assert [line for line in text.splitlines() if line.startswith("###")] == [
        "### ⚠ BREAKING CHANGES", "### Features", "### Bug Fixes",
        "### Compatibility waivers", "### Compatibility findings",
    ]  # fmt: skip
    assert "- **api:** z is gone (ccccccc)" in text
    assert "- rule-1 at /x: removed" in text


def test_versions_go_newest_first_and_older_ones_in_their_sorted_place():
    text = add_entries(None, [entry("1.0.0")])
    text = add_entries(text, [entry("1.2.0")])
    text = add_entries(text, [entry("1.1.0")])
    text = add_entries(text, [entry("1.2.0-rc.1")])
    text = add_entries(text, [entry("0.9.0")])
    assert versions_in(text) == ["1.2.0", "1.2.0-rc.1", "1.1.0", "1.0.0", "0.9.0"]
    assert "\n\n\n" not in text
    assert text.endswith("(aaaaaaa)\n")


def test_a_version_already_there_is_a_no_op_and_hand_edits_survive():
    text = add_entries(None, [entry("1.0.0")])
    edited = text.replace("- add x (aaaaaaa)", "- add x, by hand (see #12)\n\nA note.")
    assert add_entries(edited, [entry("1.0.0", subject="other")]) == edited
    newer = add_entries(edited, [entry("1.1.0")])
    assert edited.split("## [1.0.0]")[1] in newer
    assert newer.index("## [1.1.0]") < newer.index("## [1.0.0]")


def test_unreleased_and_preamble_are_left_alone():
    mine = "# Changes\n\nOur notes.\n\n## [Unreleased]\n\n- coming soon\n"
    text = add_entries(mine, [entry("1.0.0")])
    assert text.startswith(mine)
    assert text.endswith("## [1.0.0] - 2026-01-16\n\n### Features\n\n- add x (aaaaaaa)\n")


def test_links_to_commits_and_compare_views():
    first = entry("1.0.0", link=compare_link(BASE, "web@1.0.0", None), commits_url=f"{BASE}/commit")
    text = add_entries(None, [first])
    assert f"- add x ([aaaaaaa]({BASE}/commit/{'a' * 40}))" in text
    assert text.endswith(f"\n\n[1.0.0]: {BASE}/releases/tag/web@1.0.0\n")
    second = entry("1.1.0", link=compare_link(BASE, "web@1.1.0", "web@1.0.0"))
    text = add_entries(text, [second])
    assert text.endswith(
        f"[1.1.0]: {BASE}/compare/web@1.0.0...web@1.1.0\n[1.0.0]: {BASE}/releases/tag/web@1.0.0\n"
    )
    assert text.index("## [1.1.0]") < text.index("## [1.0.0]") < text.index("[1.1.0]:")


def test_the_catalog_file_orders_by_day_and_keeps_a_batch_in_order():
    text = add_entries(None, [entry("web@1.0.0", "2026-01-10")], by_version=False)
    text = add_entries(text, [entry("api@0.1.0", "2026-01-12"), entry("db@0.2.0", "2026-01-12")],
                       by_version=False)  # fmt: skip
    assert versions_in(text) == ["api@0.1.0", "db@0.2.0", "web@1.0.0"]
    assert add_entries(text, [entry("db@0.2.0", "2026-01-12")], by_version=False) == text


def test_untrusted_subjects_are_escaped():
    subject = "<img src=x onerror=alert(1)> [a](javascript:x)\n## h"
    text = render_entry(entry("1.0.0", subject=subject))
    item = text.splitlines()[-1]
    assert (
        item
        == "- \\<img src=x onerror=alert\\(1\\)\\> \\[a\\]\\(javascript:x\\) \\#\\# h (aaaaaaa)"
    )


def test_crlf_files_stay_crlf_and_fenced_headings_are_not_versions():
    mine = "# Changelog\r\n\r\n```\r\n## [9.9.9] - example\r\n```\r\n"
    text = add_entries(mine, [entry("1.0.0")])
    assert "\r\n## [1.0.0]" in text
    assert "\n" not in text.replace("\r\n", "")
    assert versions_in(new_file()) == []


@pytest.mark.parametrize(
    ("url", "base"),
    [
        ("git@github.com:o/r.git", BASE),
        ("https://github.com/o/r.git", BASE),
        ("https://github.com/o/r", BASE),
        ("https://user:token@github.com/o/r.git/", BASE),
        ("ssh://git@github.com/o/r.git", BASE),
        ("ssh://git@github.com:22/o/r", BASE),
        ("https://gitlab.com/o/r.git", None),
        ("git@github.com.evil.io:o/r.git", None),
        ("https://github.com/o/r/extra", None),
        ("/srv/git/r.git", None),
        (None, None),
    ],
)
def test_github_url_from_the_origin_remote(url: str | None, base: str | None):
    assert github_url(url) == base


def test_entries_of_versions_never_tagged_are_replaced_or_dropped():
    text = add_entries(None, [entry("1.0.0"), entry("1.1.0", subject="stale")])
    text = add_entries(text, [entry("1.1.0", subject="stale")])
    fresh = add_entries(text, [entry("1.1.0", day="2026-02-01", subject="what shipped")],
                        provisional=["1.1.0"])  # fmt: skip
    assert "stale" not in fresh
    assert fresh.count("## [1.1.0]") == 1
    assert "what shipped" in fresh
    same = add_entries(text, [entry("1.1.0", day="2026-03-03", subject="stale")],
                       provisional=["1.1.0"])  # fmt: skip
    assert same == text  # the same body: kept as it is, its date too
    dropped = add_entries(text, [entry("2.0.0")], provisional=["1.1.0"])
    assert "## [1.1.0]" not in dropped
    assert dropped.index("## [2.0.0]") < dropped.index("## [1.0.0]")
