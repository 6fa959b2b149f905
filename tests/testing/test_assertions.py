"""Assertions of test cases, and the Wilson bound behind the confidence score (pure)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gitops_templates.core.statistics import wilson_lower
from gitops_templates.testing.core.assertions import MISSING, evaluate, lookup

FILES = {"a.json": '{"spec": {"replicas": 3, "ports": [80, 443], "on": true}}', "b.txt": "hello\n"}


def parse(target: str) -> list[Any]:
    if not target.endswith(".json"):
        raise ValueError("only .json here")
    return [json.loads(FILES[target])]


@pytest.mark.parametrize(
    ("assertion", "passed", "message"),
    [
        ({"contains": "hello"}, True, ""),
        ({"contains": "bye", "file": "b.txt"}, False, "no line of b.txt contains 'bye'"),
        ({"not_contains": "hello"}, False, "b.txt contains 'hello'"),
        ({"matches": "^hel+o$"}, True, ""),
        ({"matches": "(unclosed"}, False, "is not a regular expression"),
        ({"contains": "x", "file": "c.txt"}, False, "no file 'c.txt' rendered"),
        ({"contains": "x", "file": "c.txt", "not": True}, False, "no file 'c.txt'"),
        ({"equals": {"path": "spec.replicas", "value": 3}, "file": "a.json"}, True, ""),
        (
            {"equals": {"path": "spec.replicas", "value": 4}, "file": "a.json"},
            False,
            "a.json: spec.replicas is 3, expected 4",
        ),
        ({"equals": {"path": "spec.on", "value": 1}, "file": "a.json"}, False, "is True"),
        ({"exists": "spec.ports[1]", "file": "a.json"}, True, ""),
        ({"exists": "spec.ports[2]", "file": "a.json"}, False, "does not exist"),
        ({"exists": "spec.nope", "file": "a.json", "not": True}, True, ""),
        ({"exists": "spec", "file": "a.json", "not": True}, False, "not: exists 'spec' held"),
        ({"length": {"path": "spec.ports", "value": 2}, "file": "a.json"}, True, ""),
        ({"length": {"path": "spec", "value": 1}, "file": "a.json"}, False, "has length 3"),
        ({"exists": "x", "file": "b.txt"}, False, "only .json here"),
        ({"exists": "x"}, False, "several files were rendered, add `file:`"),
        ({"exists": "x", "file": "a.json", "document": 1}, False, "has 1 document(s), not 2"),
    ],
)
def test_assertions(assertion: dict[str, Any], passed: bool, message: str):
    outcome = evaluate(assertion, FILES, parse)
    assert outcome.passed is passed
    assert message in outcome.message


def test_lookup_walks_dotted_paths_with_indexes():
    doc = {"a": [{"b": {"c": 1}}], "x.y": 2}
    assert lookup(doc, "a[0].b.c") == 1
    assert lookup(doc, "") == doc
    assert lookup(doc, "a[1]") is MISSING
    assert lookup(doc, "a.b") is MISSING
    assert lookup([5], "[0]") == 5


@pytest.mark.parametrize(
    ("successes", "trials", "expected"),
    [(20, 20, 0.8389), (100, 100, 0.9630), (0, 10, 0.0), (5, 10, 0.2366), (1, 1, 0.2065)],
)
def test_wilson_lower_bound(successes: int, trials: int, expected: float):
    bound = wilson_lower(successes, trials)
    assert bound is not None
    assert bound == pytest.approx(expected, abs=1e-4)


def test_wilson_without_trials_or_with_impossible_counts():
    assert wilson_lower(0, 0) is None
    with pytest.raises(ValueError, match="3 successes out of 2"):
        wilson_lower(3, 2)


def test_shards_are_stable_disjoint_and_complete():
    from gitops_templates.testing.core.shards import parse_shard, shard

    ids = [f"tpl-{i:03d}" for i in range(200)]
    parts = [shard(ids, i, 4) for i in range(1, 5)]
    assert sorted(i for part in parts for i in part) == ids
    assert all(30 < len(p) < 70 for p in parts)
    assert shard([*ids[:50], "new"], 2, 4) == [i for i in parts[1] if i in ids[:50]] + (
        ["new"] if "new" in shard(["new"], 2, 4) else []
    )  # adding a template moves no other
    assert (parse_shard("2/4"), parse_shard("0/4"), parse_shard("5/4"), parse_shard("x")) == (
        (2, 4), None, None, None)  # fmt: skip


def test_timings_balance_the_shards():
    from gitops_templates.testing.core.shards import shard

    timings = {"big": 10.0, "a": 3.0, "b": 3.0, "c": 3.0, "d": 1.0}
    ids = ["a", "b", "big", "c", "d", "unknown"]
    first, second = shard(ids, 1, 2, timings), shard(ids, 2, 2, timings)
    # slowest first to the least loaded: big 10 | unknown 4 (the average), a, b -> 10 | c | d
    assert first == ["big", "c"]
    assert second == ["a", "b", "d", "unknown"]
