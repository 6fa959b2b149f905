"""Untrusted text escaped for Markdown prose, cells and code spans."""

from __future__ import annotations

import pytest

from gitops_templates.core.markdown import inline_code, markdown_cell, markdown_text


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("plain text.", "plain text."),
        ("<script>alert(1)</script>", "\\<script\\>alert\\(1\\)\\</script\\>"),
        ("[click](javascript:x)", "\\[click\\]\\(javascript:x\\)"),
        ("a | b", "a \\| b"),
        ("# heading", "\\# heading"),
        ("- item\n1. one", "\\- item\n1\\. one"),
        ("*bold* _it_ `code`", "\\*bold\\* \\_it\\_ \\`code\\`"),
    ],
)
def test_markdown_text_escapes_what_markdown_would_interpret(raw, escaped):
    assert markdown_text(raw) == escaped


def test_markdown_cell_and_inline_code_stay_in_their_cell():
    assert markdown_cell("line one\n\nline | two") == "line one<br>line \\| two"
    assert inline_code("a`b") == "``a`b``"
    assert inline_code("`x`") == "`` `x` ``"
    assert inline_code("a|b") == "`a\\|b`"


def test_ordinal_looking_text_in_the_middle_of_a_line_stays_readable():
    assert markdown_text("from 1.x") == "from 1.x"


def test_changelog_notes_keep_our_headings_and_escape_what_commits_wrote():
    from gitops_templates.core.markdown import changelog_notes

    text = ("## web 1.0.0 (2026-01-01)\n\n### Features\n\n"
            "- see [x](javascript:alert(1)) ![i](http://e/x.png) *em* (abc1234)\n"
            "# a heading from a footer\n")  # fmt: skip
    lines = changelog_notes(text).splitlines()
    assert lines[:3] == ["## web 1.0.0 (2026-01-01)", "", "### Features"]
    assert lines[4] == (
        "- see \\[x\\]\\(javascript:alert\\(1\\)\\) \\!\\[i\\]\\(http://e/x.png\\) \\*em\\* (abc1234)"
    )
    assert lines[5] == "\\# a heading from a footer"
    assert changelog_notes("") == ""
