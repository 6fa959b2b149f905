from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import Cli
from tests.helpers import RepoBuilder
from tests.migrations.conftest import INSTANCE, MIGRATION_2, MIGRATION_3, parameters, release


def upgrade(cli: Cli, *args: str, code: int = 0) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(cli("upgrade", *args, "--json", code=code).output)
    return report


def test_up_to_three_and_back_down_keeps_comments_order_and_values(
    catalog: RepoBuilder, cli: Cli, instance: Path
):
    report = upgrade(cli, str(instance), "--to", "latest")
    done = report["instances"][0]
    assert (done["status"], done["from"], done["to"]) == ("upgraded", "1.1.0", "3.0.0")
    assert [s["version"] for s in done["steps"]] == ["2.0.0", "3.0.0"]
    assert instance.read_text() == (
        "# billing alerts for the shop\n"
        "template: alerts   # from the platform catalog\n"
        'version: "3.0.0"\n'
        "values:\n"
        "  name: billing    # the service\n"
        "  max_alerts: 5    # alerts per hour\n"
        "  tier: gold\n"
        "  channel: email\n"
    )
    assert "-limit: 5" in done["values_diff"]
    assert "+max_alerts: 5" in done["values_diff"]
    assert "+to: email" in done["output_diff"]

    back = upgrade(cli, str(instance), "--to", "1.1.0")["instances"][0]
    assert back["status"] == "upgraded"
    assert back["dropped"] == ['/channel (was "email")']
    assert instance.read_text() == INSTANCE


def test_a_range_pin_moves_within_itself_by_default(catalog: RepoBuilder, cli: Cli,
                                                     instance: Path):  # fmt: skip
    instance.write_text(INSTANCE.replace('"1.1.0"', '"^1.0"'))
    done = upgrade(cli, str(instance))["instances"][0]
    assert (done["status"], done["to"], done["target"]) == ("upgraded", "^1.1", "1.1.0")
    assert instance.read_text() == INSTANCE.replace('"1.1.0"', '"^1.1"')
    assert upgrade(cli, str(instance))["instances"][0]["status"] == "current"


def test_yanked_versions_are_never_chosen(catalog: RepoBuilder, cli: Cli, instance: Path):
    catalog.write({".gitops-templates/yanked.yaml": "alerts:\n  - {version: 3.0.0, reason: x}\n"})
    catalog.commit("chore: yank alerts 3.0.0")
    done = upgrade(cli, str(instance), "--to", "latest")["instances"][0]
    assert done["target"] == "2.0.0"
    failed = upgrade(cli, str(instance), "--to", "3.0.0", code=3)["instances"][0]
    assert failed["status"] == "failed"
    assert "yanked" in failed["message"]


def test_a_broken_migration_leaves_the_file_byte_identical(catalog: RepoBuilder, cli: Cli,
                                                            instance: Path):  # fmt: skip
    instance.write_text(INSTANCE.replace("  tier: gold\n", "  tier: gold\n  max_alerts: 9\n"))
    before = instance.read_bytes()
    failed = upgrade(cli, str(instance), "--to", "latest", code=3)["instances"][0]
    assert "both /limit and /max_alerts are set" in failed["message"]
    assert instance.read_bytes() == before


def test_values_invalid_after_migration_are_refused_unchanged(catalog: RepoBuilder, cli: Cli,
                                                               instance: Path):  # fmt: skip
    instance.write_text(INSTANCE.replace("  tier: gold\n", "  tier: gold\n  extra: 1\n"))
    before = instance.read_bytes()
    result = cli("upgrade", str(instance), "--to", "latest", code=3)
    assert "after migrating to 3.0.0 the values do not match its parameters" in result.output
    assert instance.read_bytes() == before


def test_dry_run_writes_nothing_and_many_files_get_a_summary(
    catalog: RepoBuilder, cli: Cli, instance: Path
):
    other = instance.with_name("other.yaml")
    other.write_text("template: alerts\nversion: 3.0.0\nvalues: {name: x, channel: slack}\n")
    broken = instance.with_name("broken.yaml")
    broken.write_text("template: alerts\nversion: [1]\n")
    result = cli("upgrade", str(instance), str(other), str(broken), "--to", "latest",
                 "--dry-run", code=3)  # fmt: skip
    assert instance.read_text() == INSTANCE
    assert f"{instance}: would upgrade alerts 1.1.0 -> 3.0.0" in result.output
    assert f"{other}: alerts 3.0.0 is current" in result.output
    assert f"{broken}: FAILED" in result.output
    assert "3 file(s): 1 planned, 1 current, 1 failed" in result.output


def test_going_down_through_a_lossy_step_needs_allow_lossy(catalog: RepoBuilder, cli: Cli,
                                                           instance: Path):  # fmt: skip
    drop_tier = {"version": "3.1.0", "ops": [{"op": "remove", "path": "/tier", "if_present": True}]}
    release(catalog, "3.1.0", parameters("name", "max_alerts", "channel",
                                         required=("name", "channel")),
            {"name": "a", "channel": "email"}, "name: {{ name }}\n",
            [MIGRATION_2, MIGRATION_3, drop_tier], "feat(alerts): no tier")  # fmt: skip
    instance.write_text("template: alerts\nversion: 3.1.0\nvalues: {name: x, channel: email}\n")
    failed = upgrade(cli, str(instance), "--to", "1.1.0", code=3)["instances"][0]
    assert "cannot undo 3.1.0: remove /tier if /tier is present" in failed["message"]
    done = upgrade(cli, str(instance), "--to", "1.1.0", "--allow-lossy")["instances"][0]
    assert done["status"] == "upgraded"
    assert yaml.safe_load(instance.read_text())["values"] == {"name": "x"}


def test_odd_values_and_an_unwritable_file_fail_alone_and_the_rest_goes_on(
    catalog: RepoBuilder, cli: Cli, instance: Path, monkeypatch: pytest.MonkeyPatch
):
    import tempfile

    dated = instance.with_name("dated.yaml")
    dated.write_text("template: alerts\nversion: 1.1.0\nvalues: {name: a, when: 2020-01-01}\n")
    locked = instance.parent / "locked"
    locked.mkdir()
    (locked / "a.yaml").write_text(INSTANCE)
    real: Any = tempfile.mkstemp

    def read_only(*args: Any, dir: Any = None, **kwargs: Any) -> Any:
        if Path(dir) == locked:  # as a read-only directory (even for root, who ignores modes)
            raise PermissionError(13, "Permission denied")
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    report = upgrade(cli, str(dated), str(locked / "a.yaml"), str(instance), "--to", "latest",
                     code=3)  # fmt: skip
    first, second, third = report["instances"]
    assert first["status"] == "failed"
    assert "after migrating to 3.0.0 the values do not match" in first["message"]
    assert second["status"] == "failed"
    assert second["message"].endswith("cannot write it: Permission denied")
    assert (locked / "a.yaml").read_text() == INSTANCE
    assert third["status"] == "upgraded"


def test_pins_keep_their_style_and_versions_may_be_named_as_render_does(
    catalog: RepoBuilder, cli: Cli, instance: Path
):
    instance.write_text(INSTANCE.replace('"1.1.0"', '"v1.1.0"'))
    assert upgrade(cli, str(instance))["instances"][0]["status"] == "current"
    done = upgrade(cli, str(instance), "--to", "alerts@2.0.0")["instances"][0]
    assert (done["from"], done["to"]) == ("v1.1.0", "v2.0.0")


def test_what_is_not_an_instance_file(catalog: RepoBuilder, cli: Cli, instance: Path):
    empty = instance.with_name("empty.yaml")
    empty.write_text("template: alerts\nversion: ^1.0\nvalues:\n")
    report = json.loads(cli("check-update", str(empty), "--json").output)  # read as {}
    assert report["instances"][0]["update"] == "major"
    failed = upgrade(cli, str(empty), "--to", "1.1.0", code=3)["instances"][0]
    assert failed["message"].endswith("parameters: values: 'name' is a required property")
    failed = upgrade(cli, str(instance.parent), code=3)["instances"][0]
    assert "is not a regular file" in failed["message"]
