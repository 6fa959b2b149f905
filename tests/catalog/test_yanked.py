"""yanked.yaml: parse, add, remove, render round trip; clear errors for bad files."""

from __future__ import annotations

import pytest
import yaml

from gitops_templates.catalog.yanked import (
    YankedVersion,
    parse_yanked,
    render_yanked,
    versions_of,
    with_yanked,
    without_yanked,
)
from gitops_templates.errors import InvalidInputError


def test_round_trip_add_and_remove():
    entry = YankedVersion("1.3.0", "error rate: 5% -> 9%", "web@1.3.1", "2026-11-24")
    yanked = with_yanked({}, "web", entry)
    text = render_yanked(yanked)
    assert text.startswith("# Versions withdrawn")
    assert parse_yanked(yaml.safe_load(text)) == yanked
    assert versions_of(yanked, "web") == {"1.3.0"}
    again = with_yanked(yanked, "web", entry)  # the same version is not listed twice
    assert len(again["web"]) == 1
    assert without_yanked(again, "web", "1.3.0") == {}
    assert versions_of({}, "web") == set()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (["web"], "must be a mapping"),
        ({"web": "1.0.0"}, "web must be a list"),
        ({"web": [{"reason": "x"}]}, "web[0] needs a `version` string"),
    ],
)
def test_bad_files_name_the_entry(data, words):
    with pytest.raises(InvalidInputError) as caught:
        parse_yanked(data)
    assert words in caught.value.message
