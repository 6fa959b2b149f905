"""The one serializer of `--json` documents: fields, renames, paths, merges, enums."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import pytest
from semver import Version

from gitops_templates.core.jsonform import JsonDocument, to_json
from gitops_templates.core.models import SCHEMA_VERSION, Level
from gitops_templates.errors import ExitCode


@dataclass(frozen=True, slots=True)
class Inner:
    name: str
    level: Level


@dataclass(frozen=True, slots=True)
class Shaped(JsonDocument):
    json_fields: ClassVar[tuple[str, ...]] = (
        "schema_version", "id", "from=old", "inner_name=inner.name", "missing=nothing.name",
        "*inner", "count",
    )  # fmt: skip

    id: str
    old: str
    inner: Inner
    nothing: Inner | None = None

    @property
    def count(self) -> int:
        return len(self.id)


@dataclass(frozen=True, slots=True)
class Default:
    items: tuple[Inner, ...]
    tags: frozenset[str]
    version: Version
    code: ExitCode
    extra: dict[Any, Any]


def test_default_shape_is_every_field_in_order_with_values_converted():
    value = Default(
        items=(Inner("a", Level.MAJOR),),
        tags=frozenset({"b", "a"}),
        version=Version.parse("1.2.3-rc.1"),
        code=ExitCode.GIT_STATE,
        extra={"k": (1, 2), 3: None},
    )
    assert to_json(value) == {
        "items": [{"name": "a", "level": "major"}],
        "tags": ["a", "b"],
        "version": "1.2.3-rc.1",
        "code": 4,
        "extra": {"k": [1, 2], "3": None},
    }
    assert list(to_json(value)) == ["items", "tags", "version", "code", "extra"]


def test_json_fields_select_rename_follow_paths_and_merge():
    data = to_json(Shaped("web", "0.1.0", Inner("x", Level.NONE)))
    assert data == {
        "schema_version": SCHEMA_VERSION,
        "id": "web",
        "from": "0.1.0",
        "inner_name": "x",
        "missing": None,
        "name": "x",
        "level": "none",
        "count": 3,
    }
    assert list(data)[:3] == ["schema_version", "id", "from"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), (True, True), (1.5, 1.5), ("s", "s"), (Level.MINOR, "minor"), ([], [])],
)
def test_scalars_and_enums(value: Any, expected: Any):
    assert to_json(value) == expected


def test_an_unknown_type_is_an_error_not_a_silent_string():
    with pytest.raises(TypeError, match="object has no JSON form"):
        to_json(object())


def test_merging_something_that_is_not_an_object_is_an_error():
    @dataclass(frozen=True, slots=True)
    class Bad:
        json_fields: ClassVar[tuple[str, ...]] = ("*name",)
        name: str

    with pytest.raises(TypeError, match=r"\*name is not an object"):
        to_json(Bad("x"))
