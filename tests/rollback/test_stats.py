"""Rollback figures (DORA-style) from version tags' trailers alone."""

from __future__ import annotations

import pytest

from gitops_templates.rollback.core.stats import TaggedRelease, rollback_stats


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
