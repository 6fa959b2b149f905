"""A template with three versions: 2.0.0 renames `limit`, 3.0.0 requires `channel`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import RepoBuilder

HEAD = """\
apiVersion: gitops-templates/v1
id: alerts
name: Alerts
description: Alert routing.
parameters: {parameters}
files:
  - source: alerts.yaml.j2
    target: alerts.yaml
examples:
  - name: default
    values: {example}
"""
MIGRATION_2 = {"version": "2.0.0", "description": "limit renamed to max_alerts",
               "ops": [{"op": "rename", "from": "/limit", "path": "/max_alerts"}]}  # fmt: skip
MIGRATION_3 = {"version": "3.0.0", "description": "channel is required",
               "ops": [{"op": "set_default", "path": "/channel", "value": "email"}]}  # fmt: skip


def parameters(*names: str, required: tuple[str, ...] = ("name",)) -> dict[str, Any]:
    known = {
        "name": {"type": "string"},
        "limit": {"type": "integer", "minimum": 1},
        "max_alerts": {"type": "integer", "minimum": 1},
        "tier": {"enum": ["basic", "gold"], "default": "basic"},
        "channel": {"enum": ["email", "slack"]},
    }
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
            "additionalProperties": False, "required": list(required),
            "properties": {n: known[n] for n in names}}  # fmt: skip


def release(repo: RepoBuilder, version: str, params: dict[str, Any], example: dict[str, Any], body: str,
            migrations: list[dict[str, Any]], message: str, *, tag: bool = True) -> None:  # fmt: skip
    text = HEAD.format(parameters=json.dumps(params), example=json.dumps(example))
    if migrations:
        text += f"migrations: {json.dumps(migrations)}\n"
    repo.write({"templates/alerts/template.yaml": text,
                "templates/alerts/alerts.yaml.j2": body})  # fmt: skip
    repo.commit(message)
    if tag:
        repo.tag(f"alerts@{version}", message=f"alerts {version}")


@pytest.fixture
def catalog(repo: RepoBuilder) -> RepoBuilder:
    release(
        repo,
        "1.0.0",
        parameters("name", "limit", "tier"),
        {"name": "a", "limit": 3},
        "name: {{ name }}\nlimit: {{ limit | default(10) }}\n",
        [],
        "feat(alerts): first",
    )
    release(repo, "1.1.0", parameters("name", "limit", "tier"), {"name": "a", "limit": 3},
            "name: {{ name }}\nlimit: {{ limit | default(10) }}\ntier: {{ tier }}\n", [],
            "feat(alerts): tier")  # fmt: skip
    release(repo, "2.0.0", parameters("name", "max_alerts", "tier"), {"name": "a"},
            "name: {{ name }}\nlimit: {{ max_alerts | default(10) }}\ntier: {{ tier }}\n",
            [MIGRATION_2], "feat(alerts)!: limit renamed to max_alerts")  # fmt: skip
    release(repo, "3.0.0", parameters("name", "max_alerts", "tier", "channel",
                                      required=("name", "channel")),
            {"name": "a", "channel": "email"},
            "name: {{ name }}\nlimit: {{ max_alerts | default(10) }}\nto: {{ channel }}\n",
            [MIGRATION_2, MIGRATION_3], "feat(alerts)!: channel is required")  # fmt: skip
    return repo


INSTANCE = """\
# billing alerts for the shop
template: alerts   # from the platform catalog
version: "1.1.0"
values:
  name: billing    # the service
  limit: 5         # alerts per hour
  tier: gold
"""


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    path = tmp_path / "consumer" / "billing.yaml"
    path.parent.mkdir()
    path.write_text(INSTANCE)
    return path
