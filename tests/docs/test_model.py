"""Parameter rows, parameter history, Markdown escaping and marker injection."""

from __future__ import annotations

from typing import Any

import pytest

from gitops_templates.docs.core.model import (
    BEGIN,
    END,
    GENERATED,
    changelog_markdown,
    inject,
    parameter_history,
    parameter_names,
    parameter_rows,
    with_history,
)

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["name"],
    "$defs": {"port": {"type": "object", "required": ["number"], "properties": {
        "number": {"type": "integer", "minimum": 1, "maximum": 65535, "description": "Port."},
        "protocol": {"enum": ["TCP", "UDP"], "default": "TCP"},
    }}},
    "properties": {
        "name": {"type": "string", "pattern": "^[a-z]+$", "description": "Service name."},
        "labels": {"type": "object", "additionalProperties": False, "properties": {
            "team": {"type": ["string", "null"], "deprecated": True, "title": "Owning team"},
        }},
        "ports": {"type": "array", "items": {"$ref": "#/$defs/port"}, "maxItems": 4},
        "tree": {"$ref": "#/$defs/node"},
    },
}  # fmt: skip
SCHEMA["$defs"]["node"] = {"type": "object", "properties": {"child": {"$ref": "#/$defs/node"}}}


@pytest.mark.parametrize(
    ("name", "depth", "type_", "default", "required", "constraints", "description", "deprecated"),
    [
        ("name", 0, "string", None, True, ("pattern ^[a-z]+$",), "Service name.", False),
        ("labels", 0, "object", None, False, ("no other keys",), "", False),
        ("labels.team", 1, "string | null", None, False, (), "Owning team", True),
        ("ports", 0, "array of object", None, False, ("items <= 4",), "", False),
        ("ports[].number", 1, "integer", None, True, (">= 1", "<= 65535"), "Port.", False),
        ("ports[].protocol", 1, "enum", '"TCP"', False, ('one of "TCP", "UDP"',), "", False),
        ("tree", 0, "object", None, False, (), "", False),
        ("tree.child", 1, "object", None, False, (), "", False),
    ],
)
def test_parameter_rows(
    name, depth, type_, default, required, constraints, description, deprecated
):
    rows = {r.name: r for r in parameter_rows(SCHEMA)}
    row = rows[name]
    assert (row.depth, row.type, row.default, row.required) == (depth, type_, default, required)
    assert (row.constraints, row.description, row.deprecated) == (
        constraints,
        description,
        deprecated,
    )


def test_a_recursive_ref_is_documented_once():
    names = [r.name for r in parameter_rows(SCHEMA)]
    assert names.count("tree.child") == 1
    assert "tree.child.child" not in names


def test_parameter_names_are_the_rows_names_and_deprecation():
    names = parameter_names(SCHEMA)
    assert names == [(r.name, r.deprecated) for r in parameter_rows(SCHEMA)]
    assert ("labels.team", True) in names


def test_parameter_history_added_removed_readded_and_deprecated():
    def props(**kw: Any) -> dict[str, Any]:
        return {"type": "object", "properties": kw}

    history = parameter_history([
        ("0.1.0", props(a={"type": "string"})),
        ("0.2.0", props(a={"type": "string"}, b={"type": "integer"})),
        ("0.3.0", props(a={"type": "string", "deprecated": True})),
        ("0.4.0", props(a={"type": "string", "deprecated": True}, b={"type": "string"})),
        ("0.5.0", None),  # a release whose metadata could not be read
        ("0.6.0", props(a={"type": "string"}, b={"type": "string"})),
    ])  # fmt: skip
    assert history == {"a": ("0.6.0", None), "b": ("0.6.0", None)}
    assert parameter_history([
        ("1.0.0", props(a={})), ("1.1.0", props(a={"deprecated": True})),
        ("1.2.0", props(a={"deprecated": True}, b={})),
    ]) == {"a": ("1.0.0", "1.1.0"), "b": ("1.2.0", None)}  # fmt: skip


def test_rows_without_a_release_say_unreleased():
    rows = with_history(parameter_rows({"properties": {"x": {"deprecated": True}}}), {})
    assert (rows[0].added_in, rows[0].deprecated_in) == ("unreleased", "unreleased")


def test_changelog_is_demoted_and_html_inert():
    text = "## web 1.0.0 (2026-01-01)\n\n### Features\n\n- add <b>x</b> & y (abc1234)\n"
    assert changelog_markdown(text) == "#### Features\n\n- add \\<b\\>x\\</b\\> & y (abc1234)"


def test_inject_keeps_hand_written_text_outside_the_markers():
    generated = "# Generated\n"
    assert inject(None, generated) == generated
    whole = f"{GENERATED} -->\n# Old\n"
    assert inject(whole, "# New\n") == "# New\n"  # a whole earlier generation: replaced
    hand = "Intro by a human.\n"
    first = inject(hand, generated)
    assert first == f"Intro by a human.\n\n{BEGIN}\n# Generated\n{END}\n"
    edited = first.replace("Intro by a human.", "Intro, edited.") + "Outro.\n"
    again = inject(edited, "# Regenerated\n")
    assert again == f"Intro, edited.\n\n{BEGIN}\n# Regenerated\n{END}\nOutro.\n"
    assert inject(again, "# Regenerated\n") == again
