"""Whole results by a digest of their inputs: the tool's build is one of them."""

from __future__ import annotations

import os
from pathlib import Path

from gitops_templates.git import result_memo
from gitops_templates.git.result_memo import keep, modules_identity, recall, result_key


def test_a_value_comes_back_only_under_its_own_key(tmp_path: Path):
    key = result_key("plan-1", ["head", "tags"])
    keep(tmp_path, "plan-1", key, {"a": [1, 2]})
    assert recall(tmp_path, "plan-1", key) == {"a": [1, 2]}
    assert recall(tmp_path, "plan-1", result_key("plan-1", ["head", "other tags"])) is None
    assert recall(tmp_path, "other-kind", key) is None
    assert result_key("plan-1", ["ab", "c"]) != result_key("plan-1", ["a", "bc"])


def test_only_the_most_recently_used_results_of_a_kind_are_kept(tmp_path: Path):
    keys = [result_key("plan-1", [str(i)]) for i in range(result_memo.KEPT + 3)]
    keep(tmp_path, "other", "k", 1)
    for n, key in enumerate(keys):
        keep(tmp_path, "plan-1", key, n)
        os.utime(next((tmp_path / "results").glob(f"plan-1-{key[:32]}*")), ns=(n, n))
    assert recall(tmp_path, "plan-1", keys[3]) == 3  # used again: now the newest
    keep(tmp_path, "plan-1", result_key("plan-1", ["new"]), "new")
    kept = {n for n, key in enumerate(keys) if recall(tmp_path, "plan-1", key) is not None}
    assert kept == {3, *range(len(keys) - result_memo.KEPT + 2, len(keys))}
    assert recall(tmp_path, "other", "k") == 1  # another kind is not pruned


def test_a_state_directory_that_cannot_be_written_goes_without(tmp_path: Path):
    (tmp_path / "results").write_text("a file where the directory would be")
    keep(tmp_path, "plan-1", "k", 1)  # no error: the result is simply not kept
    assert recall(tmp_path, "plan-1", "k") is None


def test_the_tool_identity_changes_with_any_module(tmp_path: Path):
    package = tmp_path / "pkg"
    (package / "sub" / "__pycache__").mkdir(parents=True)
    (package / "a.py").write_text("x = 1\n")
    (package / "sub" / "b.py").write_text("y = 2\n")
    first = modules_identity(package, "1.0")
    (package / "sub" / "__pycache__" / "b.cpython-311.pyc").write_bytes(b"compiled")
    (package / "notes.txt").write_text("not a module")
    assert modules_identity(package, "1.0") == first
    assert modules_identity(package, "1.1") != first
    os.utime(package / "sub" / "b.py", ns=(1, 1))
    touched = modules_identity(package, "1.0")
    assert touched != first
    (package / "sub" / "b.py").write_text("y = 22\n")
    os.utime(package / "sub" / "b.py", ns=(1, 1))
    assert modules_identity(package, "1.0") != touched  # same time, another size


def test_a_symlinked_results_directory_is_never_used(tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    theirs = [outside / f"plan-1-{n:032x}.json" for n in range(result_memo.KEPT + 2)]
    for path in theirs:
        path.write_text("{}")
    state = tmp_path / "state"
    state.mkdir()
    (state / "results").symlink_to(outside)
    key = result_key("plan-1", ["x"])
    keep(state, "plan-1", key, 1)
    assert sorted(outside.iterdir()) == theirs  # nothing written there, nothing removed
    assert recall(state, "plan-1", key) is None


def test_pruning_removes_only_results_it_named(tmp_path: Path):
    results = tmp_path / "results"
    results.mkdir()
    others = [results / "plan-1-notes.json", results / f"plan-1-{0:032x}.json.bak"]
    for path in others:
        path.write_text("{}")
    (results / f"plan-1-{1:032x}.json").mkdir()  # a directory of that name
    (results / f"plan-1-{2:032x}.json").symlink_to(others[0])
    for n in range(result_memo.KEPT + 3):
        keep(tmp_path, "plan-1", result_key("plan-1", [str(n)]), n)
    assert all(path.exists() for path in others)
    assert (results / f"plan-1-{1:032x}.json").is_dir()
    assert (results / f"plan-1-{2:032x}.json").is_symlink()
    named = [p for p in results.iterdir() if p.is_file() and not p.is_symlink()]
    assert len(named) == result_memo.KEPT + len(others)
