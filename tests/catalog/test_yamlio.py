"""Safe YAML: errors with file and line, alias bombs, line lookups, UTF-8."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from gitops_templates.catalog.yamlio import load_yaml
from gitops_templates.errors import InvalidInputError

YAML_ERRORS = [
    ("a: [1, 2\n", "invalid YAML", 2),
    ("a: 1\na: 2\n", "duplicate key 'a'", 2),
    ("a: &x [*x]\n", "recursive alias", 1),
    ("---\na: 1\n---\nb: 2\n", "invalid YAML", 3),
    ("!!python/object/apply:os.system ['true']\n", "invalid YAML", 1),
]


@pytest.mark.parametrize(("text", "message", "line"), YAML_ERRORS)
def test_yaml_errors_name_file_and_line(text: str, message: str, line: int):
    with pytest.raises(InvalidInputError) as info:
        load_yaml(text, "t.yaml")
    problem = info.value.problems[0]
    assert message in problem.message
    assert (problem.file, problem.line) == ("t.yaml", line)


def test_yaml_bomb_is_refused_quickly():
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 10) + "]")
    with pytest.raises(InvalidInputError, match="alias bomb"):
        load_yaml("\n".join(lines) + "\n", "bomb.yaml")


def test_yaml_lines_and_invalid_utf8():
    doc = load_yaml("a:\n  b:\n    - x\n    - y\n", "t.yaml")
    assert doc.line_of(("a", "b", 1)) == 4
    assert doc.line_of(("a", "missing")) == 2
    with pytest.raises(InvalidInputError, match="UTF-8"):
        load_yaml(b"a: \xff\n", "t.yaml")


LOADERS: list[type[Any]] = [
    yaml.SafeLoader,
    *([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else []),
]
CORPUS = [
    "a: 1\nb: [x, {c: 2}]\nd:\n  e: 'q'\n  f: |\n    text\n    more\n",
    "on: yes\nversion: 1.10\nwhen: 2024-01-02\nnull_value: ~\nanchors: &a {x: 1}\nref: *a\n",
    "- 1\n- - 2\n  - 3\n- {k: v}\n",
    "# only a comment\n",
    "",
    "a: [1, 2\n",
    "a: 1\na: 2\n",
    "---\na: 1\n---\nb: 2\n",
    "\x00a: 1\n",
    "a: 1\nb: \x07x\n",
    "a:\n  - b\n - c\n",
    "a: 'unterminated\n",
    "key: value\n\tindented: tab\n",
]


def _outcome(text: str, loader: type[Any]) -> tuple[object, ...]:
    try:
        doc = load_yaml(text, "t.yaml", loader_class=loader)
    except InvalidInputError as err:
        problem = err.problems[0]
        return ("error", problem.file, problem.line, problem.message.split(":")[0])
    return ("ok", doc.data, doc.lines)


@pytest.mark.parametrize("text", CORPUS)
def test_libyaml_and_pure_loaders_agree_on_data_lines_and_error_lines(text: str):
    results = [_outcome(text, loader) for loader in LOADERS]
    assert len(results) == 2, "PyYAML without libyaml: only one loader to compare"
    assert results[0] == results[1], results


def test_the_fast_loader_is_used_when_pyyaml_has_libyaml():
    from gitops_templates.catalog import yamlio

    assert yamlio.SAFE_LOADER is getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize(
    ("text", "line"), [("\x00a: 1\n", 1), ("a: 1\nb: \x07x\n", 2), ("a: ok\n\x1b[31m: red\n", 2)]
)
def test_control_characters_are_invalid_input_with_the_line(
    text: str, line: int, loader: type[Any]
):
    with pytest.raises(InvalidInputError) as info:
        load_yaml(text, "t.yaml", loader_class=loader)
    problem = info.value.problems[0]
    assert (problem.file, problem.line) == ("t.yaml", line)
    assert "control characters are not allowed" in problem.message


@pytest.mark.parametrize("loader", LOADERS)
def test_deep_nesting_is_invalid_input_not_a_crash(loader: type[Any]):
    text = "a: " + "[" * 5000 + "]" * 5000 + "\n"
    with pytest.raises(InvalidInputError, match="invalid YAML"):
        load_yaml(text, "deep.yaml", loader_class=loader)
