"""Cache files read leniently: anything but a small regular JSON file reads as None."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from gitops_templates.git import cachefile
from gitops_templates.git.cachefile import read_json, write_json


def test_a_cache_file_reads_back_what_was_written(tmp_path: Path):
    assert write_json(tmp_path / "c.json", {"a": [1, "x"]})
    assert read_json(tmp_path / "c.json") == {"a": [1, "x"]}
    assert read_json(tmp_path / "absent.json") is None


def test_nesting_too_deep_to_parse_reads_as_none(tmp_path: Path):
    (tmp_path / "c.json").write_text("[" * 100_000 + "]" * 100_000)
    assert read_json(tmp_path / "c.json") is None


def test_a_file_larger_than_any_cache_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(cachefile, "MAX_BYTES", 100)
    (tmp_path / "c.json").write_text(f'["{"x" * 200}"]')
    assert read_json(tmp_path / "c.json") is None


def test_a_fifo_is_not_waited_on(tmp_path: Path):
    os.mkfifo(tmp_path / "c.json")
    found: list[object] = []
    reader = threading.Thread(target=lambda: found.append(read_json(tmp_path / "c.json")))
    reader.start()
    reader.join(timeout=10)
    assert not reader.is_alive(), "reading a FIFO blocked"
    assert found == [None]


def test_a_symlink_is_neither_read_nor_written_through(tmp_path: Path):
    outside = tmp_path / "outside.json"
    outside.write_text('{"secret": 1}')
    (tmp_path / "c.json").symlink_to(outside)
    assert read_json(tmp_path / "c.json") is None
    assert write_json(tmp_path / "c.json", {"mine": 2})
    assert outside.read_text() == '{"secret": 1}'  # the link was replaced, not followed
    assert read_json(tmp_path / "c.json") == {"mine": 2}
