from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Cli
from tests.helpers import RepoBuilder
from tests.migrations.conftest import MIGRATION_2, MIGRATION_3, parameters, release


def test_plan_up_and_down_across_three_versions(catalog: RepoBuilder, cli: Cli):
    up = json.loads(cli("migrate", "plan", "alerts", "--from", "1.1.0", "--to", "latest",
                        "--json").output)  # fmt: skip
    assert (up["from"], up["to"], up["direction"], up["lossy"]) == ("1.1.0", "3.0.0", "up", False)
    assert [s["version"] for s in up["steps"]] == ["2.0.0", "3.0.0"]
    down = cli("migrate", "plan", "alerts", "--from", "3.0.0", "--to", "1.0.0").output
    assert down.splitlines() == [
        "alerts 3.0.0 -> 1.0.0: 2 migration(s), down",
        "  down from 3.0.0: channel is required",
        "    - remove /channel if /channel is present",
        "  down from 2.0.0: limit renamed to max_alerts",
        "    - rename /max_alerts to /limit",
    ]


def test_a_yanked_version_on_the_path_still_carries_its_change(catalog: RepoBuilder, cli: Cli,
                                                               instance: Path):  # fmt: skip
    catalog.write({".gitops-templates/yanked.yaml": "alerts:\n  - {version: 2.0.0, reason: bad}\n"})
    catalog.commit("chore: yank alerts 2.0.0")
    out = cli("migrate", "plan", "alerts", "--from", "1.0.0", "--to", "3.0.0").output
    assert "  up to 2.0.0: limit renamed to max_alerts" in out
    assert "note: 2.0.0 is yanked: no stop on the path, but its migration runs" in out
    cli("upgrade", str(instance), "--to", "latest")  # 1.x consumers are not stranded
    assert "max_alerts: 5" in instance.read_text()


def test_a_path_to_the_next_version_reads_the_work_tree(catalog: RepoBuilder, cli: Cli):
    migration = {"version": "4.0.0", "ops": [{"op": "remove", "path": "/tier", "if_present": True}]}
    release(catalog, "4.0.0", parameters("name", "max_alerts", "channel",
                                         required=("name", "channel")),
            {"name": "a", "channel": "email"}, "name: {{ name }}\n",
            [MIGRATION_2, MIGRATION_3, migration], "feat(alerts)!: no tier", tag=False)  # fmt: skip
    plan = json.loads(cli("migrate", "plan", "alerts", "--from", "3.0.0", "--to", "4.0.0",
                          "--json").output)  # fmt: skip
    assert [s["version"] for s in plan["steps"]] == ["4.0.0"]
    assert plan["notes"] == ["4.0.0 is not released: migrations read from the work tree"]


def test_unknown_template_or_version_is_a_clear_error(catalog: RepoBuilder, cli: Cli):
    result = cli("migrate", "plan", "nope", "--from", "1.0.0", "--to", "2.0.0", code=5)
    assert "the catalog has no template 'nope'" in result.output
    result = cli("migrate", "plan", "alerts", "--from", "one", "--to", "2.0.0", code=3)
    assert "'one' is not a version" in result.output
