"""Shipped schemas are published where their `$id` says; scaffolded files point editors there."""

from __future__ import annotations

import json

import pytest

from gitops_templates.catalog.resources import load_schema, resource_dir, schema_url
from tests.conftest import Cli
from tests.helpers import RepoBuilder

SCHEMAS = sorted(p.name for p in resource_dir("schemas").glob("*.schema.json"))


@pytest.mark.parametrize("name", SCHEMAS)
def test_each_schema_id_is_its_published_address(name: str):
    assert load_schema(name)["$id"] == schema_url(name)
    assert schema_url(name).startswith("https://raw.githubusercontent.com/")


def test_init_and_new_write_files_editors_validate_while_typing(repo: RepoBuilder, cli: Cli):
    cli("init")
    cli("new", "web")
    config = (repo.path / "gitops-templates.yaml").read_text().splitlines()[0]
    template = (repo.path / "templates/web/template.yaml").read_text().splitlines()[0]
    assert config == f"# yaml-language-server: $schema={schema_url('config.schema.json')}"
    assert template == f"# yaml-language-server: $schema={schema_url('template.schema.json')}"
    report = json.loads(cli("validate", "--json").output)
    assert report["problems"] == []
