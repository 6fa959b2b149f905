from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from semver import Version

from gitops_templates.core.jsonform import to_json
from gitops_templates.migrations.core.paths import (
    StepError,
    migrate,
    parse_migrations,
    plan_path,
)

V = Version.parse
MIGRATIONS = parse_migrations([
    {"version": "2.0.0", "description": "limit renamed to max_alerts",
     "ops": [{"op": "rename", "from": "/limit", "path": "/max_alerts"}]},
    {"version": "2.5.0", "description": "drop legacy",
     "ops": [{"op": "remove", "path": "/legacy", "if_present": True}]},
    {"version": "3.0.0", "description": "channel is required",
     "ops": [{"op": "set_default", "path": "/channel", "value": "email"},
             {"op": "replace", "path": "/tier", "value": "standard", "if_equals": "basic"}]},
    {"version": "v1.0.0", "ops": []},
    {"version": "not-a-version", "ops": []},
])  # fmt: skip
SCHEMA_2 = {
    "type": "object",
    "properties": {"max_alerts": {"type": "integer"}, "tier": {"enum": ["basic", "gold"]}},
}


def before(version: Version) -> dict[str, Any]:
    """2.x knows no /channel, and no tier "standard"."""
    return SCHEMA_2


def versions(path) -> list[str]:
    return [step.version for step in path.steps]


def test_up_runs_every_migration_above_the_source_up_to_the_target_in_order():
    path = plan_path("alerts", MIGRATIONS, V("1.4.2"), V("3.0.0"))
    assert versions(path) == ["2.0.0", "2.5.0", "3.0.0"]
    assert path.direction == "up"
    assert not path.lossy
    assert versions(plan_path("alerts", MIGRATIONS, V("2.0.0"), V("2.9.9"))) == ["2.5.0"]
    assert plan_path("alerts", MIGRATIONS, V("3.0.0"), V("3.0.0")).steps == ()


def test_a_version_prefix_is_read_and_an_unparsable_version_left_for_validation():
    assert [str(m.version) for m in MIGRATIONS] == ["2.0.0", "2.5.0", "3.0.0", "1.0.0"]
    assert [m.index for m in MIGRATIONS] == [0, 1, 2, 3]


def test_down_inverts_newest_first_and_flags_what_cannot_be_undone():
    path = plan_path("alerts", MIGRATIONS, V("3.0.0"), V("1.4.2"),
                     schema_before=lambda v: SCHEMA_2 if v == V("3.0.0") else None)  # fmt: skip
    assert versions(path) == ["3.0.0", "2.5.0", "2.0.0"]
    three, legacy, two = path.steps
    assert [op.describe() for op in three.operations] == [
        'replace /tier with "basic" if /tier is "standard"',
        "remove /channel if /channel is present",  # 2.x does not know /channel
    ]
    assert legacy.lossy
    assert legacy.lost == ("remove /legacy if /legacy is present",)
    assert [op.describe() for op in two.operations] == ["rename /max_alerts to /limit"]
    assert path.lossy
    assert path.direction == "down"


def test_a_default_the_older_version_also_has_stays_and_a_value_it_may_hold_is_lossy():
    knows = {"type": "object", "properties": {"channel": {"default": "email"}, "tier": {}}}
    step = plan_path("a", MIGRATIONS, V("3.0.0"), V("2.5.0"), schema_before=lambda v: knows)
    assert step.steps[0].operations == ()  # "email" meant the same in 2.5.0
    assert step.steps[0].lost == ('replace /tier with "standard" if /tier is "basic"',)
    other = {"type": "object", "properties": {"channel": {"default": "slack"}}}
    step = plan_path("a", MIGRATIONS, V("3.0.0"), V("2.5.0"), schema_before=lambda v: other)
    assert 'set /channel to "email" when absent' in step.steps[0].lost


def test_a_yanked_version_is_no_stop_but_its_migration_still_runs_with_a_note():
    path = plan_path("alerts", MIGRATIONS, V("1.0.0"), V("3.0.0"), yanked=frozenset({"2.5.0"}))
    assert versions(path) == ["2.0.0", "2.5.0", "3.0.0"]
    assert path.notes == (
        "2.5.0 is yanked: no stop on the path, but its migration runs (the change is still "
        "declared by 3.0.0)",
    )


def test_up_then_down_along_a_lossless_path_gives_the_values_back():
    values = {"limit": 5, "tier": "basic", "name": "shop"}
    up = migrate(values, plan_path("a", MIGRATIONS, V("1.0.0"), V("3.0.0")))
    assert up.values == {"max_alerts": 5, "tier": "standard", "name": "shop", "channel": "email"}
    down = migrate(
        up.values, plan_path("a", MIGRATIONS, V("3.0.0"), V("1.0.0"), schema_before=before)
    )
    assert down.values == values
    assert down.dropped == (("/channel", "email"),)


@settings(max_examples=200, deadline=None)
@given(limit=st.integers() | st.none() | st.just("absent"),
       tier=st.sampled_from(["basic", "gold", "absent"]),
       name=st.text(max_size=5))  # fmt: skip
def test_round_trip_property(limit, tier, name):
    lossless = tuple(m for m in MIGRATIONS if str(m.version) != "2.5.0")
    values = {"name": name}
    if limit != "absent":
        values["limit"] = limit
    if tier != "absent":
        values["tier"] = tier
    up = migrate(values, plan_path("a", lossless, V("1.0.0"), V("3.0.0")))
    down = migrate(
        up.values, plan_path("a", lossless, V("3.0.0"), V("1.0.0"), schema_before=before)
    )
    assert down.values == values


def test_a_step_that_cannot_apply_names_its_version_and_description():
    path = plan_path("a", MIGRATIONS, V("1.0.0"), V("2.0.0"))
    with pytest.raises(StepError, match=r"the up migration 2.0.0 \(limit renamed to max_alerts\)"
                                        r": operation 0"):  # fmt: skip
        migrate({"limit": 1, "max_alerts": 2}, path)


def test_the_json_form_lists_steps_with_their_operations():
    path = plan_path("alerts", MIGRATIONS, V("1.0.0"), V("2.0.0"))
    assert to_json(path) == {
        "schema_version": 1, "template": "alerts", "from": "1.0.0", "to": "2.0.0",
        "direction": "up", "lossy": False, "notes": [],
        "steps": [{"version": "2.0.0", "description": "limit renamed to max_alerts",
                   "direction": "up", "lossy": False, "lost": [],
                   "operations": [{"op": "rename", "from": "/limit", "path": "/max_alerts",
                                   "text": "rename /limit to /max_alerts"}]}],
    }  # fmt: skip


def test_undoing_a_move_into_a_new_object_leaves_no_empty_object_behind():
    moved = parse_migrations([{"version": "2.0.0", "ops": [
        {"op": "move", "from": "/notify/slack_channel", "path": "/notify/slack/channel"}]}])  # fmt: skip
    values = {"notify": {"slack_channel": "#ops", "email": "a@b"}}
    up = migrate(values, plan_path("a", moved, V("1.0.0"), V("2.0.0")))
    assert up.values == {"notify": {"email": "a@b", "slack": {"channel": "#ops"}}}
    down = migrate(up.values, plan_path("a", moved, V("2.0.0"), V("1.0.0")))
    assert down.values == {"notify": {"email": "a@b", "slack_channel": "#ops"}}


def test_appending_to_a_list_cannot_be_undone():
    appended = parse_migrations([{"version": "2.0.0", "ops": [
        {"op": "add", "path": "/routes/-", "value": {"to": "ops"}}]}])  # fmt: skip
    path = plan_path("a", appended, V("2.0.0"), V("1.0.0"))
    assert path.lossy
    assert path.steps[0].lost == ('set /routes/- to {"to": "ops"}',)
