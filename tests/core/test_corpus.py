"""Parser and bump rules on ~560 real release ranges (../shared/corpora, when present).

The oracle counts a `BREAKING CHANGE:` line anywhere in the body; our rule is
Conventional Commits 1.0.0 footer-only. Where the two differ, the pair is named below
with the reason, so a change in either shows up here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from semver import Version

from gitops_templates.core.conventional import parse_message
from gitops_templates.core.models import Level
from gitops_templates.core.version_rules import BumpRules, VersionLine, next_version

CORPORA = Path(__file__).resolve().parents[3] / "shared" / "corpora"
RULES = BumpRules(zero_breaking=Level.MAJOR)  # the corpus's "standard" zero policy

# Squash merges whose BREAKING CHANGE paragraph is followed by the squashed commit list
# ("* docs: …"): prose by the footer-only rule, so minor where the oracle says major.
EXPECTED_PAIR_DIFFERENCES = {
    ("python-semantic-release", "v6.4.0"): ("minor", "major"),
    ("python-semantic-release", "v7.0.0"): ("minor", "major"),
}
# Commits whose breaking footer the oracle sees and we do not: the two squash merges
# above, and one whose BREAKING CHANGE paragraph is followed by a link paragraph
# (still major through `!`).
EXPECTED_COMMIT_DIFFERENCES = {"2e1c50a8", "3e17a98d", "fb3da276"}


def pairs(repo: str) -> list[dict[str, Any]]:
    path = CORPORA / f"cc_{repo}_pairs.jsonl"
    if not path.exists():
        pytest.skip(f"corpus {path} not present")
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.parametrize("repo", ["commitizen", "python-semantic-release"])
def test_commits_parse_like_the_oracle(repo: str):
    differences = set()
    checked = 0
    for pair in pairs(repo):
        for commit in pair["commits"]:
            if commit["excluded"]:
                continue
            parsed = parse_message(commit["message"])
            level, _ = RULES.commit_level(parsed)
            checked += 1
            ours = (parsed.type, parsed.scope, parsed.bang, bool(parsed.breaking_notes))
            oracle = (commit["type"], commit["scope"], commit["bang"], commit["breaking_footer"])
            if ours != oracle or level.label != commit["level"]:
                differences.add(commit["sha"][:8])
    assert checked > 1500
    assert differences == (EXPECTED_COMMIT_DIFFERENCES if repo != "commitizen" else set())


@pytest.mark.parametrize("repo", ["commitizen", "python-semantic-release"])
def test_release_levels_and_versions_match_the_rules(repo: str):
    data = pairs(repo)
    differences = {}
    for pair in data:
        levels = [
            RULES.commit_level(parse_message(c["message"]))[0]
            for c in pair["commits"]
            if not c["excluded"]
        ]
        level = max(levels, default=Level.NONE)
        line = VersionLine(Version.parse(pair["prev_version"]), None)
        nxt = next_version(line, level, RULES)
        predicted = str(nxt.version) if nxt else None
        if level.label != pair["predicted_level"]:
            differences[(repo, pair["tag"])] = (level.label, pair["predicted_level"])
        else:
            assert predicted == pair["predicted_version"], pair["tag"]
    expected = {k: v for k, v in EXPECTED_PAIR_DIFFERENCES.items() if k[0] == repo}
    assert differences == expected
    assert len(data) > 250
