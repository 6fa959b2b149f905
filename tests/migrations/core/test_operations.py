from __future__ import annotations

from typing import Any

import pytest

from gitops_templates.migrations.core.operations import (
    Operation,
    OperationError,
    apply_operations,
)


def ops(*raw: dict[str, Any]) -> tuple[Operation, ...]:
    return tuple(Operation.from_json(r) for r in raw)


ISSUE_EXAMPLE = ops(
    {"op": "rename", "from": "/limit", "path": "/max_alerts"},
    {"op": "set_default", "path": "/channel", "value": "email"},
    {"op": "remove", "path": "/legacy", "if_present": True},
    {"op": "replace", "path": "/tier", "value": "standard", "if_equals": "basic"},
)


def test_the_issue_example_on_full_values():
    values = {"tier": "basic", "limit": 5, "legacy": True, "name": "shop"}
    outcome = apply_operations(values, ISSUE_EXAMPLE)
    assert outcome.values == {"tier": "standard", "max_alerts": 5, "name": "shop",
                              "channel": "email"}  # fmt: skip
    assert list(outcome.values)[:2] == ["tier", "max_alerts"]  # the renamed key kept its place
    assert outcome.renames == (("/limit", "/max_alerts"),)
    assert outcome.dropped == (("/legacy", True),)
    assert values == {"tier": "basic", "limit": 5, "legacy": True, "name": "shop"}  # untouched


def test_guards_skip_what_is_absent_or_different():
    outcome = apply_operations({"tier": "gold", "channel": "slack"}, ISSUE_EXAMPLE)
    assert outcome.values == {"tier": "gold", "channel": "slack"}
    assert outcome.renames == outcome.dropped == ()


def test_unguarded_rfc_operations_fail_on_absent_values_naming_the_operation():
    with pytest.raises(OperationError, match=r"operation 1 \(remove /legacy\)"):
        apply_operations({"a": 1}, ops({"op": "test", "path": "/a", "value": 1},
                                        {"op": "remove", "path": "/legacy"}))  # fmt: skip


def test_a_failing_test_operation_fails_the_migration():
    with pytest.raises(OperationError, match="require /mode"):
        apply_operations({"mode": "a"}, ops({"op": "test", "path": "/mode", "value": "b"}))


def test_rename_refuses_to_overwrite_a_value_already_set():
    with pytest.raises(OperationError, match="both /limit and /max_alerts are set"):
        apply_operations({"limit": 1, "max_alerts": 2}, ISSUE_EXAMPLE[:1])


def test_nested_set_default_creates_parents_and_rename_moves_across_objects():
    outcome = apply_operations(
        {"db": {"host": "h"}},
        ops({"op": "set_default", "path": "/alerts/route/to", "value": "ops"},
            {"op": "rename", "from": "/db/host", "path": "/database/host"}),
    )  # fmt: skip
    assert outcome.values == {"db": {}, "alerts": {"route": {"to": "ops"}},
                              "database": {"host": "h"}}  # fmt: skip


def test_pointers_into_lists_and_escaped_keys():
    outcome = apply_operations(
        {"routes": [{"to": "x"}], "a/b": 1},
        ops({"op": "rename", "from": "/routes/0/to", "path": "/routes/0/target"},
            {"op": "rename", "from": "/a~1b", "path": "/a_b"}),
    )  # fmt: skip
    assert outcome.values == {"routes": [{"target": "x"}], "a_b": 1}


def test_if_equals_is_json_equality_not_python_equality():
    values = {"enabled": 1}
    guarded = ops({"op": "replace", "path": "/enabled", "value": False, "if_equals": True})
    assert apply_operations(values, guarded).values == {"enabled": 1}
    assert apply_operations({"enabled": True}, guarded).values == {"enabled": False}


def test_descriptions_read_as_sentences():
    assert [op.describe() for op in ISSUE_EXAMPLE] == [
        "rename /limit to /max_alerts",
        'set /channel to "email" when absent',
        "remove /legacy if /legacy is present",
        'replace /tier with "standard" if /tier is "basic"',
    ]


def test_the_template_yaml_form_round_trips():
    raw = [op.to_json() for op in ISSUE_EXAMPLE]
    assert [Operation.from_json(r) for r in raw] == list(ISSUE_EXAMPLE)
    assert raw[0] == {"op": "rename", "from": "/limit", "path": "/max_alerts"}


def test_copies_of_copies_cannot_exhaust_memory():
    bomb = ops(*({"op": "copy", "from": "/a", "path": f"/a/k{n}"} for n in range(40)))
    with pytest.raises(OperationError, match=r"operation \d+ .*grow beyond 200000 nodes"):
        apply_operations({"a": {"v": 1}}, bomb)


def test_long_values_are_shortened_in_descriptions():
    text = Operation("set_default", "/big", value="x" * 10_000).describe()
    assert len(text) < 120
    assert text.endswith("xx... when absent")
