"""Test files of a template (`tests/*.yaml`), read and checked against their schema.

Each file holds `cases:`; a case has a `name` (unique in its file: it names the snapshot
file), `values` and `asserts` (`testing/core/assertions.py`). A file that is not valid
is a problem naming the file, line and JSON path; the other files still run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gitops_templates.errors import GitOpsTemplatesError, Problem

if TYPE_CHECKING:
    from gitops_templates.rendering.source import TemplateSource

TESTS_DIR = "tests/"
SNAPSHOTS_DIR = "tests/__snapshots__/"
_SLUG = re.compile(r"[^a-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class TestCase:
    """One case of a test file."""

    suite: str  # the file, relative to the template: tests/web.yaml
    name: str
    values: dict[str, Any]
    asserts: tuple[dict[str, Any], ...]
    line: int | None

    @property
    def snapshot_path(self) -> str:
        """Where its snapshot lives, relative to the template directory."""
        return f"{SNAPSHOTS_DIR}{self.suite.removeprefix(TESTS_DIR)}/{slug(self.name)}.snap"


def slug(name: str) -> str:
    """A case name as a file name: `Prod, 3 replicas` -> `prod-3-replicas`."""
    return _SLUG.sub("-", name.lower()).strip("-.") or "case"


def load_cases(source: TemplateSource) -> tuple[list[TestCase], list[Problem]]:
    """Every case of every test file of the template, and the problems of bad files."""
    from gitops_templates.catalog.schema import validate_against
    from gitops_templates.catalog.yamlio import load_yaml

    cases: list[TestCase] = []
    problems: list[Problem] = []
    for path in sorted(source.files):
        if not _is_suite(path):
            continue
        try:
            doc = load_yaml(source.files[path], source.shown(path))
        except GitOpsTemplatesError as err:
            problems += err.problems
            continue
        found = validate_against(doc, "test.schema.json")
        if found:
            problems += found
            continue
        seen: dict[str, str] = {}
        for index, case in enumerate(doc.data["cases"]):
            key = slug(case["name"])
            if key in seen:
                problems.append(Problem(
                    f"case {case['name']!r} has the snapshot name of {seen[key]!r}",
                    file=doc.source, pointer=f"cases[{index}].name",
                    line=doc.line_of(("cases", index, "name")), rule="unique-case",
                    hint="give each case of a file a distinct name"))  # fmt: skip
                continue
            seen[key] = case["name"]
            cases.append(TestCase(path, case["name"], case.get("values", {}),
                                  tuple(case.get("asserts", ())),
                                  doc.line_of(("cases", index))))  # fmt: skip
    return cases, problems


def _is_suite(path: str) -> bool:
    return (
        path.startswith(TESTS_DIR) and not path.startswith(SNAPSHOTS_DIR)
        and path.endswith((".yaml", ".yml")) and "/" not in path.removeprefix(TESTS_DIR)
    )  # fmt: skip
