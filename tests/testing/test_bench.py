"""`bench`: interleaved render timings of two versions, ratio with a bootstrap interval."""

from __future__ import annotations

import random

import pytest

from gitops_templates import Catalog
from gitops_templates.core.statistics import median, ratio_interval
from tests.conftest import Cli
from tests.helpers import RepoBuilder

SLOW = "{% for i in range(30000) %}{% endfor %}name: {{ name }}\n"


@pytest.fixture
def slower(repo: RepoBuilder) -> RepoBuilder:
    repo.template("web", "name: {{ name }}\n")
    repo.commit("feat(web): first")
    repo.tag("web@1.0.0", message="1.0.0")
    repo.template("web", SLOW + "extra: true\n")
    repo.commit("feat(web): slow")
    return repo


def test_a_slower_version_is_called_slower(slower: RepoBuilder):
    report = Catalog(slower.path).bench("web", "1.0.0", "HEAD", runs=10)
    assert report.runs == 10
    assert report.inputs == 1
    assert report.ratio > 3
    assert report.interval[0] > 1
    assert report.verdict == "slower"
    assert report.candidate_output_chars == report.baseline_output_chars + len("extra: true\n")
    swapped = Catalog(slower.path).bench("web", "HEAD", "1.0.0", runs=10)
    assert swapped.verdict == "faster"


def test_the_cli_reports_and_refuses_too_few_runs(slower: RepoBuilder, cli: Cli):
    result = cli("bench", "web", "1.0.0", "HEAD", "--runs", "10")
    assert "ratio B/A" in result.stdout
    assert ": slower" in result.stdout
    assert cli.json("bench", "web", "1.0.0", "HEAD")["runs"] == 15
    cli("bench", "web", "1.0.0", "HEAD", "--runs", "3", code=2)


def test_without_a_shared_input_there_is_nothing_to_time(repo: RepoBuilder, cli: Cli):
    repo.template("web")
    repo.commit("feat(web): first")
    repo.tag("web@1.0.0", message="1.0.0")
    meta = repo.path / "templates/web/template.yaml"
    text = meta.read_text().replace("values: {name: web}", "values: {name: 7}")
    meta.write_text(text.replace("name: {type: string", "name: {type: integer"))
    repo.commit("feat(web)!: numeric")
    assert "no example or test case is valid under both" in cli(
        "bench", "web", "1.0.0", "HEAD", code=3).stderr  # fmt: skip


def test_ratio_interval_excludes_one_only_for_a_real_change():
    rng = random.Random(7)
    base = [1.0 + rng.random() * 0.1 for _ in range(15)]
    same = [1.0 + rng.random() * 0.1 for _ in range(15)]
    slow = [1.5 + rng.random() * 0.1 for _ in range(15)]
    low, high = ratio_interval(base, same)
    assert low < 1 < high
    low, high = ratio_interval(base, slow)
    assert 1.3 < low < high < 1.7
    assert ratio_interval(base, slow, seed=1) == ratio_interval(base, slow, seed=1)
    assert median([3, 1, 2]) == 2
    with pytest.raises(ValueError, match="no values"):
        median([])
