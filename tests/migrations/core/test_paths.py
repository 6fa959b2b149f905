from __future__ import annotations

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
SCHEMA_2 = {"type": "object", "properties": {"max_alerts": {"type": "integer"}}}


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


def test_a_default_the_older_version_also_had_is_removed_only_when_unchanged():
    knows = {"type": "object", "properties": {"channel": {"default": "email"}}}
    step = plan_path("a", MIGRATIONS, V("3.0.0"), V("2.5.0"), schema_before=lambda v: knows)
    assert [op.describe() for op in step.steps[0].operations][-1] == (
        'remove /channel if /channel is "email"'
    )
    declared = {"type": "object", "properties": {"channel": {"type": "string"}}}
    step = plan_path("a", MIGRATIONS, V("3.0.0"), V("2.5.0"), schema_before=lambda v: declared)
    assert len(step.steps[0].operations) == 1  # the value stays: 2.5 knows it, no default


def test_yanked_versions_are_skipped_with_a_note():
    path = plan_path("alerts", MIGRATIONS, V("1.0.0"), V("3.0.0"), yanked=frozenset({"2.5.0"}))
    assert versions(path) == ["2.0.0", "3.0.0"]
    assert path.notes == ("2.5.0 is yanked: its migration (drop legacy) is skipped",)


def test_up_then_down_along_a_lossless_path_gives_the_values_back():
    values = {"limit": 5, "tier": "basic", "name": "shop"}
    up = migrate(values, plan_path("a", MIGRATIONS, V("1.0.0"), V("3.0.0")))
    assert up.values == {"max_alerts": 5, "tier": "standard", "name": "shop", "channel": "email"}
    down = migrate(up.values, plan_path("a", MIGRATIONS, V("3.0.0"), V("1.0.0")))
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
    down = migrate(up.values, plan_path("a", lossless, V("3.0.0"), V("1.0.0")))
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
