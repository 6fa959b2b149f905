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
from gitops_templates.rollback.core.stats import TaggedRelease, rollback_stats


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


def test_rollback_figures_from_trailers():
    rel = [
        TaggedRelease("web@1.0.0", 0, {}),
        TaggedRelease("web@1.1.0", 100, {}),
        TaggedRelease("web@1.1.1", 400, {"rollback-of": "web@1.1.0", "rollback-reason": "5xx"}),
        TaggedRelease("web@1.2.0", 1000, {}),
        TaggedRelease("web@1.2.1", 1100, {"rollback-of": "web@1.2.0"}),
        TaggedRelease("web@1.2.2", 1200, {"rollforward-of": "web@1.2.1"}),
    ]
    stats = rollback_stats(rel)
    assert (stats.releases, stats.rollbacks, stats.rolled_back, stats.rollforwards) == (3, 2, 2, 1)
    assert stats.change_failure_rate == pytest.approx(2 / 3)
    assert stats.by_reason == {"5xx": 1, "unspecified": 1}
    assert stats.time_to_restore.median == 200.0  # (300 + 100) / 2
    assert rollback_stats(rel, since=1000).rollbacks == 1
    assert rollback_stats([]).change_failure_rate is None
