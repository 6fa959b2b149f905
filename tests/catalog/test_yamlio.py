"""Safe YAML: errors with file and line, alias bombs, line lookups, UTF-8."""

from __future__ import annotations

import pytest

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
