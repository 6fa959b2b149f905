"""One row per metadata/output rule: old template.yaml, new template.yaml, files, class."""

from __future__ import annotations

from typing import Any

import pytest

from gitops_templates.compat.core.metadata import FileChanges, diff_metadata, file_changes
from gitops_templates.compat.core.rules import RULES
from gitops_templates.core.models import Level

B, M, P, N = Level.MAJOR, Level.MINOR, Level.PATCH, Level.NONE
OUTPUT = {"source": "deploy.yaml.j2", "target": "deploy.yaml"}
BASE: dict[str, Any] = {
    "id": "web",
    "name": "Web",
    "files": [OUTPUT],
    "min_tool_version": "1.0.0",
}
SAME = FileChanges((), (), ())

ROWS = [
    ("id changed", BASE, {**BASE, "id": "webapp"}, SAME, "template-id-changed", B),
    ("deprecated", BASE, {**BASE, "deprecated": "use api"}, SAME, "template-deprecated", M),
    ("undeprecated", {**BASE, "deprecated": True}, BASE, SAME, "template-undeprecated", P),
    ("min tool raised", BASE, {**BASE, "min_tool_version": "2.0.0"}, SAME, "min-tool-version-raised", B),
    ("description changed", BASE, {**BASE, "name": "Web app"}, SAME, "metadata-changed", P),
    ("output removed", BASE, {**BASE, "files": []}, SAME, "output-removed", B),
    ("output renamed", BASE, {**BASE, "files": [{"source": "deploy.yaml.j2", "target": "app.yaml"}]}, SAME, "output-renamed", B),
    ("output added", BASE, {**BASE, "files": [OUTPUT, {"source": "svc.yaml.j2", "target": "svc.yaml"}]}, SAME, "output-added", M),
    ("output schema changed", BASE, {**BASE, "files": [{**OUTPUT, "output_schema": {"type": "object"}}]}, SAME, "output-schema-changed", P),
    ("body changed", BASE, BASE, file_changes({"deploy.yaml.j2": "a"}, {"deploy.yaml.j2": "b"}), "body-changed", P),
]  # fmt: skip


@pytest.mark.parametrize(
    ("old", "new", "files", "rule", "level"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS]
)
def test_metadata_rule_table(old, new, files, rule, level):
    found = {f.rule: f for f in diff_metadata(old, new, files)}
    assert rule in found, sorted(found)
    assert found[rule].level is level


def test_every_metadata_and_output_rule_has_a_row():
    covered = {row[4] for row in ROWS}
    assert [r for r, rule in RULES.items() if rule.area != "parameters" and r not in covered] == []


def test_unchanged_metadata_finds_nothing():
    assert diff_metadata(BASE, dict(BASE), SAME) == []
