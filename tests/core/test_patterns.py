"""User patterns: the answers `re` gives, within a time budget, and clear errors."""

from __future__ import annotations

import time

import pytest

from gitops_templates.core.patterns import PatternTooSlowError, search


@pytest.mark.parametrize(
    ("pattern", "text", "found"),
    [("^[a-z]+$", "abc", True), ("^[a-z]+$", "ab1", False), ("b", "abc", True),
     ("^\\d{3}-\\d{4}$", "555-1234", True), ("(?i)ABC", "xabcx", True), ("", "", True)],
)  # fmt: skip
def test_search_answers_like_re(pattern: str, text: str, found: bool):
    assert search(pattern, text) is found


def test_catastrophic_backtracking_stops_at_the_budget():
    start = time.monotonic()
    assert search("^(a+)+$", "a" * 30 + "!") is False  # the regex engine avoids this one
    with pytest.raises(PatternTooSlowError, match=r"\^\(a\|a\)\*\$.*31-character") as info:
        search("^(a|a)*$", "a" * 30 + "!")
    assert time.monotonic() - start < 2
    assert info.value.exit_code == 3
    assert "nested quantifiers" in (info.value.hint or "")


def test_a_pattern_that_does_not_compile_is_a_value_error():
    with pytest.raises(ValueError, match="is not a regular expression"):
        search("([a-z", "x")
