from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Cli
from tests.helpers import RepoBuilder


def test_what_each_instance_can_take(catalog: RepoBuilder, cli: Cli, instance: Path):
    current = instance.with_name("current.yaml")
    current.write_text("template: alerts\nversion: ^3.0\nvalues: {name: a, channel: email}\n")
    patch = instance.with_name("ranged.yaml")
    patch.write_text("template: alerts\nversion: ~1.0\nvalues: {name: a}\n")
    report = json.loads(cli("check-update", str(instance), str(current), str(patch),
                            "--json").output)  # fmt: skip
    first, second, third = report["instances"]
    assert (first["current"], first["latest"], first["update"]) == ("1.1.0", "3.0.0", "major")
    assert [s["version"] for s in first["migrations"]] == ["2.0.0", "3.0.0"]
    rules = {f["rule"] for f in first["breaking"]}
    assert {"param-renamed", "param-added-required"} <= rules
    assert (second["update"], second["current"]) == ("none", "3.0.0")
    assert (third["current"], third["update"], third["within_pin"]) == ("1.0.0", "major", False)
    assert report["summary"] == {"major": 2, "none": 1}


def test_exit_code_says_whether_an_update_exists(catalog: RepoBuilder, cli: Cli, instance: Path):
    result = cli("check-update", str(instance), "--exit-code", code=1)
    assert f"{instance}: alerts 1.1.0 -> 3.0.0 (major)" in result.output
    assert "breaking: parameter 'limit' renamed to 'max_alerts'" in result.output
    assert "up to 2.0.0: limit renamed to max_alerts" in result.output
    cli("check-update", str(instance))  # without --exit-code an update is not a failure
    instance.write_text("template: alerts\nversion: 3.0.0\nvalues: {name: a, channel: email}\n")
    assert "is up to date (3.0.0)" in cli("check-update", str(instance), "--exit-code").output


def test_unreadable_files_are_reported_with_exit_3_and_the_rest_still_checked(
    catalog: RepoBuilder, cli: Cli, instance: Path
):
    bad = instance.with_name("bad.yaml")
    bad.write_text("template: alerts\nversion: latest\n")
    unknown = instance.with_name("unknown.yaml")
    unknown.write_text("template: nope\nversion: 1.0.0\n")
    result = cli("check-update", str(bad), str(instance), str(unknown), code=3)
    assert f"{bad}: ERROR {bad} is not an instance file: {bad}:2: version:" in result.output
    assert f"{instance}: alerts 1.1.0 -> 3.0.0 (major)" in result.output
    assert f"{unknown}: ERROR the catalog has no template 'nope'" in result.output
    assert "Traceback" not in result.output


def test_a_catalog_elsewhere_by_path_or_file_url(catalog: RepoBuilder, cli: Cli, instance: Path,
                                                 tmp_path: Path):  # fmt: skip
    elsewhere = RepoBuilder.init(tmp_path / "consumer-repo")
    for spec in (str(catalog.path), catalog.path.as_uri()):
        report = json.loads(cli("check-update", str(instance), "--catalog", spec, "--json",
                                repo=elsewhere.path).output)  # fmt: skip
        assert report["instances"][0]["latest"] == "3.0.0"
    cli("upgrade", str(instance), "--to", "latest", "--catalog", catalog.path.as_uri(),
        repo=elsewhere.path)  # fmt: skip
    assert 'version: "3.0.0"' in instance.read_text()
    clones = list((Path.home() / ".cache/gitops-templates/catalogs").iterdir())
    assert [p.name.startswith("repo-") for p in clones if p.is_dir()] == [True]
