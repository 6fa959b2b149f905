"""The object-facts cache and the JSON cache files under it."""

from __future__ import annotations

import json
from pathlib import Path

from gitops_templates.git import object_facts
from gitops_templates.git.cachefile import read_json, write_json
from gitops_templates.git.object_facts import ObjectFacts

A, B = "a" * 40, "b" * 64


def is_text(value: object) -> bool:
    return isinstance(value, str)


def test_only_missing_keys_are_fetched_and_only_object_ids_are_kept(tmp_path: Path):
    path = tmp_path / "objects.json"
    calls: list[list[str]] = []

    def fetch(keys: list[str]) -> dict[str, str]:
        calls.append(keys)
        return {k: k.upper() for k in keys}

    facts = ObjectFacts(path)
    found = facts.lookup("blob", [f"{A}:x", "HEAD:x", f"{A}:x"], fetch, valid=is_text)
    assert found == {f"{A}:x": f"{A.upper()}:X", "HEAD:x": "HEAD:X"}
    facts.save()
    again = ObjectFacts(path)
    assert again.lookup("blob", [f"{A}:x", "HEAD:x", B], fetch, valid=is_text)[B] == B.upper()
    assert calls == [[f"{A}:x", "HEAD:x"], ["HEAD:x", B]]  # HEAD is asked every time
    again.save()
    assert set(json.loads(path.read_text())["tables"]["blob"]) == {f"{A}:x", B}


def test_invalid_values_are_fetched_again_and_the_file_stays_bounded(tmp_path: Path, monkeypatch):
    path = tmp_path / "objects.json"
    write_json(path, {"format": 1, "tables": {"blob": {A: 7}, "junk": [1]}})
    facts = ObjectFacts(path)
    assert facts.lookup("blob", [A], lambda keys: dict.fromkeys(keys, "ok"), valid=is_text) == {
        A: "ok"
    }
    monkeypatch.setattr(object_facts, "MAX_ENTRIES", 4)
    many = [f"{i:040x}" for i in range(6)]
    facts.lookup("blob", many, lambda keys: dict.fromkeys(keys, "v"), valid=is_text)
    facts.save()
    kept = json.loads(path.read_text())["tables"]["blob"]
    assert list(kept) == many[-2:]  # the newest half


def test_without_a_path_facts_last_one_run():
    calls: list[list[str]] = []

    def fetch(keys: list[str]) -> dict[str, str]:
        calls.append(keys)
        return dict.fromkeys(keys, "x")

    facts = ObjectFacts(None)
    assert facts.lookup("blob", [A], fetch, valid=is_text) == {A: "x"}
    facts.save()
    assert facts.lookup("blob", [A], fetch, valid=is_text) == {A: "x"}  # remembered in memory
    ObjectFacts(None).lookup("blob", [A], fetch, valid=is_text)  # a new run asks again
    assert calls == [[A], [A]]


def test_cache_files_are_replaced_whole_and_unserialisable_data_is_not_written(tmp_path: Path):
    import datetime

    path = tmp_path / "state" / "c.json"
    assert write_json(path, {"a": 1})
    assert not write_json(path, {"a": datetime.date(2026, 11, 24)})
    assert read_json(path) == {"a": 1}
    assert [p.name for p in path.parent.iterdir()] == ["c.json"]  # no temporary left over
    path.write_text("{half")
    assert read_json(path) is None
    assert read_json(tmp_path / "missing.json") is None
